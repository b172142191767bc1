// Bodies of requests and responses, and Blob/File, as the Fetch and File
// API standards define them, over bytes held in memory (a Uint8Array): the
// host hands a whole response body over at once (extension/fetch.c), so a
// body is read whole too. What a body may be made from (BodyInit): a
// string (UTF-8, text/plain), an ArrayBuffer or a view of one, a Blob, a
// URLSearchParams-like object (form-urlencoded), or null.

// made on first use: this module is imported before setupWeb defines them
let utf8 = null;
const codec = () => utf8 ?? (utf8 = { encoder: new globalThis.TextEncoder(), decoder: new globalThis.TextDecoder() });
const encoder = { encode: (s) => codec().encoder.encode(s) };
const decoder = { decode: (b) => codec().decoder.decode(b) };

// Bytes of a BlobPart list (strings as UTF-8).
function partsToBytes(parts) {
  const chunks = [];
  let total = 0;
  for (const part of parts) {
    let bytes;
    if (typeof part === "string") bytes = encoder.encode(part);
    else if (part instanceof Blob) bytes = part._bytes();
    else if (part instanceof ArrayBuffer) bytes = new Uint8Array(part);
    else if (ArrayBuffer.isView(part)) bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
    else bytes = encoder.encode(String(part));
    chunks.push(bytes);
    total += bytes.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export class Blob {
  #bytes;
  #type;
  constructor(parts = [], options = {}) {
    if (typeof parts !== "object" || parts === null || typeof parts[Symbol.iterator] !== "function") {
      throw new TypeError("Blob: the parts must be a sequence");
    }
    this.#bytes = partsToBytes(parts);
    const type = options.type === undefined ? "" : String(options.type);
    this.#type = /^[\x20-\x7e]*$/.test(type) ? type.toLowerCase() : "";
  }
  get size() {
    return this.#bytes.length;
  }
  get type() {
    return this.#type;
  }
  // the bytes themselves, for this runtime's own use (no copy)
  _bytes() {
    return this.#bytes;
  }
  slice(start = 0, end = this.#bytes.length, type = "") {
    const n = this.#bytes.length;
    const clamp = (i) => (i < 0 ? Math.max(n + i, 0) : Math.min(i, n));
    return new Blob([this.#bytes.slice(clamp(start), clamp(end))], { type });
  }
  async arrayBuffer() {
    return this.#bytes.slice().buffer;
  }
  async bytes() {
    return this.#bytes.slice();
  }
  async text() {
    return decoder.decode(this.#bytes);
  }
  get [Symbol.toStringTag]() {
    return "Blob";
  }
}

export class File extends Blob {
  #name;
  #lastModified;
  constructor(parts, name, options = {}) {
    if (arguments.length < 2) throw new TypeError("File: a name is required");
    super(parts, options);
    this.#name = String(name);
    this.#lastModified = options.lastModified === undefined ? Date.now() : Number(options.lastModified);
  }
  get name() {
    return this.#name;
  }
  get lastModified() {
    return this.#lastModified;
  }
  get [Symbol.toStringTag]() {
    return "File";
  }
}

// A BodyInit's bytes and the Content-Type it implies: {bytes, type} or null for no body.
export function extractBody(init) {
  if (init === null || init === undefined) return null;
  if (typeof init === "string") return { bytes: encoder.encode(init), type: "text/plain;charset=UTF-8" };
  if (init instanceof Blob) return { bytes: init._bytes(), type: init.type || null };
  if (init instanceof ArrayBuffer) return { bytes: new Uint8Array(init.slice(0)), type: null };
  if (ArrayBuffer.isView(init)) {
    return { bytes: new Uint8Array(init.buffer.slice(init.byteOffset, init.byteOffset + init.byteLength)), type: null };
  }
  if (typeof globalThis.URLSearchParams === "function" && init instanceof globalThis.URLSearchParams) {
    return { bytes: encoder.encode(init.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  return { bytes: encoder.encode(String(init)), type: "text/plain;charset=UTF-8" };
}

// The body-reading half of Request and Response (the Fetch standard's Body mixin).
export class Body {
  #bytes;
  #used = false;
  _initBody(bytes) {
    this.#bytes = bytes; // Uint8Array or null
  }
  get bodyUsed() {
    return this.#used;
  }
  // the bytes, once; a second read is a TypeError, as in fetch
  #consume() {
    if (this.#used) return Promise.reject(new TypeError("Body is unusable: the body has already been read"));
    this.#used = true;
    return Promise.resolve(this.#bytes ?? new Uint8Array(0));
  }
  _peekBytes() {
    return this.#bytes;
  }
  async arrayBuffer() {
    const b = await this.#consume();
    return b.buffer.byteLength === b.byteLength ? b.buffer : b.slice().buffer;
  }
  async bytes() {
    return new Uint8Array(await this.arrayBuffer());
  }
  async text() {
    return decoder.decode(await this.#consume());
  }
  async json() {
    return JSON.parse(await this.text());
  }
  async blob() {
    const b = await this.#consume();
    return new Blob([b], { type: this.headers.get("content-type") ?? "" });
  }
  async formData() {
    throw new TypeError("udf does not parse form data bodies yet (Body.formData)");
  }
}

// Bytes as base64, for the host (a latin1 string in slices, then btoa).
export function bytesToBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return globalThis.btoa(s);
}
