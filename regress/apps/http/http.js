import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";

const http = httpRouter();

// JSON in and out, with a header echoed
http.route({
  path: "/echo",
  method: "POST",
  handler: httpAction(async (ctx, request) => {
    const body = await request.json();
    return Response.json({ got: body, method: request.method, agent: request.headers.get("x-test") }, {
      status: 201,
      headers: { "x-route": "echo" },
    });
  }),
});

// exact beats prefix; the longest prefix wins
http.route({ path: "/files/exact", method: "GET", handler: httpAction(async () => new Response("exact")) });
http.route({
  pathPrefix: "/files/",
  method: "GET",
  handler: httpAction(async (ctx, request) => new Response("prefix " + new URL(request.url).pathname)),
});
http.route({
  pathPrefix: "/files/deep/",
  method: "GET",
  handler: httpAction(async (ctx, request) => {
    const url = new URL(request.url);
    return new Response("deep " + url.pathname + " q=" + url.searchParams.get("q"));
  }),
});

// binary bodies both ways: the bytes reversed
http.route({
  path: "/reverse",
  method: "PUT",
  handler: httpAction(async (ctx, request) => {
    const bytes = new Uint8Array(await request.arrayBuffer());
    return new Response(bytes.reverse(), { headers: { "content-type": "application/octet-stream" } });
  }),
});

// a throwing handler: 500, the stack only in the server log
http.route({
  path: "/throw",
  method: "GET",
  handler: httpAction(async () => {
    throw new Error("secret detail of the failure");
  }),
});

// not a Response
http.route({ path: "/bad", method: "GET", handler: httpAction(async () => "just a string") });

// storage through an HTTP action: store the body, answer its URL
http.route({
  path: "/store",
  method: "POST",
  handler: httpAction(async (ctx, request) => {
    const id = await ctx.storage.store(await request.blob());
    return Response.json({ id, url: await ctx.storage.getUrl(id) });
  }),
});

// a store, then a throw: as in Convex, what an action did before it failed stays done
http.route({
  path: "/store-then-throw",
  method: "POST",
  handler: httpAction(async (ctx, request) => {
    await ctx.storage.store(await request.blob());
    throw new Error("failed after storing");
  }),
});

// the database through ctx.runMutation and runQuery, as udf.http_role
http.route({
  path: "/note",
  method: "POST",
  handler: httpAction(async (ctx, request) => {
    const { body } = await request.json();
    await ctx.runMutation("notes:add", { body });
    return Response.json({ count: await ctx.runQuery("notes:count", {}) });
  }),
});

// slow: for concurrency
http.route({
  path: "/slow",
  method: "GET",
  handler: httpAction(async () => {
    // busy in JS for 2 s (an action's clock is real): this worker is held up
    const end = Date.now() + 2000;
    while (Date.now() < end);
    return new Response("slept");
  }),
});

// streamed bodies: each chunk goes out as the stream yields it
const enc = (s) => new TextEncoder().encode(s);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// a pull source whose second chunk comes after a timer
http.route({
  path: "/stream",
  method: "GET",
  handler: httpAction(async () => {
    let n = 0;
    const body = new ReadableStream({
      async pull(c) {
        n++;
        if (n === 1) c.enqueue(enc("first\n"));
        else if (n === 2) {
          await sleep(1500);
          c.enqueue(enc("second\n"));
        } else c.close();
      },
    });
    return new Response(body, { status: 207, headers: { "content-type": "text/plain", "x-stream": "yes" } });
  }),
});

// a body written by the handler's own async code after it returned the Response
http.route({
  path: "/stream-writer",
  method: "GET",
  handler: httpAction(async () => {
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    (async () => {
      for (const part of ["a", "b", "c"]) {
        await writer.write(enc(part));
        await sleep(300);
      }
      await writer.close();
    })();
    return new Response(readable);
  }),
});

// past Convex's 20 MiB: the response is cut off, the log names the route
http.route({
  path: "/stream-huge",
  method: "GET",
  handler: httpAction(async () => {
    const mib = new Uint8Array(1024 * 1024).fill(120);
    return new Response(new ReadableStream({ pull: (c) => c.enqueue(mib) }));
  }),
});

// a stream that fails half way: cut off, logged
http.route({
  path: "/stream-throw",
  method: "GET",
  handler: httpAction(async () => {
    let n = 0;
    return new Response(new ReadableStream({
      async pull(c) {
        if (n++ === 0) c.enqueue(enc("partial\n"));
        else {
          await sleep(100);
          throw new Error("the stream broke");
        }
      },
    }));
  }),
});

// endless ticks, for a client that goes away: canceled then
http.route({
  path: "/stream-forever",
  method: "GET",
  handler: httpAction(async () => new Response(new ReadableStream({
    async pull(c) {
      await sleep(100);
      c.enqueue(enc("tick\n"));
    },
    cancel() {
      console.warn("stream-forever canceled");
    },
  }))),
});

// ?n= chunks of 1 MiB (bytes 0..255 over and over), for slow and stalled readers
http.route({
  path: "/stream-mib",
  method: "GET",
  handler: httpAction(async (ctx, request) => {
    const n = Number(new URL(request.url).searchParams.get("n") ?? 1);
    const mib = Uint8Array.from({ length: 1024 * 1024 }, (_, i) => i & 255);
    let sent = 0;
    return new Response(new ReadableStream({
      pull(c) {
        if (sent++ < n) c.enqueue(mib);
        else c.close();
      },
    }), { headers: { "content-type": "application/octet-stream" } });
  }),
});

// a Stripe webhook: Stripe-Signature "t=<unix s>,v1=<hex HMAC-SHA256 of t.body>", checked
// with Web Crypto before anything is written (the secret is the endpoint's whsec_...)
const STRIPE_SECRET = "whsec_udf_test_7b1f0c52e9a84d36";
const TOLERANCE_S = 300;
const hexBytes = (hex) => /^([0-9a-f]{2})+$/.test(hex) ? new Uint8Array(hex.match(/../g).map((h) => parseInt(h, 16))) : null;

http.route({
  path: "/stripe",
  method: "POST",
  handler: httpAction(async (ctx, request) => {
    const payload = await request.text();
    const header = request.headers.get("stripe-signature") ?? "";
    const parts = Object.fromEntries(header.split(",").map((kv) => kv.split("=", 2)));
    const t = Number(parts.t);
    const signature = hexBytes(parts.v1 ?? "");
    if (!Number.isInteger(t) || signature === null) return new Response("missing signature", { status: 400 });
    if (Math.abs(Date.now() / 1000 - t) > TOLERANCE_S) return new Response("stale signature", { status: 400 });
    const key = await crypto.subtle.importKey("raw", enc(STRIPE_SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    if (!(await crypto.subtle.verify("HMAC", key, signature, enc(`${t}.${payload}`)))) {
      return new Response("bad signature", { status: 400 });
    }
    const event = JSON.parse(payload);
    await ctx.runMutation("notes:recordEvent", { eventId: event.id, type: event.type });
    return Response.json({ received: true });
  }),
});

export default http;
