import { action, query, mutation, internalAction } from "./_generated/server";
import { internal } from "./_generated/api";
import { v } from "convex/values";

const base = (port) => `http://127.0.0.1:${port}`;

// GET with JSON, a POST with headers and a JSON body echoed back
export const basics = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const r = await fetch(`${base(port)}/json`);
    const json = await r.json();
    const post = await fetch(`${base(port)}/echo?x=1`, {
      method: "post",
      headers: { "X-Token": "abc", "Content-Type": "application/json" },
      body: JSON.stringify({ n: 1 }),
    });
    const echo = await post.json();
    return {
      status: r.status, ok: r.ok, statusText: r.statusText, type: r.headers.get("content-type"), json,
      url: r.url, redirected: r.redirected, bodyUsed: r.bodyUsed,
      echo: { method: echo.method, url: echo.url, token: echo.headers["x-token"],
        contentType: echo.headers["content-type"], body: echo.body },
    };
  },
});

// binary bodies both ways, a form body, a Blob body, and a text body
export const bodies = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const bin = await (await fetch(`${base(port)}/bytes?n=300`)).arrayBuffer();
    const u8 = new Uint8Array(bin);
    const sent = new Uint8Array([0, 255, 1, 254, 128]);
    const echoBin = await (await fetch(`${base(port)}/echo`, { method: "PUT", body: sent })).json();
    const echoForm = await (await fetch(`${base(port)}/echo`, {
      method: "POST", body: "a=1&b=two", headers: { "content-type": "application/x-www-form-urlencoded" },
    })).json();
    const blob = await (await fetch(`${base(port)}/bytes?n=10`)).blob();
    const echoBlob = await (await fetch(`${base(port)}/echo`, {
      method: "POST", body: new Blob(["hé", new Uint8Array([33])], { type: "text/x-custom" }),
    })).json();
    return {
      length: bin.byteLength, first: u8[0], at256: u8[256], last: u8[299],
      echoBin: { bytes: echoBin.bodyBytes, length: echoBin.length },
      form: { body: echoForm.body, type: echoForm.headers["content-type"] },
      blob: { size: blob.size, type: blob.type },
      echoBlob: { body: echoBlob.body, type: echoBlob.headers["content-type"] },
    };
  },
});

// headers: combined values, Set-Cookie kept apart, immutable on a response
export const headers = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const r = await fetch(`${base(port)}/cookies`);
    let immutable = null;
    try {
      r.headers.set("x", "y");
    } catch (e) {
      immutable = `${e.name}: ${e.message}`;
    }
    const h = new Headers([["B", "1"], ["a", "2"], ["b", "3"]]);
    let badName = null;
    try {
      new Headers({ "bad name": "x" });
    } catch (e) {
      badName = `${e.name}: ${e.message}`;
    }
    return {
      custom: r.headers.get("x-custom"), cookies: r.headers.getSetCookie(), immutable,
      sorted: [...h], badName,
    };
  },
});

// statuses: 404 is a response, not an error; status text from the server
export const statuses = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const r = await fetch(`${base(port)}/status?code=404`);
    const head = await fetch(`${base(port)}/json`, { method: "HEAD" });
    return { status: r.status, ok: r.ok, statusText: r.statusText, text: await r.text(),
      head: { status: head.status, text: await head.text() } };
  },
});

// redirects: followed (and reported), manual, error, and 303 turning a POST into a GET
export const redirects = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const to = encodeURIComponent(`${base(port)}/echo`);
    const followed = await fetch(`${base(port)}/redirect?to=${to}`);
    const manual = await fetch(`${base(port)}/redirect?to=${to}`, { redirect: "manual" });
    let error = null;
    try {
      await fetch(`${base(port)}/redirect?to=${to}`, { redirect: "error" });
    } catch (e) {
      error = `${e.name}: ${e.message.replace(/:\d+\//g, ":PORT/")}`;
    }
    const see = await (await fetch(`${base(port)}/redirect?to=${to}&status=303`, { method: "POST", body: "x" })).json();
    const keep = await (await fetch(`${base(port)}/redirect?to=${to}&status=307`, { method: "POST", body: "x" })).json();
    const relative = await fetch(`${base(port)}/redirect?to=/json`);
    return {
      followed: { status: followed.status, redirected: followed.redirected, landed: followed.url.endsWith("/echo") },
      manual: { status: manual.status, location: manual.headers.get("location").endsWith("/echo") },
      error, see: see.method, keep: [keep.method, keep.body],
      relative: await relative.json(),
    };
  },
});

// a redirect to a host that is not allowed is refused at that hop
export const redirectRefused = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    try {
      await fetch(`${base(port)}/redirect?to=${encodeURIComponent("http://example.com/")}`);
      return "fetched";
    } catch (e) {
      return `${e.name}: ${e.message}`;
    }
  },
});

// many fetches at once under Promise.all, against a server that takes 200 ms each
export const concurrent = action({
  args: { port: v.number(), n: v.number() },
  handler: async (ctx, { port, n }) => {
    const t0 = Date.now();
    const texts = await Promise.all(Array.from({ length: n }, () => fetch(`${base(port)}/slow?ms=200`).then((r) => r.text())));
    const ms = Date.now() - t0;
    return { n: texts.length, allSlow: texts.every((t) => t === "slow"), concurrent: ms < 200 * 4 };
  },
});

// JS runs while a fetch is in flight: a timer fires before the slow response arrives
export const overlap = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const order = [];
    const slow = fetch(`${base(port)}/slow?ms=150`).then(() => order.push("fetch"));
    setTimeout(() => order.push("timer"), 20);
    await slow;
    return order;
  },
});

// what fails: each a catchable TypeError with a clear message
export const failures = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const attempt = async (f) => {
      try {
        await f();
        return "no error";
      } catch (e) {
        return `${e.name}: ${e.message.replace(/\b(127\.0\.0\.1):\d+/g, "$1:PORT").replace(/port \d+/, "port PORT")}`;
      }
    };
    return {
      notAllowed: await attempt(() => fetch("http://example.com/")),
      scheme: await attempt(() => fetch("file:///etc/passwd")),
      relative: await attempt(() => fetch("/json")),
      malformed: await attempt(() => fetch("http://exa mple.com/")),
      getBody: await attempt(() => fetch(`${base(port)}/echo`, { body: "x" })),
      badHeader: await attempt(() => fetch(`${base(port)}/echo`, { headers: { "x-bad": "a\nb" } })),
      badMethod: await attempt(() => fetch(`${base(port)}/echo`, { method: "TRACE" })),
      timeout: await attempt(() => fetch(`${base(port)}/slow?ms=2000`)),
      oversize: await attempt(() => fetch(`${base(port)}/big?kb=64`)),
      refused: await attempt(() => fetch("http://127.0.0.1:1/")),
      bodyTwice: await attempt(async () => {
        const r = await fetch(`${base(port)}/json`);
        await r.text();
        await r.text();
      }),
    };
  },
});

// SSRF: with every host allowed ("*"), inner addresses are still refused
export const inner = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const attempt = async (url) => {
      try {
        await fetch(url);
        return "fetched";
      } catch (e) {
        return e.message.replace(/:\d+\//, ":PORT/");
      }
    };
    return {
      loopbackByName: await attempt(`http://localhost:${port}/json`),
      loopback: await attempt(`http://127.0.0.1:${port}/json`),
      metadata: await attempt("http://169.254.169.254/latest/meta-data/"),
      private10: await attempt("http://10.1.2.3/"),
      private192: await attempt("http://192.168.0.1/"),
      v6loopback: await attempt(`http://[::1]:${port}/`),
      mapped: await attempt(`http://[::ffff:127.0.0.1]:${port}/`),
      // .invalid never resolves (RFC 6761)
      unknownHost: await attempt("http://no-such-host.invalid/"),
    };
  },
});

// abort: before the fetch, during it (the connection is closed), and AbortSignal.timeout
export const abort = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const name = async (p) => {
      try {
        await p;
        return "no error";
      } catch (e) {
        return `${e.name}: ${e.message}`;
      }
    };
    const abortedBefore = Number(await (await fetch(`${base(port)}/aborted`)).text());
    const before = await name(fetch(`${base(port)}/json`, { signal: AbortSignal.abort() }));
    const c = new AbortController();
    const t0 = Date.now();
    const during = fetch(`${base(port)}/slow?ms=3000`, { signal: c.signal });
    setTimeout(() => c.abort(), 50);
    const duringResult = await name(during);
    const quick = Date.now() - t0 < 1000;
    const timeout = await name(fetch(`${base(port)}/slow?ms=3000`, { signal: AbortSignal.timeout(50) }));
    const custom = new AbortController();
    custom.abort(new Error("my reason"));
    const reason = await name(fetch(`${base(port)}/json`, { signal: custom.signal }));
    // give the server a moment to see the closed connections
    await new Promise((r) => setTimeout(r, 100));
    const closed = Number(await (await fetch(`${base(port)}/aborted`)).text()) - abortedBefore;
    return { before, during: duringResult, quick, timeout, reason, connectionsClosed: closed };
  },
});

// Request/Response objects built by hand
export const objects = action(async () => {
  const req = new Request("http://example.com/x", { method: "POST", body: "hi", headers: { a: "1" } });
  const res = Response.json({ a: 1 }, { status: 201 });
  const clone = res.clone();
  return {
    req: [req.method, req.url, req.headers.get("content-type"), await req.text()],
    res: [res.status, res.headers.get("content-type"), await res.json(), await clone.text()],
    error: Response.error().type,
    redirect: Response.redirect("http://example.com/", 301).headers.get("location"),
    badStatus: (() => { try { new Response("x", { status: 99 }); } catch (e) { return e.name; } })(),
  };
});

// a fetch left in flight is dropped when the action returns
export const dangling = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    fetch(`${base(port)}/slow?ms=5000`).then(() => console.log("dangling fetch finished"));
    return "returned";
  },
});

// in queries and mutations fetch rejects with Convex's words
export const inQuery = query(async () => {
  try {
    await fetch("http://example.com/");
  } catch (e) {
    return e.message;
  }
});
export const inMutation = mutation(async () => {
  const p = fetch("http://example.com/");
  return await p.then(() => "fetched", (e) => e.message);
});

// one fetch: its status, or its error's message
export const probe = action({
  args: { url: v.string() },
  handler: async (ctx, { url }) => {
    try {
      return (await fetch(url)).status;
    } catch (e) {
      return `${e.name}: ${e.message}`;
    }
  },
});

// ctx.runAction: the callee fetches and waits on its own loop while the caller's fetch is in flight
export const slowText = internalAction({
  args: { port: v.number(), ms: v.number() },
  handler: async (ctx, { port, ms }) => (await fetch(`${base(port)}/slow?ms=${ms}`)).text(),
});
export const nested = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const mine = fetch(`${base(port)}/json`).then((r) => r.json());
    const theirs = await ctx.runAction(internal.fetch.slowText, { port, ms: 50 });
    // the callee's leftover fetch (a dangling one) does not reach the caller
    await ctx.runAction(internal.fetch.dangling, { port });
    return { theirs, mine: await mine };
  },
});

// FormData: a multipart body the server receives, read back with formData(); a
// urlencoded body too; Response.body as a stream
export const forms = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const form = new FormData();
    form.append("name", "Ada");
    // (the server echoes the body as UTF-8 text, so the file holds text-safe bytes)
    form.append("file", new Blob([new Uint8Array([1, 2, 65])], { type: "application/x-demo" }), "d.bin");
    const echo = await (await fetch(`${base(port)}/echo`, { method: "POST", body: form })).json();
    const type = echo.headers["content-type"];
    const back = await new Response(echo.body, { headers: { "content-type": type } }).formData();
    const file = back.get("file");
    const urlencoded = await new Response("a=1&b=x+y", { headers: { "content-type": "application/x-www-form-urlencoded" } }).formData();
    const r = await fetch(`${base(port)}/bytes?n=5`);
    const reader = r.body.getReader();
    const chunks = [];
    for (let x = await reader.read(); !x.done; x = await reader.read()) chunks.push(...x.value);
    let again;
    try {
      await r.text();
    } catch (e) {
      again = e.name;
    }
    return {
      multipart: type.startsWith("multipart/form-data; boundary="),
      name: back.get("name"), file: [file.name, file.type, file.size],
      urlencoded: [...urlencoded], stream: chunks, bodyUsed: r.bodyUsed, readAgain: again,
    };
  },
});

// a ReadableStream request body is sent whole
export const streamBody = action({
  args: { port: v.number() },
  handler: async (ctx, { port }) => {
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode("part one, "));
        c.enqueue(new TextEncoder().encode("part two"));
        c.close();
      },
    });
    const echo = await (await fetch(`${base(port)}/echo`, { method: "POST", body })).json();
    return echo.body;
  },
});

// formData() is Convex's FormParse op: refused in queries and mutations
export const formInQuery = query(async () => {
  try {
    await new Response("a=1", { headers: { "content-type": "application/x-www-form-urlencoded" } }).formData();
    return "parsed";
  } catch (e) {
    return e.message;
  }
});
