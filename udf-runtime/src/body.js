// Bodies of requests and responses, Blob/File and FormData, as the Fetch,
// File API and XHR standards define them. A body is bytes held in memory (a
// Uint8Array) -- the host hands a whole fetch response over at once
// (extension/fetch.c), and `body` offers those bytes as a ReadableStream of
// one chunk -- or a ReadableStream the code made, kept as it is: reading it
// (text(), arrayBuffer(), ...) reads every chunk, and an HTTP action's
// answer sends its chunks as they come (http.js). What a body may be made
// from (BodyInit): a string (UTF-8, text/plain), an ArrayBuffer or a view of
// one, a Blob, URLSearchParams (form-urlencoded), FormData (multipart, with
// a random boundary), a ReadableStream, or null. formData() reads both form
// encodings back.
import { loadedGlobal } from "./setup/lazy.js";

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

// A form's entries: strings, and Files for Blob values (FormData, XHR standard).
export class FormData {
  #entries = []; // [name, string | File]
  constructor(form) {
    if (form !== undefined) throw new TypeError("FormData: udf has no HTML forms to read");
  }
  static #value(value, filename) {
    if (value instanceof Blob) {
      if (value instanceof File && filename === undefined) return value;
      return new File([value], filename === undefined ? (value instanceof File ? value.name : "blob") : String(filename),
        { type: value.type });
    }
    return String(value);
  }
  append(name, value, filename) {
    this.#entries.push([String(name), FormData.#value(value, filename)]);
  }
  set(name, value, filename) {
    const n = String(name);
    const v = FormData.#value(value, filename);
    const i = this.#entries.findIndex(([k]) => k === n);
    if (i < 0) this.#entries.push([n, v]);
    else {
      this.#entries[i] = [n, v];
      this.#entries = this.#entries.filter(([k], j) => k !== n || j === i);
    }
  }
  delete(name) {
    const n = String(name);
    this.#entries = this.#entries.filter(([k]) => k !== n);
  }
  get(name) {
    const e = this.#entries.find(([k]) => k === String(name));
    return e ? e[1] : null;
  }
  getAll(name) {
    return this.#entries.filter(([k]) => k === String(name)).map(([, v]) => v);
  }
  has(name) {
    return this.#entries.some(([k]) => k === String(name));
  }
  *entries() {
    for (const [k, v] of this.#entries) yield [k, v];
  }
  *keys() {
    for (const [k] of this.#entries) yield k;
  }
  *values() {
    for (const [, v] of this.#entries) yield v;
  }
  forEach(fn, thisArg) {
    for (const [k, v] of this.#entries) fn.call(thisArg, v, k, this);
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return "FormData";
  }
}

// multipart/form-data bytes of a FormData, with a random boundary (RFC 7578).
function encodeMultipart(form) {
  const random = new Uint8Array(12);
  globalThis.crypto.getRandomValues(random);
  const boundary = `----udfFormBoundary${Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  const quote = (s) => s.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22");
  const parts = [];
  for (const [name, value] of form) {
    parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"`);
    if (typeof value === "string") parts.push(`\r\n\r\n${value.replace(/\r?\n|\r/g, "\r\n")}\r\n`);
    else {
      parts.push(`; filename="${quote(value.name)}"\r\nContent-Type: ${value.type || "application/octet-stream"}\r\n\r\n`);
      parts.push(value, "\r\n");
    }
  }
  parts.push(`--${boundary}--\r\n`);
  return { bytes: partsToBytes(parts), type: `multipart/form-data; boundary=${boundary}` };
}

// A body's form entries: application/x-www-form-urlencoded or multipart/form-data.
export function decodeForm(bytes, contentType) {
  const form = new FormData();
  const type = (contentType ?? "").toLowerCase();
  if (type.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new globalThis.URLSearchParams(decoder.decode(bytes))) form.append(k, v);
    return form;
  }
  const m = /^multipart\/form-data\s*;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  if (!m) throw new TypeError(`formData: the body's Content-Type is not a form (${contentType ?? "none"})`);
  // work on a latin1 string so byte offsets stay offsets
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  const delimiter = `--${m[1] ?? m[2]}`;
  const chunks = text.split(delimiter);
  if (chunks.length < 2) throw new TypeError("formData: the multipart body has no parts");
  for (const chunk of chunks.slice(1)) {
    if (chunk.startsWith("--")) break;
    const split = chunk.indexOf("\r\n\r\n");
    if (split < 0) throw new TypeError("formData: a multipart part has no header end");
    const head = chunk.slice(2, split);
    const body = chunk.slice(split + 4, chunk.endsWith("\r\n") ? -2 : undefined);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined) throw new TypeError("formData: a multipart part has no name");
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const partType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? "";
    const raw = Uint8Array.from(body, (c) => c.charCodeAt(0));
    if (filename !== undefined) form.append(name, new File([raw], filename, { type: partType }));
    else form.append(name, decoder.decode(raw));
  }
  return form;
}

// The bytes of one chunk of a body stream: bytes or a string (UTF-8); anything else is a TypeError.
export function chunkBytes(chunk, what) {
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (typeof chunk === "string") return encoder.encode(chunk);
  throw new TypeError(`${what}: a body stream must yield bytes (a Uint8Array) or strings, not ${chunk === null ? "null" : typeof chunk}`);
}

// Every chunk of a body stream, joined; at most `limit` bytes (more is a RangeError naming `what`).
export async function readStreamBytes(stream, what, limit = Infinity) {
  const reader = stream.getReader();
  const parts = [];
  let total = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const bytes = chunkBytes(r.value, what);
    total += bytes.byteLength;
    if (total > limit) {
      reader.cancel().catch(() => {});
      throw new RangeError(`${what}: the body is larger than ${limit} bytes`);
    }
    parts.push(bytes);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

// Whether a BodyInit is a ReadableStream (kept as the body's source rather than read here).
export function isBodyStream(init) {
  // without loading the stream classes: no stream exists before they are (setup/lazy.js)
  const ReadableStream = loadedGlobal(globalThis, "ReadableStream");
  return typeof ReadableStream === "function" && init instanceof ReadableStream;
}

// A BodyInit's bytes and the Content-Type it implies: {bytes, type} or null for no body.
export function extractBody(init) {
  if (init === null || init === undefined) return null;
  if (init instanceof FormData) return encodeMultipart(init);
  if (typeof init === "string") return { bytes: encoder.encode(init), type: "text/plain;charset=UTF-8" };
  if (init instanceof Blob) return { bytes: init._bytes(), type: init.type || null };
  if (init instanceof ArrayBuffer) return { bytes: new Uint8Array(init.slice(0)), type: null };
  if (ArrayBuffer.isView(init)) {
    return { bytes: new Uint8Array(init.buffer.slice(init.byteOffset, init.byteOffset + init.byteLength)), type: null };
  }
  if (isInstanceOfLoaded("URLSearchParams", init)) {
    return { bytes: encoder.encode(init.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  return { bytes: encoder.encode(String(init)), type: "text/plain;charset=UTF-8" };
}

// Is x an instance of the global class name? False without loading it (setup/lazy.js):
// none exists before it is.
function isInstanceOfLoaded(name, x) {
  const C = loadedGlobal(globalThis, name);
  return typeof C === "function" && x instanceof C;
}

// The body-reading half of Request and Response (the Fetch standard's Body mixin).
// Who may parse forms: setupFetch installs Convex's check (no formData() in queries and mutations).
let formParseAllowed = () => {};
export function setFormParseCheck(check) {
  formParseAllowed = check;
}

export class Body {
  #bytes;
  #used = false;
  #stream = null;
  #source = null; // a ReadableStream the body was made from
  _initBody(bytes) {
    this.#bytes = bytes; // Uint8Array or null
  }
  _initStream(stream) {
    this.#bytes = null;
    this.#source = stream;
  }
  get bodyUsed() {
    return this.#used || (this.#source !== null && this.#source.locked);
  }
  // the bytes, once; a second read is a TypeError, as in fetch
  #consume() {
    if (this.bodyUsed) return Promise.reject(new TypeError("Body is unusable: the body has already been read"));
    this.#used = true;
    if (this.#source) return readStreamBytes(this.#source, "Body");
    return Promise.resolve(this.#bytes ?? new Uint8Array(0));
  }
  // the bytes of a body held in memory (null for none, or for a stream body)
  _peekBytes() {
    return this.#bytes;
  }
  // the ReadableStream a body was made from, or null
  _streamSource() {
    return this.#source;
  }
  // a second reader's stream of a stream body, for clone() (this body keeps the other branch)
  _teeStream() {
    const [mine, theirs] = this.#source.tee();
    this.#source = mine;
    return theirs;
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
    formParseAllowed("formData()");
    const type = this.headers.get("content-type");
    return decodeForm(await this.#consume(), type);
  }
  // the body as a ReadableStream (of one chunk, for bytes); reading it uses the body up
  get body() {
    if (this.#source) return this.#source;
    if (this.#bytes === null || this.#bytes === undefined) return null;
    if (!this.#stream) {
      this.#stream = new globalThis.ReadableStream({
        pull: (c) => {
          if (this.#used) {
            c.error(new TypeError("Body is unusable: the body has already been read"));
            return;
          }
          this.#used = true;
          c.enqueue(this.#bytes.slice());
          c.close();
        },
      }, { highWaterMark: 0 });
    }
    return this.#stream;
  }
}

// Bytes as base64, for the host (a latin1 string in slices, then btoa).
export function bytesToBase64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return globalThis.btoa(s);
}
