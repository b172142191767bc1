import { query, action } from "./_generated/server";

// URL is loaded on a context's first use: accessors until then, the usual data properties after
export const lazyUrl = query(async () => {
  const kind = (name) => {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    return d === undefined ? "absent" : "value" in d ? "value" : "accessor";
  };
  const before = { URL: kind("URL"), URLSearchParams: kind("URLSearchParams"), typeofURL: typeof URL };
  const host = new URL("https://example.com/x").host;
  const d = Object.getOwnPropertyDescriptor(globalThis, "URL");
  return {
    before, host, after: { URL: kind("URL"), URLSearchParams: kind("URLSearchParams") },
    writable: d.writable, enumerable: d.enumerable, configurable: d.configurable,
    inKeys: Object.keys(globalThis).includes("URL"),
  };
});

// URL and URLSearchParams (whatwg-url): parsing, relative resolution, IDN hosts, IPv6, search params
export const url = query(async () => {
  const u = new URL("../b/c?x=1&y=two#frag", "https://user:pw@Example.COM:8443/a/d/e");
  u.searchParams.append("z", "a b&c");
  const bad = (() => { try { new URL("http://exa mple.com"); return "parsed"; } catch (e) { return e.name; } })();
  return {
    href: u.href, host: u.host, hostname: u.hostname, port: u.port, pathname: u.pathname,
    search: u.search, hash: u.hash, username: u.username, origin: u.origin,
    idn: new URL("http://bücher.example/").hostname,
    ipv6: new URL("http://[0:0::1]:80/").host,
    params: [...new URLSearchParams("a=1&b=2&a=3").getAll("a")],
    sorted: (() => { const p = new URLSearchParams({ b: "2", a: "1" }); p.sort(); return p.toString(); })(),
    bad,
    canParse: typeof URL.canParse === "function" ? URL.canParse("nope") : "absent",
  };
});

// streams: a ReadableStream piped through a TransformStream and TextDecoderStream into a WritableStream
export const streams = query(async () => {
  const parts = [new Uint8Array([0x68, 0xc3]), new Uint8Array([0xa9, 0x21])]; // "hé!" split inside é
  const readable = new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(p);
      c.close();
    },
  });
  const upper = new TransformStream({ transform: (chunk, c) => c.enqueue(chunk.toUpperCase()) });
  const seen = [];
  await readable.pipeThrough(new TextDecoderStream()).pipeThrough(upper).pipeTo(new WritableStream({
    write: (chunk) => { seen.push(chunk); },
  }));
  const encoded = [];
  const reader = new ReadableStream({ start(c) { c.enqueue("ok"); c.close(); } }).pipeThrough(new TextEncoderStream()).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) encoded.push(...r.value);
  return { text: seen.join(""), encoded };
});

// performance.now(): fixed during a query, moving in an action
export const perfQuery = query(async () => {
  const a = performance.now();
  for (let i = 0; i < 1e5; i++);
  return { same: performance.now() === a, type: typeof performance.timeOrigin };
});
export const perfAction = action(async () => {
  const a = performance.now();
  await new Promise((r) => setTimeout(r, 20));
  return { moved: performance.now() - a >= 19 };
});

// Event and EventTarget, structuredClone
export const events = query(async () => {
  const t = new EventTarget();
  const seen = [];
  t.addEventListener("ping", (e) => seen.push(`a:${e.type}`));
  t.addEventListener("ping", (e) => seen.push("once"), { once: true });
  t.dispatchEvent(new Event("ping"));
  t.dispatchEvent(new Event("ping"));
  const c = new AbortController();
  c.signal.onabort = () => seen.push("aborted");
  c.abort();
  return { seen, aborted: c.signal.aborted, reason: c.signal.reason.name, clone: structuredClone({ m: new Map([[1, 2]]) }).m.get(1) };
});

// fetch takes a URL object; a URLSearchParams body is form-encoded
export const fetchUrl = action(async () => {
  const r = new Request(new URL("http://example.com/p?q=1"), { method: "POST", body: new URLSearchParams({ a: "1 2" }) });
  return [r.url, r.headers.get("content-type"), await r.text()];
});
