// HTTP actions: one request routed by the deployment's http.js (the
// default export, an httpRouter()) as Convex's backend routes it (the
// router's own lookup: exact paths first, then the longest prefix; no
// route for the path and method is a 404), run by the route's handler
// through the package's own invokeHttpAction (an action's ctx and the
// Request), and its Response answered.
//
// The host's request is JSON {method, url, headers: [[name, value]...],
// body: base64 | null, stream}; the answer is JSON {status, headers, body:
// base64, route} or a failure object, as every runtime entry point answers.
//
// Streaming. A Response whose body is a ReadableStream the handler made is,
// when the host can stream (stream: true, from the endpoint: httpstream.c),
// sent as it is produced: its status and headers first (op
// http/streamStart), then each chunk as the stream yields it (op
// http/streamWrite, which pushes it to the client before the handler goes
// on), and the answer is {status, streamed: true, route} once the stream
// ends. Past 20 MiB, or when the stream errors, the call fails (the host
// logs it with the route and cuts the response off); when the client has
// gone, the stream is canceled and the answer says {gone: true}. From SQL
// (udf_http) a stream body is read whole, under the same limit. Any other
// body is answered whole.
import { SQLSTATE, fail } from "./errors.js";
import { bytesToBase64, base64ToBytes } from "./base64.js";
import { chunkBytes, readStreamBytes } from "./body.js";

// Convex's limit on an HTTP action's response.
const MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

const answer = (status, text, route) =>
  JSON.stringify({ status, headers: [["content-type", "text/plain; charset=utf-8"]], body: bytesToBase64(new TextEncoder().encode(text)), route });

export function makeHttp({ determinism, console, syscall, describeError, ops }) {
  // Send a stream body to the client as it is produced (see the header).
  async function streamOut(response, stream, name) {
    const reader = stream.getReader(); // a locked stream fails here, before the head goes out
    ops.httpStreamStart(response.status, JSON.stringify([...response.headers]));
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const bytes = chunkBytes(value, name);
      total += bytes.byteLength;
      if (total > MAX_RESPONSE_BYTES) {
        reader.cancel().catch(() => {});
        throw new Error(`${name}: the streamed response is too large (over 20 MiB, the limit); it was cut off.`);
      }
      if (bytes.byteLength > 0 && !ops.httpStreamWrite(bytes)) {
        await reader.cancel(new Error("the client went away")).catch(() => {});
        return JSON.stringify({ status: response.status, streamed: true, gone: true, route: name });
      }
    }
    return JSON.stringify({ status: response.status, streamed: true, route: name });
  }

  async function httpAction(namespace, requestJson, seed, now) {
    const router = namespace?.default;
    if (!router || router.isRouter !== true || typeof router.lookup !== "function") {
      return fail(SQLSTATE.undefinedFunction, "http.js must export default httpRouter() to serve HTTP actions.");
    }
    const r = JSON.parse(requestJson);
    let url;
    try {
      url = new URL(r.url);
    } catch {
      return answer(400, "Bad Request", null);
    }
    const match = router.lookup(url.pathname, r.method);
    if (!match) return answer(404, "No matching routes found", null);
    const [handler, method, routePath] = match;
    const name = `http.js:${method} ${routePath}`;

    determinism.begin({ seed, now, deterministic: false });
    console.reset();
    syscall.current = { name, kind: "action", anonymous: false };
    try {
      const body = r.body === null || r.method === "GET" || r.method === "HEAD" ? null : base64ToBytes(r.body);
      const request = new Request(url.href, { method: r.method, headers: r.headers, body });
      const response = await handler.invokeHttpAction(request);
      if (!(response instanceof Response)) {
        throw new Error(`${name} must return a Response, not ${response === null ? "null" : typeof response}.`);
      }
      const stream = response._streamSource?.() ?? null;
      if (stream && r.stream) return await streamOut(response, stream, name);
      const bytes = stream ? await readStreamBytes(stream, name, MAX_RESPONSE_BYTES).catch((e) => {
        throw e instanceof RangeError ? new Error(`${name}: the response is too large (over 20 MiB, the limit).`) : e;
      }) : new Uint8Array(await response.arrayBuffer());
      if (bytes.byteLength > MAX_RESPONSE_BYTES) {
        throw new Error(`${name}: the response is too large (${bytes.byteLength} bytes; the limit is 20 MiB).`);
      }
      return JSON.stringify({ status: response.status, headers: [...response.headers], body: bytesToBase64(bytes), route: name });
    } catch (e) {
      const d = describeError(e);
      d.hint = name;
      return d;
    } finally {
      syscall.current = null;
      syscall.endCall();
      determinism.end();
    }
  }

  return { httpAction };
}
