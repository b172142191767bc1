// The host's typed ops: what the runtime itself asks of the host, beside the
// versioned Convex syscalls the package makes (Convex's runtime keeps its
// ops apart from its syscalls the same way). Arguments are strings, numbers,
// booleans and null, passed as they are; answers are values or text, never
// JSON to be parsed on the way. Each op is a C function in the host's op
// table (extension/syscall.c); a refusal is thrown as a failed syscall's is.
export function makeOps(native) {
  return {
    // What a write addresses: {table, managed, document?}; the document (for
    // a patch of a managed table) is read FOR UPDATE, in Convex JSON form.
    writeTarget(method, table, id, withDocument) {
      return native.op("db/writeTarget", method, table, id, withDocument);
    },

    // Which table a document id belongs to, for v.id(table): {ok: true}, or
    // {ok: false, table, system} (table null: no id of any table).
    idTable(id, table) {
      return native.op("db/idTable", id, table);
    },

    // The next rows of an open query: {rows, done, plain} (plain: no row needs jsonToConvex).
    queryNext(queryId, max) {
      return native.op("db/queryNext", queryId, max);
    },

    // The session's identity settings: {identity, claims}, each text or null.
    identity() {
      return native.op("auth/identity");
    },

    // Start an HTTP request in the host (fetch.c): its id, for the event loop
    // (loop.js) to wait on. headersJson is [[name, value], ...]; body base64 or null.
    fetchStart(method, url, headersJson, bodyBase64, redirect) {
      return Number(native.op("fetch/start", method, url, headersJson, bodyBase64, redirect));
    },

    // Stop a request in flight and forget it (its connection is closed).
    fetchAbort(id) {
      native.op("fetch/abort", id);
    },

    // A Web Crypto primitive (extension/crypto.c): crypto/digest, crypto/hmac,
    // crypto/aesGcm, crypto/pbkdf2, crypto/hkdf, crypto/random; bytes in and out.
    crypto(name, ...args) {
      return native.op(name, ...args);
    },

    // A streamed HTTP action answer (extension/httpstream.c): its status and
    // headers ([[name, value], ...] as JSON), then its bytes chunk by chunk;
    // a write answers false once the client has gone.
    httpStreamStart(status, headersJson) {
      native.op("http/streamStart", status, headersJson);
    },
    httpStreamWrite(bytes) {
      return native.op("http/streamWrite", bytes) === "true";
    },

    // ctx.runQuery / runMutation / runAction: the package's request (runUdf's,
    // or an action's, whose kind is its syscall's: udfType), with the caller's
    // seed and clock; the callee's arguments cross as one JSON text.
    runUdf(requestJson, seed, now, udfType) {
      const request = JSON.parse(requestJson);
      const str = (s) => (typeof s === "string" ? s : null);
      return native.op("runUdf", udfType ?? str(request.udfType), str(request.name), request.functionHandle !== undefined,
        JSON.stringify(request.args ?? {}), seed, now);
    },
  };
}
