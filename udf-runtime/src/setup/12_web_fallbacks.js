// Blob, Headers, Request, Response, URL and URLSearchParams, for
// ctx.storage and HTTP actions, each defined only when no fuller
// implementation (the fetch setup's) is installed already: this file runs
// last, and never replaces a global. They are the parts of the File, Fetch
// and URL standards an HTTP action's request and response use: bodies are
// whole byte arrays (no streams), URLs absolute http(s) ones.

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

// Header names are case-insensitive tokens; values have no CR, LF or NUL.
function headerName(name) {
  const n = String(name);
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(n)) throw new TypeError(`Invalid header name: "${n}"`);
  return n.toLowerCase();
}
function headerValue(value) {
  const v = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  if (/[\0\r\n]/.test(v)) throw new TypeError("Invalid header value");
  return v;
}

class MinimalHeaders {
  constructor(init) {
    Object.defineProperty(this, "_map", { value: new Map(), enumerable: false });
    if (init === undefined || init === null) return;
    if (init instanceof MinimalHeaders) for (const [k, v] of init) this.append(k, v);
    else if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const [k, v, ...rest] = Array.from(pair);
        if (rest.length || v === undefined) throw new TypeError("Each header must be a [name, value] pair");
        this.append(k, v);
      }
    } else for (const k of Object.keys(init)) this.append(k, init[k]);
  }
  append(name, value) {
    const n = headerName(name);
    const v = headerValue(value);
    const old = this._map.get(n);
    this._map.set(n, old === undefined ? v : n === "set-cookie" ? `${old}\n${v}` : `${old}, ${v}`);
  }
  set(name, value) { this._map.set(headerName(name), headerValue(value)); }
  get(name) { const v = this._map.get(headerName(name)); return v === undefined ? null : v.replace(/\n/g, ", "); }
  has(name) { return this._map.has(headerName(name)); }
  delete(name) { this._map.delete(headerName(name)); }
  getSetCookie() { const v = this._map.get("set-cookie"); return v === undefined ? [] : v.split("\n"); }
  *entries() {
    for (const k of [...this._map.keys()].sort()) {
      if (k === "set-cookie") for (const c of this.getSetCookie()) yield [k, c];
      else yield [k, this._map.get(k)];
    }
  }
  keys() { return Array.from(this.entries(), ([k]) => k)[Symbol.iterator](); }
  values() { return Array.from(this.entries(), ([, v]) => v)[Symbol.iterator](); }
  forEach(fn, thisArg) { for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this); }
  [Symbol.iterator]() { return this.entries(); }
  get [Symbol.toStringTag]() { return "Headers"; }
}

// A body's bytes and its default content type (the Fetch standard's "extract a body").
function extractBody(body) {
  if (body === undefined || body === null) return { bytes: null, type: null };
  if (typeof body === "string") return { bytes: new TextEncoder().encode(body), type: "text/plain;charset=UTF-8" };
  if (body instanceof MinimalBlob || (typeof Blob !== "undefined" && body instanceof Blob && body._bytes)) {
    return { bytes: body._bytes, type: body.type || null };
  }
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return { bytes: partBytes(body), type: null };
  if (body instanceof MinimalURLSearchParams) {
    return { bytes: new TextEncoder().encode(body.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  }
  return { bytes: new TextEncoder().encode(String(body)), type: "text/plain;charset=UTF-8" };
}

// What Request and Response share: a body read once.
class BodyMixin {
  _initBody(body, headers) {
    const { bytes, type } = extractBody(body);
    Object.defineProperty(this, "_bytes", { value: bytes, enumerable: false });
    Object.defineProperty(this, "_used", { value: false, writable: true, enumerable: false });
    if (type !== null && !headers.has("content-type")) headers.set("content-type", type);
  }
  get body() { return this._bytes; }
  get bodyUsed() { return this._used; }
  _consume() {
    if (this._used) return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
    this._used = true;
    return Promise.resolve(this._bytes === null ? new Uint8Array(0) : this._bytes);
  }
  async arrayBuffer() { return (await this._consume()).slice(0).buffer; }
  async bytes() { return (await this._consume()).slice(0); }
  async text() { return new TextDecoder().decode(await this._consume()); }
  async json() { return JSON.parse(await this.text()); }
  async blob() {
    const bytes = await this._consume();
    return new global_.Blob([bytes], { type: this.headers.get("content-type") ?? "" });
  }
}
let global_ = globalThis;

class MinimalRequest extends BodyMixin {
  constructor(input, init = {}) {
    super();
    const from = input instanceof MinimalRequest ? input : null;
    const url = from ? from.url : new MinimalURL(String(input)).href;
    const method = String(init.method ?? from?.method ?? "GET").toUpperCase();
    const headers = new MinimalHeaders(init.headers ?? from?.headers);
    const body = init.body !== undefined ? init.body : from?._bytes ?? null;
    if ((method === "GET" || method === "HEAD") && body !== null && body !== undefined) {
      throw new TypeError("Request with GET/HEAD method cannot have body.");
    }
    Object.defineProperties(this, {
      url: { value: url, enumerable: true },
      method: { value: method, enumerable: true },
      headers: { value: headers, enumerable: true },
    });
    this._initBody(body, headers);
  }
  clone() { return new MinimalRequest(this); }
  get [Symbol.toStringTag]() { return "Request"; }
}

class MinimalResponse extends BodyMixin {
  constructor(body = null, init = {}) {
    super();
    const status = init.status === undefined ? 200 : Number(init.status);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`Failed to construct 'Response': The status provided (${init.status}) is outside the range [200, 599].`);
    }
    if (body !== null && (status === 204 || status === 205 || status === 304)) {
      throw new TypeError("Response with null body status cannot have body");
    }
    const headers = new MinimalHeaders(init.headers);
    Object.defineProperties(this, {
      status: { value: status, enumerable: true },
      statusText: { value: String(init.statusText ?? ""), enumerable: true },
      headers: { value: headers, enumerable: true },
    });
    this._initBody(body, headers);
  }
  get ok() { return this.status >= 200 && this.status < 300; }
  clone() { return new MinimalResponse(this._bytes === null ? null : this._bytes.slice(0), this); }
  static json(data, init = {}) {
    const headers = new MinimalHeaders(init.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new MinimalResponse(JSON.stringify(data), { ...init, headers });
  }
  static redirect(url, status = 302) {
    if (![301, 302, 303, 307, 308].includes(status)) throw new RangeError("Invalid status code");
    return new MinimalResponse(null, { status, headers: { location: new MinimalURL(String(url)).href } });
  }
  get [Symbol.toStringTag]() { return "Response"; }
}

// application/x-www-form-urlencoded, as URLSearchParams reads and writes it.
const formDecode = (s) => decodeURIComponent(s.replace(/\+/g, " "));
const formEncode = (s) => encodeURIComponent(s).replace(/%20/g, "+").replace(/[!'()~]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

class MinimalURLSearchParams {
  constructor(init = "") {
    Object.defineProperty(this, "_list", { value: [], enumerable: false });
    if (typeof init === "string") {
      for (const part of init.replace(/^\?/, "").split("&")) {
        if (part === "") continue;
        const eq = part.indexOf("=");
        this._list.push(eq < 0 ? [formDecode(part), ""] : [formDecode(part.slice(0, eq)), formDecode(part.slice(eq + 1))]);
      }
    } else if (init && typeof init[Symbol.iterator] === "function") {
      for (const [k, v] of init) this._list.push([String(k), String(v)]);
    } else if (init) for (const k of Object.keys(init)) this._list.push([k, String(init[k])]);
  }
  get(name) { const e = this._list.find(([k]) => k === name); return e ? e[1] : null; }
  getAll(name) { return this._list.filter(([k]) => k === name).map(([, v]) => v); }
  has(name) { return this._list.some(([k]) => k === name); }
  append(name, value) { this._list.push([String(name), String(value)]); this._update?.(); }
  set(name, value) {
    const i = this._list.findIndex(([k]) => k === name);
    const rest = this._list.filter(([k], j) => k !== name || j === i);
    this._list.length = 0;
    this._list.push(...rest);
    if (i < 0) this._list.push([String(name), String(value)]);
    else this._list.find(([k]) => k === name)[1] = String(value);
    this._update?.();
  }
  delete(name) { const rest = this._list.filter(([k]) => k !== name); this._list.length = 0; this._list.push(...rest); this._update?.(); }
  get size() { return this._list.length; }
  entries() { return this._list.map((e) => [...e])[Symbol.iterator](); }
  keys() { return this._list.map(([k]) => k)[Symbol.iterator](); }
  values() { return this._list.map(([, v]) => v)[Symbol.iterator](); }
  forEach(fn, thisArg) { for (const [k, v] of this._list) fn.call(thisArg, v, k, this); }
  [Symbol.iterator]() { return this.entries(); }
  toString() { return this._list.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join("&"); }
}

const DEFAULT_PORTS = { "http:": "80", "https:": "443" };

// An absolute http(s) URL, or one relative to base; anything else throws, as a URL that cannot be parsed does.
class MinimalURL {
  constructor(url, base) {
    let s = String(url).trim();
    if (base !== undefined && !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s)) {
      const b = new MinimalURL(base);
      s = s.startsWith("//") ? b.protocol + s
        : s.startsWith("/") ? b.origin + s
        : s.startsWith("?") ? b.origin + b.pathname + s
        : s.startsWith("#") ? b.origin + b.pathname + b.search + s
        : b.origin + b.pathname.replace(/[^/]*$/, "") + s;
    }
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)\/\/(?:([^@/?#]*)@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([^?#]*)(\?[^#]*)?(#.*)?$/.exec(s);
    if (!m || m[3] === "") throw new TypeError(`Invalid URL: ${String(url)}`);
    const protocol = m[1].toLowerCase();
    const port = m[4] && m[4] !== DEFAULT_PORTS[protocol] ? String(Number(m[4])) : "";
    // dot segments go, as the URL standard resolves them
    const segments = [];
    for (const seg of (m[5] || "/").split("/").slice(1)) {
      if (seg === "..") segments.pop();
      else if (seg !== ".") segments.push(seg);
    }
    const last = (m[5] || "/").split("/").pop();
    if (last === "." || last === "..") segments.push("");
    Object.defineProperty(this, "_p", {
      value: { protocol, hostname: m[3].toLowerCase(), port, pathname: "/" + segments.join("/"), search: m[6] && m[6] !== "?" ? m[6] : "", hash: m[7] && m[7] !== "#" ? m[7] : "" },
      enumerable: false,
    });
    const params = new MinimalURLSearchParams(this._p.search);
    params._update = () => { const q = params.toString(); this._p.search = q ? "?" + q : ""; };
    Object.defineProperty(this, "searchParams", { value: params, enumerable: true });
  }
  get protocol() { return this._p.protocol; }
  get hostname() { return this._p.hostname; }
  get port() { return this._p.port; }
  get host() { return this._p.port ? `${this._p.hostname}:${this._p.port}` : this._p.hostname; }
  get origin() { return `${this._p.protocol}//${this.host}`; }
  get pathname() { return this._p.pathname; }
  get search() { return this._p.search; }
  get hash() { return this._p.hash; }
  get href() { return this.origin + this._p.pathname + this._p.search + this._p.hash; }
  toString() { return this.href; }
  toJSON() { return this.href; }
}

export function setupWebFallbacks(global) {
  global_ = global;
  const define = (name, value) =>
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  // an own property, read or not: URL and URLSearchParams are loaded on first read (10_url.js)
  const absent = (name) => Object.getOwnPropertyDescriptor(global, name) === undefined;
  if (absent("Blob")) define("Blob", MinimalBlob);
  if (absent("Headers")) define("Headers", MinimalHeaders);
  if (absent("Request")) define("Request", MinimalRequest);
  if (absent("Response")) define("Response", MinimalResponse);
  if (absent("URLSearchParams")) define("URLSearchParams", MinimalURLSearchParams);
  if (absent("URL")) define("URL", MinimalURL);
}
