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

export default http;
