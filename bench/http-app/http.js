import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";

const http = httpRouter();
// the trivial HTTP action: a fixed JSON answer
http.route({ path: "/ping", method: "GET", handler: httpAction(async () => Response.json({ ok: true })) });
export default http;
