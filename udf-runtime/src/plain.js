// A plain result written as host values, for the host to store as jsonb.
//
// udf_invoke stores a function's result as jsonb. The package's road there
// is convexToJson (a copy of the value, keys sorted), JSON.stringify, and
// PostgreSQL's JSON parser: three walks and two copies, for a value that is
// most of the time its own Convex JSON already -- plain objects, arrays,
// strings, finite numbers, booleans and null. This walks such a value once,
// in compiled JavaScript, into the shim's binary host values
// (extension/v8shim/udf_v8.h), which the host turns into jsonb
// (extension/hostjsonb.c) without any text.
//
// Only what convexToJson would copy unchanged is written. The walk gives up
// (null, nothing kept) on everything else -- bigint, ArrayBuffer, NaN, the
// infinities and -0 (Convex encodes those), Map, Set, class instances,
// functions, undefined in an array (a hole too), a field name Convex refuses,
// NUL characters and lone surrogates (jsonb refuses both), nesting past 64,
// or more bytes than the budget -- and the caller takes the package's road,
// which encodes the value or throws the package's own error. So the stored
// jsonb and every error are what they were. Fields whose value is undefined
// are left out, as convexToJson leaves them; fields are read with their
// getters, as Object.entries reads them.
//
// The budget: JSON text is never more than six times these bytes (a control
// character escaped as \u0000 is the worst case), and the host gives a sixth
// of udf.max_result_size, so a value written here can never be a result the
// limit would refuse; a larger one takes the JSON road, where the limit
// counts the text as before.
//
// One writer serves a context (setup.js: db.insert's documents and the
// call's result); whoever gets its bytes hands them to the host before the
// next write. Its buffer grows as a value needs, and a buffer grown past
// KEEP_BYTES is dropped at the next write, so a context keeps no more than
// that between calls.

const TAG_NULL = 0x7a; // 'z'
const TAG_TRUE = 0x54; // 'T'
const TAG_FALSE = 0x46; // 'F'
const TAG_NUMBER = 0x6e; // 'n'
const TAG_STRING = 0x73; // 's'
const TAG_ARRAY = 0x61; // 'a'
const TAG_OBJECT = 0x6f; // 'o'

const MAX_DEPTH = 64;
const KEEP_BYTES = 1 << 20;
const FIRST_BYTES = 4096;
const MAX_FIELD_NAME_LENGTH = 1024; // convexToJson's MAX_IDENTIFIER_LEN

export function makePlainWriter() {
  // captured before deployed code runs: what it does to the globals changes nothing here
  const objectPrototype = Object.prototype;
  const getPrototypeOf = Object.getPrototypeOf;
  const keysOf = Object.keys;
  const isArray = Array.isArray;
  const isFinite = Number.isFinite;
  // lengths and numbers are native-endian, as the host reads them
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  let bytes = new Uint8Array(FIRST_BYTES);
  let view = new DataView(bytes.buffer);
  let at = 0;
  let budget = 0;

  // Room for n more bytes, or false past the budget.
  function room(n) {
    const need = at + n;
    if (need > budget) return false;
    if (need > bytes.length) {
      let size = bytes.length * 2;
      while (size < need) size *= 2;
      const next = new Uint8Array(size);
      next.set(bytes.subarray(0, at));
      bytes = next;
      view = new DataView(next.buffer);
    }
    return true;
  }

  // A string as its tag, length and UTF-8; false for NUL or a lone surrogate.
  function string(s) {
    const n = s.length;
    if (!room(5 + n)) return false;
    bytes[at] = TAG_STRING;
    const lengthAt = at + 1;
    let p = at + 5;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c === 0) return false;
        bytes[p++] = c;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c > 0xdbff || d < 0xdc00 || d > 0xdfff) return false;
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
      // this character's bytes, and one for each left (room was made for one each)
      at = p;
      if (!room((c < 0x800 ? 2 : c < 0x10000 ? 3 : 4) + (n - i - 1))) return false;
      if (c < 0x800) {
        bytes[p++] = 0xc0 | (c >> 6);
      } else if (c < 0x10000) {
        bytes[p++] = 0xe0 | (c >> 12);
        bytes[p++] = 0x80 | ((c >> 6) & 0x3f);
      } else {
        bytes[p++] = 0xf0 | (c >> 18);
        bytes[p++] = 0x80 | ((c >> 12) & 0x3f);
        bytes[p++] = 0x80 | ((c >> 6) & 0x3f);
      }
      bytes[p++] = 0x80 | (c & 0x3f);
    }
    view.setUint32(lengthAt, p - lengthAt - 4, littleEndian);
    at = p;
    return true;
  }

  // A field name as its length and bytes; false if Convex refuses it (validateObjectField).
  function fieldName(k) {
    const n = k.length;
    if (n > MAX_FIELD_NAME_LENGTH || !room(4 + n)) return false;
    view.setUint32(at, n, littleEndian);
    let p = at + 4;
    for (let i = 0; i < n; i++) {
      const c = k.charCodeAt(i);
      if (c < 32 || c >= 127 || (i === 0 && c === 0x24)) return false;
      bytes[p++] = c;
    }
    at = p;
    return true;
  }

  // One value; false if it is not plain.
  function value(v, depth) {
    switch (typeof v) {
      case "string":
        return string(v);
      case "number":
        // NaN, the infinities and -0 are Convex's {$float}
        if (!isFinite(v) || (v === 0 && 1 / v < 0) || !room(9)) return false;
        bytes[at] = TAG_NUMBER;
        view.setFloat64(at + 1, v, littleEndian);
        at += 9;
        return true;
      case "boolean":
        if (!room(1)) return false;
        bytes[at++] = v ? TAG_TRUE : TAG_FALSE;
        return true;
      case "object":
        break;
      default:
        return false;
    }
    if (v === null) {
      if (!room(1)) return false;
      bytes[at++] = TAG_NULL;
      return true;
    }
    if (depth >= MAX_DEPTH || !room(5)) return false;
    if (isArray(v)) {
      const n = v.length;
      bytes[at] = TAG_ARRAY;
      view.setUint32(at + 1, n, littleEndian);
      at += 5;
      for (let i = 0; i < n; i++) {
        const e = v[i];
        if (e === undefined || !value(e, depth + 1)) return false;
      }
      return true;
    }
    const proto = getPrototypeOf(v);
    if (proto !== objectPrototype && proto !== null) return false;
    const keys = keysOf(v);
    bytes[at] = TAG_OBJECT;
    const countAt = at + 1;
    at += 5;
    let count = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const field = v[k];
      if (field === undefined) continue;
      if (!fieldName(k) || !value(field, depth + 1)) return false;
      count++;
    }
    view.setUint32(countAt, count, littleEndian);
    return true;
  }

  // v's host values (a view of a buffer reused by the next call), or null if v is not plain
  // or would take more than maxBytes.
  return function writePlain(v, maxBytes) {
    if (bytes.length > KEEP_BYTES) {
      bytes = new Uint8Array(FIRST_BYTES);
      view = new DataView(bytes.buffer);
    }
    at = 0;
    budget = maxBytes;
    return value(v, 0) ? bytes.subarray(0, at) : null;
  };
}
