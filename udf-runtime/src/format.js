// Formatting of console.log arguments and per-call log line accounting.
//
// Plain ES2020, no imports, no host globals: this file runs inside the udf
// isolate (bare V8). The output imitates Node's util.format/util.inspect
// (which is close to what Convex produces with object-inspect), always on a
// single line (except for Error stacks, which are multi-line by nature).

const MAX_DEPTH = 4; // nested objects deeper than this print as [Object]/[Array]
const MAX_ARRAY_ITEMS = 100; // Node's maxArrayLength
const MAX_BUFFER_BYTES = 50; // bytes shown for an ArrayBuffer
const MAX_STRING_LENGTH = 10000; // Node's maxStringLength, for nested strings

const objectToString = Object.prototype.toString;
const hasOwn = Object.prototype.hasOwnProperty;
const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;
const functionToString = Function.prototype.toString;

const mapSizeGetter = Object.getOwnPropertyDescriptor(Map.prototype, "size").get;
const setSizeGetter = Object.getOwnPropertyDescriptor(Set.prototype, "size").get;
const arrayBufferByteLength = Object.getOwnPropertyDescriptor(
  ArrayBuffer.prototype,
  "byteLength",
).get;
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype);
const typedArrayLength = Object.getOwnPropertyDescriptor(TypedArrayPrototype, "length").get;
const typedArrayTag = Object.getOwnPropertyDescriptor(TypedArrayPrototype, Symbol.toStringTag).get;

// ---------------------------------------------------------------------------
// Brand checks. They work across realms and cannot be fooled by
// Symbol.toStringTag; proxies are not unwrapped (they print as objects).

function brand(fn, value) {
  try {
    fn.call(value);
    return true;
  } catch (e) {
    return false;
  }
}
const isMap = (v) => brand(mapSizeGetter, v);
const isSet = (v) => brand(setSizeGetter, v);
const isDate = (v) => brand(Date.prototype.getTime, v);
const isArrayBuffer = (v) => brand(arrayBufferByteLength, v);
const isTypedArray = (v) => typedArrayTag.call(v) !== undefined;
const isWeakMap = (v) => {
  try {
    WeakMap.prototype.has.call(v, {});
    return true;
  } catch (e) {
    return false;
  }
};
const isWeakSet = (v) => {
  try {
    WeakSet.prototype.has.call(v, {});
    return true;
  } catch (e) {
    return false;
  }
};
const isRegExp = (v) => objectToString.call(v) === "[object RegExp]" && brand(getRegExpSource, v);
function getRegExpSource() {
  // RegExp.prototype.source throws for non-RegExp receivers (except the
  // prototype itself, which is fine to treat as a RegExp).
  return Object.getOwnPropertyDescriptor(RegExp.prototype, "source").get.call(this);
}

function isError(v) {
  if (v instanceof Error) return true;
  try {
    return objectToString.call(v) === "[object Error]";
  } catch (e) {
    return false;
  }
}

// Boxed primitives: returns [label, primitive] or null.
function unbox(v) {
  const attempts = [
    ["Number", Number.prototype.valueOf],
    ["String", String.prototype.valueOf],
    ["Boolean", Boolean.prototype.valueOf],
    ["Symbol", Symbol.prototype.valueOf],
  ];
  if (typeof BigInt === "function") attempts.push(["BigInt", BigInt.prototype.valueOf]);
  for (const [label, valueOf] of attempts) {
    try {
      return [label, valueOf.call(v)];
    } catch (e) {
      // not this kind
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Primitives

function formatNumber(n) {
  return Object.is(n, -0) ? "-0" : String(n);
}

const META = [];
for (let i = 0; i < 0x20; i++) {
  META[i] = "\\x" + (i < 16 ? "0" : "") + i.toString(16).toUpperCase();
}
META[8] = "\\b";
META[9] = "\\t";
META[10] = "\\n";
META[12] = "\\f";
META[13] = "\\r";
META[0x7f] = "\\x7F";
META[0x27] = "\\'";
META[0x5c] = "\\\\";

// Quote a string the way util.inspect does: single quotes unless the string
// contains single quotes and no double quotes (then double quotes), or both
// (then backticks if possible); control characters escaped.
function quoteString(str) {
  let truncatedNote = "";
  if (str.length > MAX_STRING_LENGTH) {
    const remaining = str.length - MAX_STRING_LENGTH;
    str = str.slice(0, MAX_STRING_LENGTH);
    truncatedNote = "... " + remaining + " more character" + (remaining > 1 ? "s" : "");
  }
  let quote = "'";
  if (str.indexOf("'") !== -1) {
    if (str.indexOf('"') === -1) quote = '"';
    else if (str.indexOf("`") === -1 && str.indexOf("${") === -1) quote = "`";
  }
  let out = "";
  let last = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    let rep;
    if (c < 0x20 || c === 0x7f || c === 0x5c) rep = META[c];
    else if (c === 0x27 && quote === "'") rep = "\\'";
    if (rep !== undefined) {
      out += str.slice(last, i) + rep;
      last = i + 1;
    }
  }
  out += str.slice(last);
  return quote + out + quote + truncatedNote;
}

function formatPrimitive(v) {
  switch (typeof v) {
    case "string":
      return quoteString(v);
    case "number":
      return formatNumber(v);
    case "bigint":
      return String(v) + "n";
    case "symbol":
      return symbolToString(v);
    default:
      return String(v); // boolean, undefined, null
  }
}

function symbolToString(sym) {
  return Symbol.prototype.toString.call(sym);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatKey(key) {
  if (typeof key === "symbol") return "[" + symbolToString(key) + "]";
  return IDENTIFIER.test(key) ? key : quoteString(key);
}

// ---------------------------------------------------------------------------
// Objects

function getConstructorName(obj) {
  let proto;
  try {
    proto = Object.getPrototypeOf(obj);
    let steps = 0;
    while (proto !== null && steps++ < 100) {
      const desc = Object.getOwnPropertyDescriptor(proto, "constructor");
      if (
        desc !== undefined &&
        typeof desc.value === "function" &&
        typeof desc.value.name === "string" &&
        desc.value.name !== ""
      ) {
        return desc.value.name;
      }
      proto = Object.getPrototypeOf(proto);
    }
  } catch (e) {
    return "Object";
  }
  return proto === null && Object.getPrototypeOf(obj) === null ? null : "Object";
}

function getToStringTag(obj) {
  try {
    const tag = obj[Symbol.toStringTag];
    return typeof tag === "string" && tag !== "" ? tag : null;
  } catch (e) {
    return null;
  }
}

// Own enumerable keys (strings, then symbols), optionally skipping array
// indices.
function ownKeys(obj, skipIndices) {
  let keys = Object.keys(obj);
  if (skipIndices) keys = keys.filter((k) => !isArrayIndex(k));
  const symbols = Object.getOwnPropertySymbols(obj);
  for (const s of symbols) {
    if (propertyIsEnumerable.call(obj, s)) keys.push(s);
  }
  return keys;
}

function isArrayIndex(key) {
  return /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < 4294967295;
}

function formatProperty(ctx, obj, key, recurseTimes) {
  const desc = Object.getOwnPropertyDescriptor(obj, key);
  let value;
  if (desc === undefined) {
    value = "undefined";
  } else if (desc.get !== undefined || desc.set !== undefined) {
    value =
      desc.get !== undefined
        ? desc.set !== undefined
          ? "[Getter/Setter]"
          : "[Getter]"
        : "[Setter]";
  } else {
    value = formatValue(ctx, desc.value, recurseTimes + 1, false);
  }
  return formatKey(key) + ": " + value;
}

function braces(entries, open, close) {
  if (entries.length === 0) return open + close;
  return open + " " + entries.join(", ") + " " + close;
}

function moreItems(n) {
  return "... " + n + " more item" + (n > 1 ? "s" : "");
}

function functionBase(fn) {
  let kind = "Function";
  let source = "";
  try {
    source = functionToString.call(fn);
  } catch (e) {
    // ignore
  }
  let name = "";
  try {
    const n = fn.name;
    if (typeof n === "string") name = n;
  } catch (e) {
    // ignore
  }
  if (source.slice(0, 5) === "class" && /^class\b/.test(source)) {
    let base = "[class " + (name || "(anonymous)");
    const m = /^class\b[^{]*\bextends\s+([A-Za-z_$][\w$.]*)/.exec(source);
    if (m) base += " extends " + m[1];
    return base + "]";
  }
  const tag = objectToString.call(fn).slice(8, -1);
  if (tag === "AsyncFunction" || tag === "GeneratorFunction" || tag === "AsyncGeneratorFunction") {
    kind = tag;
  }
  return name ? "[" + kind + ": " + name + "]" : "[" + kind + " (anonymous)]";
}

function errorHeader(err) {
  let name = "";
  let message = "";
  try {
    const n = err.name;
    name = n === undefined ? "" : String(n);
  } catch (e) {
    // ignore
  }
  try {
    const m = err.message;
    message = m === undefined ? "" : String(m);
  } catch (e) {
    // ignore
  }
  if (name && message) return name + ": " + message;
  return name || message || "Error";
}

function errorStack(err) {
  try {
    const stack = err.stack;
    if (typeof stack === "string" && stack !== "") return stack;
  } catch (e) {
    // ignore
  }
  return null;
}

function formatError(ctx, err, recurseTimes) {
  let base;
  if (recurseTimes === 0) {
    if (ctx.formatError) {
      try {
        const custom = ctx.formatError(err);
        if (typeof custom === "string") base = custom;
      } catch (e) {
        // fall back to the default rendering
      }
    }
    if (base === undefined) base = errorStack(err) || errorHeader(err);
  } else {
    base = "[" + errorHeader(err) + "]";
  }
  const keys = ownKeys(err, false).filter((k) => k !== "stack" && k !== "message");
  const entries = [];
  for (const k of keys) entries.push(formatProperty(ctx, err, k, recurseTimes));
  if (hasOwn.call(err, "cause") && !propertyIsEnumerable.call(err, "cause")) {
    let cause;
    try {
      cause = Object.getOwnPropertyDescriptor(err, "cause").value;
    } catch (e) {
      cause = undefined;
    }
    entries.push("[cause]: " + formatValue(ctx, cause, recurseTimes + 1, false));
  }
  return entries.length === 0 ? base : base + " " + braces(entries, "{", "}");
}

function formatArrayLike(length, getItem) {
  const out = [];
  const shown = Math.min(length, MAX_ARRAY_ITEMS);
  for (let i = 0; i < shown; i++) out.push(getItem(i));
  if (length > shown) out.push(moreItems(length - shown));
  return out;
}

function formatArrayItems(ctx, arr, recurseTimes) {
  const length = arr.length;
  const out = [];
  let sortedIndices = null; // computed lazily for sparse arrays
  let i = 0;
  let items = 0;
  while (i < length && items < MAX_ARRAY_ITEMS) {
    if (hasOwn.call(arr, i)) {
      const desc = Object.getOwnPropertyDescriptor(arr, i);
      if (desc.get !== undefined || desc.set !== undefined) {
        out.push(
          desc.get !== undefined
            ? desc.set !== undefined
              ? "[Getter/Setter]"
              : "[Getter]"
            : "[Setter]",
        );
      } else {
        out.push(formatValue(ctx, desc.value, recurseTimes + 1, false));
      }
      i++;
    } else {
      // A run of holes: find the next own index without walking every slot.
      if (sortedIndices === null) {
        sortedIndices = Object.keys(arr)
          .filter(isArrayIndex)
          .map(Number)
          .sort((a, b) => a - b);
      }
      let next = length;
      for (const idx of sortedIndices) {
        if (idx > i) {
          next = idx;
          break;
        }
      }
      const holes = next - i;
      out.push("<" + holes + " empty item" + (holes > 1 ? "s" : "") + ">");
      i = next;
    }
    items++;
  }
  if (i < length) {
    // Count what was left out, in "items" (holes count individually).
    out.push(moreItems(length - i));
  }
  return out;
}

function hex2(b) {
  return (b < 16 ? "0" : "") + b.toString(16);
}

function formatArrayBuffer(buf) {
  const byteLength = arrayBufferByteLength.call(buf);
  const bytes = new Uint8Array(buf, 0, Math.min(byteLength, MAX_BUFFER_BYTES));
  const parts = [];
  for (let i = 0; i < bytes.length; i++) parts.push(hex2(bytes[i]));
  let contents = "<" + parts.join(" ");
  if (byteLength > MAX_BUFFER_BYTES) {
    const rest = byteLength - MAX_BUFFER_BYTES;
    contents += " ... " + rest + " more byte" + (rest > 1 ? "s" : "");
  }
  contents += ">";
  return "ArrayBuffer { [Uint8Contents]: " + contents + ", byteLength: " + byteLength + " }";
}

function formatObject(ctx, value, recurseTimes) {
  // Functions
  if (typeof value === "function") {
    const base = functionBase(value);
    const keys = ownKeys(value, false);
    if (keys.length === 0) return base;
    if (recurseTimes > MAX_DEPTH) return base;
    return base + " " + braces(keys.map((k) => formatProperty(ctx, value, k, recurseTimes)), "{", "}");
  }

  if (isError(value)) return formatError(ctx, value, recurseTimes);

  if (isDate(value)) {
    const t = Date.prototype.getTime.call(value);
    return Number.isNaN(t) ? "Invalid Date" : Date.prototype.toISOString.call(value);
  }
  if (isRegExp(value)) return RegExp.prototype.toString.call(value);

  const boxed = unbox(value);
  if (boxed !== null) {
    return "[" + boxed[0] + ": " + formatPrimitive(boxed[1]) + "]";
  }

  if (isArrayBuffer(value)) {
    if (recurseTimes > MAX_DEPTH) return "[ArrayBuffer]";
    return formatArrayBuffer(value);
  }

  if (ArrayBuffer.isView(value)) {
    if (isTypedArray(value)) {
      const tag = typedArrayTag.call(value);
      const length = typedArrayLength.call(value);
      if (recurseTimes > MAX_DEPTH) return "[" + tag + "]";
      const items = formatArrayLike(length, (i) =>
        formatPrimitive(value[i]),
      );
      return tag + "(" + length + ") " + braces(items, "[", "]");
    }
    // DataView
    if (recurseTimes > MAX_DEPTH) return "[DataView]";
    return (
      "DataView { byteLength: " +
      formatNumber(value.byteLength) +
      ", byteOffset: " +
      formatNumber(value.byteOffset) +
      ", buffer: " +
      formatValue(ctx, value.buffer, recurseTimes + 1, false) +
      " }"
    );
  }

  const constructorName = getConstructorName(value);
  const tag = getToStringTag(value);

  if (Array.isArray(value)) {
    const extraKeys = ownKeys(value, true);
    let prefix = "";
    if (constructorName === null) prefix = "[Array(" + value.length + "): null prototype] ";
    else if (constructorName !== "Array") prefix = constructorName + "(" + value.length + ") ";
    if (value.length === 0 && extraKeys.length === 0) return prefix + "[]";
    if (recurseTimes > MAX_DEPTH) return "[" + (constructorName || "Array") + "]";
    const items = formatArrayItems(ctx, value, recurseTimes);
    for (const k of extraKeys) items.push(formatProperty(ctx, value, k, recurseTimes));
    return prefix + braces(items, "[", "]");
  }

  if (isMap(value)) {
    const size = mapSizeGetter.call(value);
    const prefix = (constructorName || "Map") + "(" + size + ") ";
    if (size === 0) return prefix + "{}";
    if (recurseTimes > MAX_DEPTH) return "[" + (constructorName || "Map") + "]";
    const items = [];
    let n = 0;
    for (const [k, v] of Map.prototype.entries.call(value)) {
      if (n++ >= MAX_ARRAY_ITEMS) break;
      items.push(
        formatValue(ctx, k, recurseTimes + 1, false) + " => " + formatValue(ctx, v, recurseTimes + 1, false),
      );
    }
    if (size > MAX_ARRAY_ITEMS) items.push(moreItems(size - MAX_ARRAY_ITEMS));
    return prefix + braces(items, "{", "}");
  }

  if (isSet(value)) {
    const size = setSizeGetter.call(value);
    const prefix = (constructorName || "Set") + "(" + size + ") ";
    if (size === 0) return prefix + "{}";
    if (recurseTimes > MAX_DEPTH) return "[" + (constructorName || "Set") + "]";
    const items = [];
    let n = 0;
    for (const v of Set.prototype.values.call(value)) {
      if (n++ >= MAX_ARRAY_ITEMS) break;
      items.push(formatValue(ctx, v, recurseTimes + 1, false));
    }
    if (size > MAX_ARRAY_ITEMS) items.push(moreItems(size - MAX_ARRAY_ITEMS));
    return prefix + braces(items, "{", "}");
  }

  if (isWeakMap(value)) return (constructorName || "WeakMap") + " { <items unknown> }";
  if (isWeakSet(value)) return (constructorName || "WeakSet") + " { <items unknown> }";

  // Plain objects and class instances.
  let prefix;
  if (constructorName === null) {
    prefix = "[" + (tag || "Object") + ": null prototype] ";
  } else if (constructorName === "Object") {
    prefix = tag ? "Object [" + tag + "] " : "";
  } else {
    prefix = constructorName + (tag && tag !== constructorName ? " [" + tag + "]" : "") + " ";
  }
  const keys = ownKeys(value, false);
  if (keys.length === 0) return prefix + "{}";
  if (recurseTimes > MAX_DEPTH) {
    if (constructorName === null) return "[Object: null prototype]";
    return "[" + constructorName + "]";
  }
  return prefix + braces(keys.map((k) => formatProperty(ctx, value, k, recurseTimes)), "{", "}");
}

function formatValue(ctx, value, recurseTimes, topLevel) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    if (topLevel && typeof value === "string") return value;
    return formatPrimitive(value);
  }
  if (ctx.seen.indexOf(value) !== -1) return "[Circular]";
  ctx.seen.push(value);
  try {
    return formatObject(ctx, value, recurseTimes);
  } catch (e) {
    // Proxies with throwing traps and the like: never let logging throw.
    return "[object (uninspectable)]";
  } finally {
    ctx.seen.pop();
  }
}

function makeContext(options) {
  return {
    seen: [],
    formatError: options && typeof options.formatError === "function" ? options.formatError : null,
  };
}

/**
 * util.inspect-like rendering of one value (strings are quoted).
 * options.formatError(err) may return a string to use for a top-level Error
 * (e.g. a source-mapped stack); otherwise its `stack` or "name: message".
 */
export function inspect(value, options) {
  return formatValue(makeContext(options), value, 0, false);
}

function hasBuiltInToString(obj) {
  try {
    const ts = obj.toString;
    if (typeof ts !== "function") return true;
    return /\{\s*\[native code\]\s*\}\s*$/.test(functionToString.call(ts));
  } catch (e) {
    return true;
  }
}

function safeNumber(fn) {
  try {
    return formatNumber(fn());
  } catch (e) {
    return "NaN";
  }
}

function formatJson(value) {
  try {
    return String(JSON.stringify(value));
  } catch (e) {
    const msg = e && typeof e.message === "string" ? e.message : "";
    if (/circular/i.test(msg)) return "[Circular]";
    return inspect(value);
  }
}

function substitute(ctx, spec, arg) {
  switch (spec) {
    case "s":
      if (typeof arg === "number") return formatNumber(arg);
      if (typeof arg === "bigint") return String(arg) + "n";
      if (typeof arg === "symbol") return symbolToString(arg);
      if (typeof arg !== "object" || arg === null || !hasBuiltInToString(arg)) {
        try {
          return String(arg);
        } catch (e) {
          return formatValue(ctx, arg, 0, false);
        }
      }
      return formatValue(ctx, arg, MAX_DEPTH, false); // shallow, like Node's depth: 0
    case "d":
      if (typeof arg === "bigint") return String(arg) + "n";
      if (typeof arg === "symbol") return "NaN";
      return safeNumber(() => Number(arg));
    case "i":
      if (typeof arg === "bigint") return String(arg) + "n";
      if (typeof arg === "symbol") return "NaN";
      return safeNumber(() => parseInt(arg));
    case "f":
      if (typeof arg === "symbol") return "NaN";
      return safeNumber(() => parseFloat(arg));
    case "j":
      return formatJson(arg);
    case "o":
    case "O":
      return formatValue(ctx, arg, 0, false);
    case "c":
      return ""; // CSS, consumed and ignored
    default:
      return null;
  }
}

/**
 * Render the arguments of a console.log(...) call as one string, like Node's
 * util.format: top-level strings as-is, everything else inspected, joined by
 * single spaces. When the first argument is a string and there are more
 * arguments, %s %d %i %f %j %o %O %c are substituted and %% becomes %
 * (with a single argument the string is printed verbatim, as Node and the
 * WHATWG console spec do). Placeholders without a matching argument are left
 * as they are.
 */
export function formatLogArgs(args, options) {
  if (args === null || args === undefined) return "";
  const list = Array.prototype.slice.call(args);
  if (list.length === 0) return "";
  const ctx = makeContext(options);
  const first = list[0];
  const parts = [];
  let next = 0; // index of the first argument not consumed yet

  if (typeof first === "string" && list.length > 1) {
    let out = "";
    let lastPos = 0;
    let argIndex = 1;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) !== 37 /* % */) continue;
      const spec = first[i + 1];
      if (spec === "%") {
        out += first.slice(lastPos, i + 1);
        lastPos = i + 2;
        i++;
        continue;
      }
      if (argIndex >= list.length) continue;
      const rep = substitute(ctx, spec, list[argIndex]);
      if (rep === null) continue; // unknown placeholder: leave as is
      out += first.slice(lastPos, i) + rep;
      lastPos = i + 2;
      argIndex++;
      i++;
    }
    if (lastPos !== 0) {
      parts.push(out + first.slice(lastPos));
      next = argIndex;
    }
  }

  for (let i = next; i < list.length; i++) {
    parts.push(formatValue(ctx, list[i], 0, true));
  }
  return parts.join(" ");
}

// ---------------------------------------------------------------------------
// Log line accounting

const TRUNCATED_SUFFIX = " (truncated due to length)";

/**
 * Per-call log limits. `add(level, text)` returns the text to emit or null:
 * the first `maxLines` lines pass (cut to `maxLineLength` UTF-16 code units,
 * never splitting a surrogate pair, plus " (truncated due to length)"), the
 * next one is replaced by a single "Log overflow (maximum N). Remaining log
 * lines omitted." and everything after that is dropped until `reset()`.
 * `addEntry` is the same but returns {level, text, truncated}; the overflow
 * entry has level "ERROR" as in Convex.
 */
export class LogBuffer {
  constructor(options) {
    const opts = options || {};
    this.maxLines = opts.maxLines === undefined ? 256 : opts.maxLines;
    this.maxLineLength = opts.maxLineLength === undefined ? 32768 : opts.maxLineLength;
    this.reset();
  }

  reset() {
    this.lines = 0; // lines emitted in this call (excluding the overflow notice)
    this.overflowed = false;
    this.omitted = 0; // lines dropped in this call
  }

  get overflowMessage() {
    return "Log overflow (maximum " + this.maxLines + "). Remaining log lines omitted.";
  }

  addEntry(level, text) {
    if (this.lines < this.maxLines) {
      this.lines++;
      let s = typeof text === "string" ? text : String(text);
      let truncated = false;
      if (s.length > this.maxLineLength) {
        let cut = this.maxLineLength;
        const hi = s.charCodeAt(cut - 1);
        const lo = s.charCodeAt(cut);
        if (cut > 0 && hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) cut--;
        s = s.slice(0, cut) + TRUNCATED_SUFFIX;
        truncated = true;
      }
      return { level, text: s, truncated };
    }
    this.omitted++;
    if (!this.overflowed) {
      this.overflowed = true;
      return { level: "ERROR", text: this.overflowMessage, truncated: false };
    }
    return null;
  }

  add(level, text) {
    const entry = this.addEntry(level, text);
    return entry === null ? null : entry.text;
  }
}
