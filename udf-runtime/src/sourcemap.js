// Source Map v3 parsing and position lookup.
//
// Plain ES2020, no imports, no host globals: this file runs inside the udf
// isolate (bare V8) as well as under Node for tests.
//
// Position conventions
// --------------------
// * V8 stack frames (`at f (file.js:12:5)`) report 1-based lines and 1-based
//   columns.
// * Source maps store 0-based lines (the index of the `;`-separated group in
//   `mappings`) and 0-based columns, for both generated and original
//   positions; index-map section offsets are 0-based too.
// * `lookup(map, line, column)` takes the V8 convention (1-based line,
//   1-based column) and returns the original position in the same 1-based
//   convention, so its result can be printed straight back into a frame.
//   Internally everything is converted to 0-based once, at the boundary.
//
// Matching rule: the mapping used is the segment on the same generated line
// with the greatest generated column <= the requested column ("greatest lower
// bound"). If the line has no such segment, or the segment found carries no
// original position (a 1-field segment), the lookup yields null.
//
// Robustness: `parseSourceMap` never throws. Anything malformed (bad JSON,
// wrong version, a non-base64 character or truncated VLQ in `mappings`, an
// out-of-range source/name index, a negative position, ...) makes it return
// null, so a bad source map behaves exactly like a missing one.

const BASE64_ALPHABET =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Char code -> 6-bit value, -1 for characters outside the alphabet.
const BASE64_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) {
  BASE64_VALUES[BASE64_ALPHABET.charCodeAt(i)] = i;
}

const COMMA = 44; // ","
const SEMICOLON = 59; // ";"

// A VLQ value may carry at most 32 bits of magnitude; more digits than this is
// garbage (and would lose precision in JS numbers anyway).
const MAX_VLQ_SHIFT = 30;

// Each decoded segment is stored as 5 consecutive Int32 slots:
// generated column, source index, original line, original column, name index
// (-1 where the segment does not have the field).
const SEG_SIZE = 5;

// Marker so that other modules can tell a parsed map from raw JSON.
const PARSED = Symbol.for("udf.sourcemap.parsed");

class InvalidSourceMap extends Error {}

function fail(message) {
  throw new InvalidSourceMap(message);
}

/**
 * Decode the `mappings` string of a (regular, non-index) source map.
 * Returns {segments: Int32Array, lineStarts: Int32Array} where the segments of
 * generated line L (0-based) are segments[lineStarts[L]*5 .. lineStarts[L+1]*5).
 * Throws InvalidSourceMap on malformed input.
 */
function decodeMappings(mappings, sourceCount, nameCount) {
  const out = [];
  const lineStarts = [0];
  const len = mappings.length;

  // Running values; generated column resets on each line, the others are
  // relative across the whole mapping string.
  let genCol = 0;
  let srcIdx = 0;
  let srcLine = 0;
  let srcCol = 0;
  let nameIdx = 0;

  // Fields of the segment currently being read.
  const fields = [0, 0, 0, 0, 0];
  let fieldCount = 0;

  // Per-line bookkeeping so that out-of-order segments can be sorted.
  let lineFirstSeg = 0;
  let lineSorted = true;
  let lastGenColOnLine = -1;

  const finishSegment = () => {
    if (fieldCount === 0) {
      return; // empty segment (e.g. ";;" or ",,"): tolerated, nothing to add
    }
    if (fieldCount !== 1 && fieldCount !== 4 && fieldCount !== 5) {
      fail("segment with " + fieldCount + " fields");
    }
    genCol += fields[0];
    if (genCol < 0) fail("negative generated column");
    let s = -1;
    let ol = -1;
    let oc = -1;
    let n = -1;
    if (fieldCount >= 4) {
      srcIdx += fields[1];
      srcLine += fields[2];
      srcCol += fields[3];
      if (srcIdx < 0 || srcIdx >= sourceCount) fail("source index out of range");
      if (srcLine < 0) fail("negative original line");
      if (srcCol < 0) fail("negative original column");
      s = srcIdx;
      ol = srcLine;
      oc = srcCol;
      if (fieldCount === 5) {
        nameIdx += fields[4];
        if (nameIdx < 0 || nameIdx >= nameCount) fail("name index out of range");
        n = nameIdx;
      }
    }
    if (genCol < lastGenColOnLine) lineSorted = false;
    lastGenColOnLine = genCol;
    out.push(genCol, s, ol, oc, n);
    fieldCount = 0;
  };

  const finishLine = () => {
    const segCount = out.length / SEG_SIZE;
    if (!lineSorted) sortLine(out, lineFirstSeg, segCount);
    lineStarts.push(segCount);
    lineFirstSeg = segCount;
    lineSorted = true;
    lastGenColOnLine = -1;
    genCol = 0;
  };

  let i = 0;
  while (i < len) {
    const c = mappings.charCodeAt(i);
    if (c === COMMA) {
      finishSegment();
      i++;
      continue;
    }
    if (c === SEMICOLON) {
      finishSegment();
      finishLine();
      i++;
      continue;
    }
    // Read one base64 VLQ number.
    let result = 0;
    let shift = 0;
    let continuation = true;
    while (continuation) {
      if (i >= len) fail("truncated VLQ");
      const code = mappings.charCodeAt(i++);
      const digit = code < 128 ? BASE64_VALUES[code] : -1;
      if (digit < 0) fail("invalid base64 character in mappings");
      if (shift > MAX_VLQ_SHIFT) fail("VLQ value too large");
      continuation = (digit & 32) !== 0;
      // Use multiplication instead of << so bit 31 does not flip the sign.
      result += (digit & 31) * Math.pow(2, shift);
      shift += 5;
    }
    // The lowest bit is the sign; the rest is the magnitude.
    const magnitude = Math.floor(result / 2);
    const value = result % 2 === 1 ? -magnitude : magnitude;
    if (value > 2147483647 || value < -2147483648) fail("VLQ value too large");
    if (fieldCount >= 5) fail("segment with more than 5 fields");
    fields[fieldCount++] = value;
  }
  finishSegment();
  finishLine();

  return {
    segments: Int32Array.from(out),
    lineStarts: Int32Array.from(lineStarts),
  };
}

// Stable sort of segments [from, to) of `out` by generated column.
function sortLine(out, from, to) {
  const segs = [];
  for (let k = from; k < to; k++) {
    segs.push(out.slice(k * SEG_SIZE, (k + 1) * SEG_SIZE));
  }
  segs.sort((a, b) => a[0] - b[0]);
  for (let k = 0; k < segs.length; k++) {
    for (let f = 0; f < SEG_SIZE; f++) out[(from + k) * SEG_SIZE + f] = segs[k][f];
  }
}

function isAbsoluteish(path) {
  // URL with a scheme ("webpack://", "file:///", "udf:x") or an absolute path.
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) || path.charAt(0) === "/";
}

function resolveSource(sourceRoot, source) {
  if (source === null || source === undefined) return null;
  if (typeof source !== "string") fail("source is not a string");
  if (!sourceRoot || isAbsoluteish(source)) return source;
  return sourceRoot.charAt(sourceRoot.length - 1) === "/"
    ? sourceRoot + source
    : sourceRoot + "/" + source;
}

function parseRegular(raw) {
  if (typeof raw.mappings !== "string") fail("mappings is not a string");
  const rawSources = raw.sources === undefined ? [] : raw.sources;
  if (!Array.isArray(rawSources)) fail("sources is not an array");
  const rawNames = raw.names === undefined ? [] : raw.names;
  if (!Array.isArray(rawNames)) fail("names is not an array");
  let sourceRoot = raw.sourceRoot;
  if (sourceRoot === undefined || sourceRoot === null) sourceRoot = "";
  if (typeof sourceRoot !== "string") fail("sourceRoot is not a string");

  const sources = rawSources.map((s) => resolveSource(sourceRoot, s));
  const names = rawNames.map((n) => {
    if (typeof n !== "string") fail("name is not a string");
    return n;
  });
  let sourcesContent = null;
  if (Array.isArray(raw.sourcesContent)) {
    sourcesContent = raw.sourcesContent.map((c) => (typeof c === "string" ? c : null));
  }
  const decoded = decodeMappings(raw.mappings, sources.length, names.length);
  return {
    kind: "regular",
    file: typeof raw.file === "string" ? raw.file : null,
    sources,
    names,
    sourcesContent,
    segments: decoded.segments,
    lineStarts: decoded.lineStarts,
  };
}

function parseIndex(raw, depth) {
  if (!Array.isArray(raw.sections)) fail("sections is not an array");
  if (depth > 4) fail("index maps nested too deeply");
  const sections = [];
  let prevLine = -1;
  let prevCol = -1;
  for (const section of raw.sections) {
    if (!section || typeof section !== "object") fail("bad section");
    const offset = section.offset;
    if (!offset || typeof offset !== "object") fail("section without offset");
    const line = offset.line;
    const column = offset.column;
    if (!Number.isInteger(line) || !Number.isInteger(column) || line < 0 || column < 0) {
      fail("bad section offset");
    }
    if (line < prevLine || (line === prevLine && column < prevCol)) {
      fail("sections out of order");
    }
    prevLine = line;
    prevCol = column;
    if (section.map === undefined || section.map === null) {
      fail("section without an inline map"); // `url` sections are unsupported
    }
    sections.push({ line, column, map: parseRaw(section.map, depth + 1) });
  }
  return { kind: "index", sections };
}

function parseRaw(raw, depth) {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) fail("not an object");
  if (raw.version !== 3) fail("unsupported version");
  if (raw.sections !== undefined) return parseIndex(raw, depth);
  return parseRegular(raw);
}

function stripXssiPrefix(text) {
  // Source maps may start with ")]}'" (optionally followed by a line break)
  // to defeat XSSI; the spec says consumers should ignore it.
  if (text.slice(0, 4) === ")]}'") {
    const nl = text.indexOf("\n");
    return nl === -1 ? text.slice(4) : text.slice(nl + 1);
  }
  return text;
}

/**
 * Parse a Source Map v3, given as JSON text or as an already-parsed object.
 * Returns an opaque lookup object (usable with `lookup` and also exposing a
 * `lookup(line, column)` method), or null when the input is not a valid map.
 * Never throws.
 */
export function parseSourceMap(jsonTextOrObject) {
  try {
    let raw = jsonTextOrObject;
    if (typeof raw === "string") {
      raw = JSON.parse(stripXssiPrefix(raw));
    }
    if (raw && typeof raw === "object" && raw[PARSED] === true) return raw;
    const parsed = parseRaw(raw, 0);
    return makeLookupObject(parsed);
  } catch (e) {
    return null;
  }
}

function makeLookupObject(parsed) {
  Object.defineProperty(parsed, PARSED, { value: true });
  Object.defineProperty(parsed, "lookup", {
    value: function (line, column) {
      return lookup(parsed, line, column);
    },
  });
  return parsed;
}

/** True when `value` is a map returned by parseSourceMap. */
export function isParsedSourceMap(value) {
  return !!value && typeof value === "object" && value[PARSED] === true;
}

// 0-based lookup on a regular or index map.
function lookup0(map, line, column) {
  if (map.kind === "index") {
    const sections = map.sections;
    // Last section whose offset is <= (line, column).
    let lo = 0;
    let hi = sections.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = sections[mid];
      if (s.line < line || (s.line === line && s.column <= column)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return null;
    const s = sections[found];
    const localLine = line - s.line;
    const localColumn = localLine === 0 ? column - s.column : column;
    return lookup0(s.map, localLine, localColumn);
  }

  const lineStarts = map.lineStarts;
  if (line >= lineStarts.length - 1) return null;
  const segs = map.segments;
  let lo = lineStarts[line];
  let hi = lineStarts[line + 1] - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segs[mid * SEG_SIZE] <= column) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0) return null;
  const base = found * SEG_SIZE;
  const srcIdx = segs[base + 1];
  if (srcIdx < 0) return null;
  const nameIdx = segs[base + 4];
  return {
    source: map.sources[srcIdx],
    line: segs[base + 2],
    column: segs[base + 3],
    name: nameIdx < 0 ? null : map.names[nameIdx],
  };
}

/**
 * Map a generated position to its original position.
 * `line` and `column` are 1-based, as printed in V8 stack frames.
 * Returns {source, line, column, name} with 1-based line and column
 * (`source` and `name` may be null), or null when there is no mapping.
 */
export function lookup(map, line, column) {
  if (!map || typeof map !== "object" || map[PARSED] !== true) return null;
  if (!Number.isInteger(line) || !Number.isInteger(column) || line < 1 || column < 1) {
    return null;
  }
  const r = lookup0(map, line - 1, column - 1);
  if (r === null) return null;
  return { source: r.source, line: r.line + 1, column: r.column + 1, name: r.name };
}
