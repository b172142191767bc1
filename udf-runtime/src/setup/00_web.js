// Web globals that a bare V8 context lacks and Convex code expects.
// UTF-8 is implemented here rather than borrowed from the host: the isolate
// must not depend on anything but V8.

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function utf8Encode(str) {
  const out = [];
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return new Uint8Array(out);
}

function utf8Decode(bytes, fatal) {
  let s = "";
  const chunk = [];
  const flush = () => {
    s += String.fromCharCode.apply(null, chunk);
    chunk.length = 0;
  };
  const bad = () => {
    if (fatal) throw new TypeError("The encoded data was not valid utf-8");
    chunk.push(0xfffd);
  };
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let need = 0;
    let c = 0;
    // allowed range of the second byte (WHATWG): excludes overlong forms,
    // surrogates and code points above U+10FFFF, so that each maximal
    // subpart of an ill-formed sequence becomes one U+FFFD
    let lo = 0x80, hi = 0xbf;
    if (b < 0x80) { chunk.push(b); i++; if (chunk.length > 4096) flush(); continue; }
    else if (b >= 0xc2 && b < 0xe0) { need = 1; c = b & 31; }
    else if (b >= 0xe0 && b < 0xf0) { need = 2; c = b & 15; if (b === 0xe0) lo = 0xa0; if (b === 0xed) hi = 0x9f; }
    else if (b >= 0xf0 && b < 0xf5) { need = 3; c = b & 7; if (b === 0xf0) lo = 0x90; if (b === 0xf4) hi = 0x8f; }
    else { bad(); i++; continue; }
    let j = 1;
    for (; j <= need; j++) {
      const n = bytes[i + j];
      if (n === undefined || n < (j === 1 ? lo : 0x80) || n > (j === 1 ? hi : 0xbf)) break;
      c = (c << 6) | (n & 63);
    }
    if (j <= need) { bad(); i += j; continue; }
    i += need + 1;
    if (c >= 0x10000) { c -= 0x10000; chunk.push(0xd800 + (c >> 10), 0xdc00 + (c & 1023)); }
    else chunk.push(c);
    if (chunk.length > 4096) flush();
  }
  flush();
  return s;
}

class TextEncoder {
  get encoding() { return "utf-8"; }
  encode(input = "") { return utf8Encode(String(input)); }
  // writes only whole characters; `read` counts UTF-16 code units consumed
  encodeInto(input, dest) {
    const s = String(input);
    let read = 0, written = 0;
    while (read < s.length) {
      const c = s.codePointAt(read);
      const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      if (written + n > dest.length) break;
      written += n;
      read += c > 0xffff ? 2 : 1;
    }
    dest.set(utf8Encode(s.slice(0, read)));
    return { read, written };
  }
}

class TextDecoder {
  #fatal;
  #ignoreBOM;
  constructor(label = "utf-8", options = {}) {
    const l = String(label).trim().toLowerCase();
    if (l !== "utf-8" && l !== "utf8" && l !== "unicode-1-1-utf-8") {
      throw new RangeError(`The encoding "${label}" is not supported`);
    }
    this.#fatal = Boolean(options.fatal);
    this.#ignoreBOM = Boolean(options.ignoreBOM);
  }
  get encoding() { return "utf-8"; }
  get fatal() { return this.#fatal; }
  get ignoreBOM() { return this.#ignoreBOM; }
  decode(input) {
    if (input === undefined) return "";
    let bytes;
    if (input instanceof ArrayBuffer) bytes = new Uint8Array(input);
    else if (ArrayBuffer.isView(input)) bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    else throw new TypeError("TextDecoder.decode takes an ArrayBuffer or a view of one");
    if (!this.#ignoreBOM && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    return utf8Decode(bytes, this.#fatal);
  }
}

function btoa(data) {
  const s = String(data);
  let out = "";
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
    if (a > 255 || b > 255 || c > 255) {
      throw new DOMExceptionLike("The string to be encoded contains characters outside of the Latin1 range.", "InvalidCharacterError");
    }
    const n = (a << 16) | ((b || 0) << 8) | (c || 0);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < s.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < s.length ? B64[n & 63] : "=");
  }
  return out;
}

function atob(data) {
  let s = String(data).replace(/[\t\n\f\r ]/g, "");
  if (s.length % 4 === 0) s = s.replace(/==?$/, "");
  if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) {
    throw new DOMExceptionLike("The string to be decoded is not correctly encoded.", "InvalidCharacterError");
  }
  let out = "";
  let bits = 0, acc = 0;
  for (const ch of s) {
    acc = (acc << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) { bits -= 8; out += String.fromCharCode((acc >> bits) & 255); }
  }
  return out;
}

class DOMExceptionLike extends Error {
  constructor(message = "", name = "Error") {
    super(message);
    this.name = name;
  }
}

// structuredClone for the values a function can hold: plain data, Date,
// RegExp, Map, Set, ArrayBuffer and views, with cycles. Functions and
// symbols are refused as the web platform refuses them.
function structuredClone(value) {
  const seen = new Map();
  const clone = (v) => {
    if (typeof v === "function" || typeof v === "symbol") {
      throw new DOMExceptionLike(`${String(v)} could not be cloned.`, "DataCloneError");
    }
    if (v === null || typeof v !== "object") return v;
    if (seen.has(v)) return seen.get(v);
    let out;
    if (Array.isArray(v)) { out = new Array(v.length); seen.set(v, out); v.forEach((x, i) => { out[i] = clone(x); }); return out; }
    if (v instanceof Date) out = new Date(v.getTime());
    else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
    else if (v instanceof ArrayBuffer) out = v.slice(0);
    else if (ArrayBuffer.isView(v)) out = new v.constructor(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    else if (v instanceof Map) { out = new Map(); seen.set(v, out); for (const [k, x] of v) out.set(clone(k), clone(x)); return out; }
    else if (v instanceof Set) { out = new Set(); seen.set(v, out); for (const x of v) out.add(clone(x)); return out; }
    else if (v instanceof Error) { out = new v.constructor(v.message); }
    else { out = {}; seen.set(v, out); for (const k of Object.keys(v)) out[k] = clone(v[k]); return out; }
    seen.set(v, out);
    return out;
  };
  return clone(value);
}

export function setupWeb(global) {
  const define = (name, value) =>
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  define("TextEncoder", TextEncoder);
  define("TextDecoder", TextDecoder);
  define("atob", atob);
  define("btoa", btoa);
  define("structuredClone", structuredClone);
  define("queueMicrotask", (fn) => { Promise.resolve().then(fn); });
  define("self", global);
  if (typeof global.DOMException === "undefined") define("DOMException", DOMExceptionLike);
}
