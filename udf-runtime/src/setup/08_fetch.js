// fetch, Headers, Request, Response, Blob, File and FormData: the Fetch standard's
// API over the host's HTTP client (extension/fetch.c, libcurl).
//
// fetch(input, init) makes a Request, hands its method, URL, headers and
// body to the host (typed op fetch/start, ops.js), and waits for the
// request's completion on the context's event loop (loop.js), so several
// fetches under Promise.all run at once in the host while JavaScript goes
// on. The host follows redirects itself (checking every hop against
// udf.fetch_allowed_hosts) and answers the final response whole: status,
// raw header lines and the body bytes. A network failure, a refused host,
// a timeout or an oversize body rejects with a TypeError carrying the
// host's message, as fetch rejects. An abort (init.signal) stops the
// request in the host and rejects with the signal's reason.
//
// As in Convex, fetch is for actions: in a query or mutation it returns a
// promise rejected with "Can't use fetch() in queries and mutations...", and
// so does formData() (Convex's FormParse op).
// Bodies are bytes held whole or a ReadableStream the code made (body.js); the
// body of a fetch is sent whole (a stream is read first), and its response's
// body is a stream of one chunk.
import { Blob, File, FormData, Body, extractBody, isBodyStream, readStreamBytes, bytesToBase64, setFormParseCheck }
  from "../body.js";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const trimHttp = (s) => s.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");

// A header name, lowercased, or a TypeError.
function headerName(name) {
  const n = String(name);
  if (!TOKEN.test(n)) throw new TypeError(`Header name is not valid: "${n}"`);
  return n.toLowerCase();
}

// A header value, trimmed, or a TypeError.
function headerValue(value) {
  const v = trimHttp(String(value));
  if (/[\0\r\n]/.test(v)) throw new TypeError(`Header value is not valid: ${JSON.stringify(v)}`);
  return v;
}

class Headers {
  #list = []; // [lowercased name, value], in insertion order
  #immutable = false;

  constructor(init) {
    if (init === undefined || init === null) return;
    if (init instanceof Headers) {
      for (const [n, v] of init.#list) this.#list.push([n, v]);
    } else if (typeof init[Symbol.iterator] === "function") {
      for (const pair of init) {
        const p = [...pair];
        if (p.length !== 2) throw new TypeError("Headers: each header must be a [name, value] pair");
        this.append(p[0], p[1]);
      }
    } else if (typeof init === "object") {
      for (const key of Object.keys(init)) this.append(key, init[key]);
    } else throw new TypeError("Headers: the init is not a record or a sequence of pairs");
  }

  #check() {
    if (this.#immutable) throw new TypeError("Headers are immutable");
  }
  append(name, value) {
    this.#check();
    this.#list.push([headerName(name), headerValue(value)]);
  }
  delete(name) {
    this.#check();
    const n = headerName(name);
    this.#list = this.#list.filter(([k]) => k !== n);
  }
  get(name) {
    const n = headerName(name);
    const values = this.#list.filter(([k]) => k === n).map(([, v]) => v);
    return values.length === 0 ? null : values.join(", ");
  }
  getSetCookie() {
    return this.#list.filter(([k]) => k === "set-cookie").map(([, v]) => v);
  }
  has(name) {
    const n = headerName(name);
    return this.#list.some(([k]) => k === n);
  }
  set(name, value) {
    this.#check();
    const n = headerName(name);
    const v = headerValue(value);
    const i = this.#list.findIndex(([k]) => k === n);
    if (i < 0) this.#list.push([n, v]);
    else {
      this.#list[i][1] = v;
      this.#list = this.#list.filter(([k], j) => k !== n || j === i);
    }
  }
  // sorted and combined, Set-Cookie kept apart (the Fetch standard's "sort and combine")
  *entries() {
    const names = [...new Set(this.#list.map(([k]) => k))].sort();
    for (const n of names) {
      if (n === "set-cookie") for (const v of this.getSetCookie()) yield [n, v];
      else yield [n, this.get(n)];
    }
  }
  *keys() {
    for (const [k] of this.entries()) yield k;
  }
  *values() {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(fn, thisArg) {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return "Headers";
  }
  // the pairs as they were added, for the host
  _pairs() {
    return this.#list.map(([k, v]) => [k, v]);
  }
  _freeze() {
    this.#immutable = true;
    return this;
  }
}

// the methods the Fetch standard uppercases (not PATCH: "patch" is sent as written)
const METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
const REDIRECTS = ["follow", "error", "manual"];

// A method, normalised as the Fetch standard says, or a TypeError.
function normalizeMethod(m) {
  const s = String(m);
  if (!TOKEN.test(s)) throw new TypeError(`'${s}' is not a valid HTTP method.`);
  const upper = s.toUpperCase();
  if (["CONNECT", "TRACE", "TRACK"].includes(upper)) throw new TypeError(`'${s}' HTTP method is unsupported.`);
  return METHODS.includes(upper) ? upper : s;
}

// An absolute http(s) URL's text (a URL object's href too), or a TypeError.
function requestUrl(input) {
  const s = typeof input === "string" ? input : String(input?.href ?? input);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) throw new TypeError(`Invalid URL: '${s}' (fetch needs an absolute URL)`);
  return s;
}

class Request extends Body {
  #method;
  #url;
  #headers;
  #redirect;
  #signal;

  constructor(input, init = {}) {
    super();
    const from = input instanceof Request ? input : null;
    this.#url = from ? from.url : requestUrl(input);
    this.#method = init.method !== undefined ? normalizeMethod(init.method) : from ? from.method : "GET";
    this.#headers = new Headers(init.headers !== undefined ? init.headers : from ? from.headers : undefined);
    const redirect = init.redirect !== undefined ? String(init.redirect) : from ? from.redirect : "follow";
    if (!REDIRECTS.includes(redirect)) throw new TypeError(`Request: redirect must be one of ${REDIRECTS.join(", ")}`);
    this.#redirect = redirect;
    this.#signal = init.signal !== undefined ? init.signal : from ? from.signal : null;
    let body = null;
    if (init.body !== undefined && init.body !== null) {
      if (this.#method === "GET" || this.#method === "HEAD") {
        throw new TypeError("Request with GET/HEAD method cannot have body.");
      }
      if (isBodyStream(init.body)) {
        this._initStream(init.body);
        return;
      }
      const extracted = extractBody(init.body);
      body = extracted.bytes;
      if (extracted.type && !this.#headers.has("content-type")) this.#headers.set("content-type", extracted.type);
    } else if (from && from._streamSource()) {
      if (from.bodyUsed) throw new TypeError("Request: the body of the input has already been read");
      this._initStream(from._teeStream());
      return;
    } else if (from) {
      body = from._peekBytes();
    }
    this._initBody(body);
  }
  get method() {
    return this.#method;
  }
  get url() {
    return this.#url;
  }
  get headers() {
    return this.#headers;
  }
  get redirect() {
    return this.#redirect;
  }
  get signal() {
    return this.#signal;
  }
  clone() {
    if (this.bodyUsed) throw new TypeError("Request.clone: the body has already been read");
    return new Request(this);
  }
  get [Symbol.toStringTag]() {
    return "Request";
  }
}

const NULL_BODY = [101, 103, 204, 205, 304];
const REDIRECT_STATUS = [301, 302, 303, 307, 308];
const kNetwork = Symbol("network");

class Response extends Body {
  #status;
  #statusText;
  #headers;
  #type = "default";
  #url = "";
  #redirected = false;

  constructor(body = null, init = {}) {
    super();
    const status = init.status === undefined ? 200 : Number(init.status);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`The status provided (${init.status}) is outside the range [200, 599].`);
    }
    const statusText = init.statusText === undefined ? "" : String(init.statusText);
    if (/[\r\n]/.test(statusText)) throw new TypeError("Response: the statusText is not valid");
    this.#status = status;
    this.#statusText = statusText;
    this.#headers = new Headers(init.headers);
    let bytes = null;
    if (body !== null && body !== undefined) {
      if (NULL_BODY.includes(status)) throw new TypeError(`Response with null body status (${status}) cannot have body`);
      if (isBodyStream(body)) {
        this._initStream(body);
        return;
      }
      const extracted = extractBody(body);
      bytes = extracted.bytes;
      if (extracted.type && !this.#headers.has("content-type")) this.#headers.set("content-type", extracted.type);
    }
    this._initBody(bytes);
  }

  // A response from the network (the host's completion).
  static [kNetwork](c) {
    const r = new Response(null, { status: 200 });
    const lines = c.headers.split(/\r?\n/);
    const statusLine = /^HTTP\/[\d.]+ (\d{3}) ?(.*)$/.exec(lines[0] ?? "");
    r.#status = c.status;
    r.#statusText = statusLine ? statusLine[2] : "";
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      try {
        r.#headers.append(line.slice(0, colon), line.slice(colon + 1));
      } catch {
        // a header fetch cannot represent is dropped, as browsers drop it
      }
    }
    r.#headers._freeze();
    r.#type = "basic";
    r.#url = c.url;
    r.#redirected = c.redirected;
    r._initBody(NULL_BODY.includes(c.status) ? null : new Uint8Array(c.body));
    return r;
  }

  static error() {
    const r = new Response(null, { status: 200 });
    r.#status = 0;
    r.#type = "error";
    r.#headers._freeze();
    return r;
  }
  static redirect(url, status = 302) {
    if (!REDIRECT_STATUS.includes(status)) throw new RangeError(`Invalid status code: ${status}`);
    return new Response(null, { status, headers: { location: requestUrl(url) } });
  }
  static json(data, init = {}) {
    const text = JSON.stringify(data);
    if (text === undefined) throw new TypeError("Response.json: the data is not JSON-serializable");
    const headers = new Headers(init.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(text, { ...init, headers });
  }

  get type() {
    return this.#type;
  }
  get url() {
    return this.#url;
  }
  get redirected() {
    return this.#redirected;
  }
  get status() {
    return this.#status;
  }
  get ok() {
    return this.#status >= 200 && this.#status <= 299;
  }
  get statusText() {
    return this.#statusText;
  }
  get headers() {
    return this.#headers;
  }
  clone() {
    if (this.bodyUsed) throw new TypeError("Response.clone: the body has already been read");
    const r = new Response(null, { status: 200 });
    r.#status = this.#status;
    r.#statusText = this.#statusText;
    r.#headers = new Headers(this.#headers);
    r.#type = this.#type;
    r.#url = this.#url;
    r.#redirected = this.#redirected;
    if (this._streamSource()) r._initStream(this._teeStream());
    else r._initBody(this._peekBytes());
    return r;
  }
  get [Symbol.toStringTag]() {
    return "Response";
  }
}


export function setupFetch(global, { loop, ops, asyncAllowed }) {
  // The request to the host, and its completion turned into a Response.
  async function fetch(input, init = undefined) {
    asyncAllowed("fetch()");
    const request = new Request(input, init ?? {});
    const signal = request.signal;
    if (signal && signal.aborted) throw signal.reason;
    // a stream body is read whole first: the host sends bodies it holds
    const body = request._streamSource() ? await readStreamBytes(request.body, "fetch") : request._peekBytes();
    let id;
    try {
      id = ops.fetchStart(request.method, request.url, JSON.stringify(request.headers._pairs()),
        body ? bytesToBase64(body) : null, request.redirect);
    } catch (e) {
      throw new TypeError(e.message);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        ops.fetchAbort(id);
        loop.forget(id);
        reject(signal.reason);
      };
      if (signal) signal.addEventListener("abort", onAbort, { once: true });
      loop.waitFor(id, (c) => {
        if (signal) signal.removeEventListener("abort", onAbort);
        if (c.ok) resolve(Response[kNetwork](c));
        else reject(new TypeError(c.message));
      });
    });
  }

  setFormParseCheck(asyncAllowed);
  const define = (name, value) =>
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  define("fetch", fetch);
  define("Headers", Headers);
  define("Request", Request);
  define("Response", Response);
  define("Blob", Blob);
  define("File", File);
  define("FormData", FormData);
}
