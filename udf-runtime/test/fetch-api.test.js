// The fetch API's JavaScript half (src/setup/07_abort.js, 08_fetch.js,
// src/body.js) over a stand-in host: Headers, Request, Response, FormData,
// AbortSignal, and fetch's conversation with the host (what it sends to
// fetch/start, how a completion becomes a Response, how an abort stops the
// request in the host). The real host side is tested by sql/fetch.sql.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setupAbort } from "../src/setup/07_abort.js";
import { setupFetch } from "../src/setup/08_fetch.js";

// a global of our own (Node's fetch globals stay out of the way)
const g = { DOMException, setTimeout, clearTimeout, ReadableStream, TextEncoder, TextDecoder, btoa, atob };
const started = [];
const aborted = [];
const waiters = new Map();
const forgotten = [];
const ops = {
  fetchStart(...args) {
    started.push(args);
    return started.length;
  },
  fetchAbort(id) {
    aborted.push(id);
  },
};
const loop = {
  waitFor: (id, deliver) => waiters.set(id, deliver),
  forget: (id) => forgotten.push(id),
};
setupAbort(g);
setupFetch(g, { loop, ops, asyncAllowed: () => {} });
const { Headers, Request, Response, FormData, AbortController, AbortSignal, fetch } = g;
const enc = (s) => new TextEncoder().encode(s);

test("Headers: case-insensitive, combined, sorted, Set-Cookie apart, validated", () => {
  const h = new Headers({ "X-B": "1" });
  h.append("x-b", " 2 ");
  h.append("Set-Cookie", "a=1");
  h.append("set-cookie", "b=2");
  h.set("A", "z");
  assert.equal(h.get("X-b"), "1, 2");
  assert.deepEqual([...h], [["a", "z"], ["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x-b", "1, 2"]]);
  assert.deepEqual(h.getSetCookie(), ["a=1", "b=2"]);
  assert.throws(() => h.append("bad name", "x"), TypeError);
  assert.throws(() => h.append("x", "a\r\nb"), TypeError);
  h.delete("x-b");
  assert.equal(h.has("X-B"), false);
});

test("Request: method normalised, GET without body, content type from the body", async () => {
  const r = new Request("http://h/p", { method: "post", body: "hi" });
  assert.equal(r.method, "POST");
  assert.equal(r.headers.get("content-type"), "text/plain;charset=UTF-8");
  assert.equal(await r.text(), "hi");
  assert.equal(r.bodyUsed, true);
  await assert.rejects(r.text(), TypeError);
  assert.throws(() => new Request("http://h/", { body: "x" }), TypeError);
  assert.throws(() => new Request("/relative"), TypeError);
  assert.throws(() => new Request("http://h/", { method: "CONNECT" }), TypeError);
  assert.equal(new Request("http://h/", { method: "patch" }).method, "patch");
});

test("Response: status range, null-body statuses, json, clone, static helpers", async () => {
  assert.throws(() => new Response("x", { status: 600 }), RangeError);
  assert.throws(() => new Response("x", { status: 204 }), TypeError);
  const r = Response.json({ a: [1] }, { status: 201, headers: { "x-y": "z" } });
  const c = r.clone();
  assert.deepEqual(await r.json(), { a: [1] });
  assert.equal(await c.text(), '{"a":[1]}');
  assert.equal(c.headers.get("content-type"), "application/json");
  assert.equal(Response.error().type, "error");
  assert.equal(Response.redirect("http://h/x", 307).headers.get("location"), "http://h/x");
  assert.throws(() => Response.redirect("http://h/", 200), RangeError);
  const bytes = await new Response(new Uint8Array([1, 2, 3])).arrayBuffer();
  assert.deepEqual([...new Uint8Array(bytes)], [1, 2, 3]);
});

test("Response.body is a stream of the bytes; reading it uses the body", async () => {
  const r = new Response("abc");
  const reader = r.body.getReader();
  const { value } = await reader.read();
  assert.equal(new TextDecoder().decode(value), "abc");
  assert.equal(r.bodyUsed, true);
  assert.equal(new Response(null).body, null);
});

// a stream of the given chunks, each after a turn of the event loop
const chunked = (...chunks) => new ReadableStream({
  async pull(c) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (chunks.length) c.enqueue(chunks.shift());
    else c.close();
  },
});

test("a ReadableStream body is kept as the body and read chunk by chunk", async () => {
  const source = chunked(enc("ab"), "c", new Uint8Array([100]).buffer);
  const r = new Response(source, { headers: { "x-a": "1" } });
  assert.equal(r.body, source, "body is the stream itself");
  assert.equal(r._streamSource(), source);
  assert.equal(r.headers.get("content-type"), null, "a stream implies no content type");
  assert.equal(r.bodyUsed, false);
  const copy = r.clone();
  assert.equal(await r.text(), "abcd");
  assert.equal(r.bodyUsed, true);
  await assert.rejects(r.text(), TypeError);
  assert.equal(await copy.text(), "abcd", "a clone reads its own branch");
  await assert.rejects(new Response(chunked({ not: "bytes" })).text(), /must yield bytes/);
  assert.throws(() => new Response(chunked(), { status: 204 }), TypeError);
  const req = new Request("http://h/", { method: "POST", body: chunked(enc("x"), enc("y")) });
  assert.equal(await req.text(), "xy");
  assert.throws(() => new Request("http://h/", { body: chunked() }), TypeError, "GET has no body");
});

test("fetch reads a stream body whole before it hands it to the host", async () => {
  const before = started.length;
  const p = fetch("http://h/up", { method: "POST", body: chunked(enc("he"), enc("llo")) });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(Buffer.from(started[before][3], "base64").toString(), "hello");
  waiters.get(started.length)({ ok: true, status: 200, headers: "HTTP/1.1 200 OK", url: "http://h/up", redirected: false, body: enc("").buffer });
  assert.equal((await p).status, 200);
});

test("FormData: multipart out, and back in through formData()", async () => {
  const f = new FormData();
  f.append("a", "1");
  f.append("a", "2");
  f.set("b", "x\ny");
  f.append("file", new g.Blob(["hello"], { type: "text/plain" }), "h.txt");
  const req = new Request("http://h/", { method: "POST", body: f });
  const type = req.headers.get("content-type");
  assert.match(type, /^multipart\/form-data; boundary=----udfFormBoundary[0-9a-f]{24}$/);
  const back = await req.formData();
  assert.deepEqual(back.getAll("a"), ["1", "2"]);
  assert.equal(back.get("b"), "x\r\ny");
  const file = back.get("file");
  assert.equal(file.name, "h.txt");
  assert.equal(await file.text(), "hello");
  const urlencoded = await new Response("k=v+w&k=2", { headers: { "content-type": "application/x-www-form-urlencoded" } }).formData();
  assert.deepEqual(urlencoded.getAll("k"), ["v w", "2"]);
  await assert.rejects(new Response("x", { headers: { "content-type": "text/plain" } }).formData(), TypeError);
});

test("AbortSignal: abort, reason, listeners once, timeout, any", async () => {
  const c = new AbortController();
  let calls = 0;
  c.signal.addEventListener("abort", () => calls++);
  c.abort();
  c.abort();
  assert.equal(calls, 1);
  assert.equal(c.signal.reason.name, "AbortError");
  assert.throws(() => c.signal.throwIfAborted(), (e) => e.name === "AbortError");
  assert.equal(AbortSignal.abort("why").reason, "why");
  const t = AbortSignal.timeout(5);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(t.reason.name, "TimeoutError");
  const a = new AbortController();
  const any = AbortSignal.any([a.signal, new AbortController().signal]);
  a.abort("first");
  assert.equal(any.reason, "first");
  assert.throws(() => new AbortSignal(), TypeError);
});

test("fetch: what reaches the host, and a completion as a Response", async () => {
  started.length = 0;
  const p = fetch("http://h/x", { method: "PUT", headers: { "X-A": "1" }, body: new Uint8Array([0, 255]), redirect: "manual" });
  await null;
  const [method, url, headers, body, redirect] = started[0];
  assert.deepEqual([method, url, JSON.parse(headers), Buffer.from(body, "base64"), redirect],
    ["PUT", "http://h/x", [["x-a", "1"]], Buffer.from([0, 255]), "manual"]);
  waiters.get(1)({
    id: 1, ok: true, status: 201, url: "http://h/y", redirected: true,
    headers: "HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nX-Two: a\r\nX-Two: b\r\n\r\n",
    body: enc("done").buffer,
  });
  const r = await p;
  assert.deepEqual([r.status, r.statusText, r.ok, r.url, r.redirected, r.type], [201, "Created", true, "http://h/y", true, "basic"]);
  assert.equal(r.headers.get("x-two"), "a, b");
  assert.throws(() => r.headers.set("a", "b"), TypeError);
  assert.equal(await r.text(), "done");
});

test("fetch: a failed completion is a TypeError; an abort stops the request in the host", async () => {
  started.length = 0;
  waiters.clear();
  const failed = fetch("http://h/");
  await null;
  waiters.get(1)({ id: 1, ok: false, message: "fetch failed: nope" });
  await assert.rejects(failed, (e) => e instanceof TypeError && e.message === "fetch failed: nope");
  const c = new AbortController();
  const p = fetch("http://h/slow", { signal: c.signal });
  await null;
  c.abort();
  await assert.rejects(p, (e) => e.name === "AbortError");
  assert.deepEqual(aborted, [2]);
  assert.deepEqual(forgotten, [2]);
  await assert.rejects(fetch("http://h/", { signal: AbortSignal.abort() }), (e) => e.name === "AbortError");
  assert.equal(started.length, 2, "an already aborted signal never reaches the host");
});
