// The stats-subsystems app, HTTP actions whose requests are known, for
// udf_http_stats and udf_stats (regress/t/010_stats_subsystems.pl).
import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";

const http = httpRouter();

// 5 bytes
http.route({ path: "/hello", method: "GET", handler: httpAction(async () => new Response("hello")) });
// the body back
http.route({
  path: "/echo",
  method: "POST",
  handler: httpAction(async (ctx, request) => new Response(await request.arrayBuffer())),
});
// a 500
http.route({
  path: "/fail",
  method: "GET",
  handler: httpAction(async () => {
    throw new Error("no");
  }),
});
// a redirect, no body
http.route({
  path: "/moved",
  method: "GET",
  handler: httpAction(async () => new Response(null, { status: 302, headers: { location: "/hello" } })),
});
// the bytes of a fetch of ?to=URL, with its status
http.route({
  path: "/proxy",
  method: "GET",
  handler: httpAction(async (ctx, request) => {
    const r = await fetch(new URL(request.url).searchParams.get("to"));
    return new Response(await r.arrayBuffer(), { status: r.status });
  }),
});

export default http;
