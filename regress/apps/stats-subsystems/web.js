// The stats-subsystems app, fetches: actions whose fetches are known, for
// udf_stats' fetch columns (regress/t/010_stats_subsystems.pl).
import { v } from "convex/values";
import { action } from "./_generated/server";

// web:get {url, method?, body?, redirect?} -> {status, bytes} of the response, or {error}
export const get = action({
  args: { url: v.string(), method: v.optional(v.string()), body: v.optional(v.string()), redirect: v.optional(v.string()) },
  handler: async (ctx, { url, method, body, redirect }) => {
    try {
      const r = await fetch(url, { method: method ?? "GET", body, redirect: redirect ?? "follow" });
      return { status: r.status, bytes: (await r.arrayBuffer()).byteLength };
    } catch (e) {
      return { error: String(e.message) };
    }
  },
});

// web:all {urls} -> the statuses of fetches made at once
export const all = action({
  args: { urls: v.array(v.string()) },
  handler: async (ctx, { urls }) => (await Promise.all(urls.map((u) => fetch(u)))).map((r) => r.status),
});
