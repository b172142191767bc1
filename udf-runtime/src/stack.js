// Cleaning and source-mapping of V8 stack traces, and Convex's "Uncaught ..."
// error formatting.
//
// Plain ES2020, no host globals; imports only sibling modules.

import { lookup, parseSourceMap, isParsedSourceMap } from "./sourcemap.js";
import { inspect } from "./format.js";

const FRAME_PREFIX = "    at ";
const MAX_UNCAUGHT_VALUE_LENGTH = 1000;

/** Default: frames of the runtime bundle (`udf:`) and builtin modules (`convex:`). */
export function defaultIsRuntimeFrame(fileName) {
  return (
    typeof fileName === "string" &&
    (fileName.slice(0, 4) === "udf:" || fileName.slice(0, 7) === "convex:")
  );
}

// `file:line:col` (the file may itself contain colons, e.g. `udf:/x.js` or
// `file:///a/b.js`). V8 prints 1-based lines and columns.
const LOCATION_RE = /^(.*):(\d+):(\d+)$/;

/**
 * Parse the text after "    at " of one V8 frame.
 * Returns {locStart, locEnd, fileName, line, column} where [locStart, locEnd)
 * is the span of the `file:line:col` text inside `body` (null fields when the
 * frame has no such location, e.g. `Promise.all (index 0)`, `<anonymous>`,
 * `native`).
 */
function parseFrameBody(body) {
  let locStart = 0;
  let locEnd = body.length;

  if (body.charAt(body.length - 1) === ")") {
    // `name (location)`: find the "(" matching the final ")", scanning back so
    // that nested parentheses (eval origins, odd file names) are balanced.
    let depth = 0;
    let open = -1;
    for (let i = body.length - 1; i >= 0; i--) {
      const c = body.charAt(i);
      if (c === ")") depth++;
      else if (c === "(") {
        depth--;
        if (depth === 0) {
          open = i;
          break;
        }
      }
    }
    if (open > 0 && body.charAt(open - 1) === " ") {
      locStart = open + 1;
      locEnd = body.length - 1;
    }
  } else if (body.slice(0, 6) === "async " && LOCATION_RE.test(body.slice(6))) {
    // `async file:line:col` (anonymous async frame)
    locStart = 6;
  }

  let loc = body.slice(locStart, locEnd);
  // Eval frames: `eval at f (file.js:1:2), <anonymous>:3:4`; the position that
  // matters is the one after the last ", ".
  if (loc.slice(0, 8) === "eval at ") {
    const comma = loc.lastIndexOf(", ");
    if (comma === -1) return { locStart, locEnd, fileName: null, line: null, column: null };
    locStart += comma + 2;
    loc = body.slice(locStart, locEnd);
  }

  const m = LOCATION_RE.exec(loc);
  if (m === null) {
    // No line/column. Still report a file name when it looks like one, so that
    // runtime frames without positions are dropped too.
    const fileName = loc === "" || loc === "native" || loc === "<anonymous>" || /^index \d+$/.test(loc) ? null : loc;
    return { locStart, locEnd, fileName, line: null, column: null };
  }
  return {
    locStart,
    locEnd,
    fileName: m[1],
    line: Number(m[2]),
    column: Number(m[3]),
  };
}

function getSourceMap(sourceMaps, fileName) {
  if (!sourceMaps || fileName === null) return null;
  let map;
  try {
    if (typeof sourceMaps === "function") map = sourceMaps(fileName);
    else if (typeof sourceMaps.get === "function" && typeof sourceMaps.has === "function") {
      map = sourceMaps.get(fileName);
    } else if (Object.prototype.hasOwnProperty.call(sourceMaps, fileName)) {
      map = sourceMaps[fileName];
    }
  } catch (e) {
    return null;
  }
  if (map === undefined || map === null) return null;
  // Normally a map from parseSourceMap; raw JSON text/objects are accepted
  // too (parsed on every call, so callers should pre-parse).
  return isParsedSourceMap(map) ? map : parseSourceMap(map);
}

/**
 * Keep only the frame lines of a V8 `error.stack`, drop runtime frames and
 * source-map the rest.
 *
 * - The frames are the trailing block of lines starting with "    at "; the
 *   message lines before it (even ones that happen to look like frames in
 *   the middle of a multi-line message) are not returned.
 * - A frame is dropped when `isRuntimeFrame(fileName)` is true (default:
 *   `udf:` / `convex:` prefixes). Frames without a file (`Promise.all
 *   (index 0)`, `<anonymous>`, `native`) are kept.
 * - `sourceMaps` maps a file name to a parsed source map (plain object,
 *   Map, or function). When the map has an entry for the position,
 *   `file:line:col` becomes `source:line:col` (1-based, as V8 prints them);
 *   the function name is kept. Otherwise the frame is left unchanged.
 * Returns the frame lines joined with "\n" ("" when there are none).
 */
export function cleanStack(stackString, options) {
  if (typeof stackString !== "string" || stackString === "") return "";
  const opts = options || {};
  const sourceMaps = opts.sourceMaps;
  const isRuntimeFrame =
    typeof opts.isRuntimeFrame === "function" ? opts.isRuntimeFrame : defaultIsRuntimeFrame;

  const lines = stackString.split("\n");
  let first = lines.length;
  while (first > 0 && lines[first - 1].slice(0, FRAME_PREFIX.length) === FRAME_PREFIX) first--;

  const out = [];
  for (let i = first; i < lines.length; i++) {
    const line = lines[i];
    const body = line.slice(FRAME_PREFIX.length);
    const frame = parseFrameBody(body);
    if (frame.fileName !== null) {
      let drop = false;
      try {
        drop = !!isRuntimeFrame(frame.fileName);
      } catch (e) {
        drop = false;
      }
      if (drop) continue;
    }
    if (frame.line !== null) {
      const map = getSourceMap(sourceMaps, frame.fileName);
      const pos = map === null ? null : lookup(map, frame.line, frame.column);
      if (pos !== null && typeof pos.source === "string") {
        const newLoc = pos.source + ":" + pos.line + ":" + pos.column;
        out.push(
          FRAME_PREFIX + body.slice(0, frame.locStart) + newLoc + body.slice(frame.locEnd),
        );
        continue;
      }
    }
    out.push(line);
  }
  return out.join("\n");
}

function safeGet(obj, key) {
  try {
    return obj[key];
  } catch (e) {
    return undefined;
  }
}

function isErrorLike(value) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  try {
    if (value instanceof Error) return true;
  } catch (e) {
    // instanceof can throw on exotic objects
  }
  try {
    if (Object.prototype.toString.call(value) === "[object Error]") return true;
  } catch (e) {
    return false;
  }
  // Duck typing for errors from other realms or hand-made error objects.
  return typeof safeGet(value, "message") === "string" && typeof safeGet(value, "name") === "string";
}

function partToString(v) {
  if (v === undefined || v === null) return "";
  try {
    return typeof v === "symbol" ? v.toString() : String(v);
  } catch (e) {
    return "";
  }
}

function bound(text) {
  if (text.length <= MAX_UNCAUGHT_VALUE_LENGTH) return text;
  return text.slice(0, MAX_UNCAUGHT_VALUE_LENGTH - 3) + "...";
}

function isPlainObjectOrArray(value) {
  if (Array.isArray(value)) return true;
  try {
    const proto = Object.getPrototypeOf(value);
    return proto === null || proto === Object.prototype || Object.getPrototypeOf(proto) === null;
  } catch (e) {
    return false;
  }
}

function renderThrownValue(value) {
  switch (typeof value) {
    case "string":
      return value;
    case "symbol":
      return value.toString();
    case "undefined":
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    default:
      break;
  }
  if (value === null) return "null";
  if (typeof value === "object" && isPlainObjectOrArray(value)) {
    try {
      const json = JSON.stringify(value);
      if (typeof json === "string") return json;
    } catch (e) {
      // cycles, BigInt, throwing toJSON: fall through to inspect
    }
  }
  try {
    return inspect(value);
  } catch (e) {
    return "[object Object]";
  }
}

/**
 * Convex's message for an error that escaped a function:
 * - Error-like values: "Uncaught <name>: <message>", "Uncaught <name>" (empty
 *   message), "Uncaught <message>" (empty name), or "Uncaught".
 * - Other thrown values: "Uncaught " + the value rendered as text (strings
 *   as-is, plain objects and arrays as JSON when possible, anything else
 *   inspected), the rendering bounded at 1000 characters.
 */
export function formatUncaught(error) {
  if (isErrorLike(error)) {
    const name = partToString(safeGet(error, "name"));
    const message = partToString(safeGet(error, "message"));
    if (name !== "" && message !== "") return "Uncaught " + name + ": " + message;
    if (name !== "") return "Uncaught " + name;
    if (message !== "") return "Uncaught " + message;
    return "Uncaught";
  }
  return "Uncaught " + bound(renderThrownValue(error));
}
