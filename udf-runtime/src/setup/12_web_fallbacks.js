// Blob, for ctx.storage (store takes one, get answers one), defined only
// when no fuller implementation (the fetch setup's Blob) is installed
// already: this file runs last, and never replaces a global. A Blob here
// is immutable bytes and a type; slice, arrayBuffer, bytes and text are
// the parts of the File API that storage and HTTP bodies use.

// The bytes of one blob part: a string (UTF-8), a buffer or view, or a Blob.
function partBytes(part) {
  if (typeof part === "string") return new TextEncoder().encode(part);
  if (part instanceof ArrayBuffer) return new Uint8Array(part.slice(0));
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength));
  if (part instanceof MinimalBlob) return part._bytes;
  return new TextEncoder().encode(String(part));
}

// A lower-case type of printable ASCII, or "" (the File API's rule).
function normalizeType(type) {
  const t = type === undefined ? "" : String(type);
  return /^[\x20-\x7e]*$/.test(t) ? t.toLowerCase() : "";
}

class MinimalBlob {
  constructor(parts = [], options = {}) {
    if (parts === null || typeof parts !== "object" || typeof parts[Symbol.iterator] !== "function") {
      throw new TypeError("Failed to construct 'Blob': The provided value cannot be converted to a sequence.");
    }
    const chunks = Array.from(parts, partBytes);
    const size = chunks.reduce((n, c) => n + c.byteLength, 0);
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    Object.defineProperty(this, "_bytes", { value: bytes, enumerable: false });
    Object.defineProperty(this, "_type", { value: normalizeType(options?.type), enumerable: false });
  }
  get size() { return this._bytes.byteLength; }
  get type() { return this._type; }
  // a new Blob of bytes [start, end), negative positions counting from the end
  slice(start = 0, end = this.size, type = "") {
    const clamp = (n) => (n < 0 ? Math.max(this.size + n, 0) : Math.min(n, this.size));
    const from = clamp(Math.trunc(start) || 0);
    const to = clamp(Math.trunc(end) || 0);
    return new MinimalBlob([this._bytes.subarray(from, Math.max(from, to))], { type });
  }
  async arrayBuffer() { return this._bytes.slice(0).buffer; }
  async bytes() { return this._bytes.slice(0); }
  async text() { return new TextDecoder().decode(this._bytes); }
  get [Symbol.toStringTag]() { return "Blob"; }
}

export function setupWebFallbacks(global) {
  const define = (name, value) =>
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  if (typeof global.Blob === "undefined") define("Blob", MinimalBlob);
}
