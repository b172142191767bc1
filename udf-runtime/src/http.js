// HTTP actions: one request routed by the deployment's http.js (the
// default export, an httpRouter()) as Convex's backend routes it (the
// router's own lookup: exact paths first, then the longest prefix; no
// route for the path and method is a 404), run by the route's handler
// through the package's own invokeHttpAction (an action's ctx and the
// Request), and its Response read back whole.
//
// The host's request is JSON {method, url, headers: [[name, value]...],
// body: base64 | null}; the answer is JSON {status, headers, body: base64,
// route} or a failure object, as every runtime entry point answers.
import { SQLSTATE, fail } from "./errors.js";
import { bytesToBase64, base64ToBytes } from "./base64.js";

// Convex's limit on an HTTP action's response.
const MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

const answer = (status, text, route) =>
  JSON.stringify({ status, headers: [["content-type", "text/plain; charset=utf-8"]], body: bytesToBase64(new TextEncoder().encode(text)), route });

export function makeHttp({ determinism, console, syscall, describeError }) {
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
      const bytes = new Uint8Array(await response.arrayBuffer());
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
