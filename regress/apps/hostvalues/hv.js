import { query } from "./_generated/server";
import { v } from "convex/values";

const depth = (x) => (Array.isArray(x) ? 1 + Math.max(0, ...x.map(depth)) : 0);

export const get = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => ctx.db.get("hv", id),
});

// what JS sees of each field: keys in order, types, special numbers
export const inspect = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    const row = await ctx.db.get("hv", id);
    const show = (x) =>
      typeof x === "number" && !Number.isFinite(x) ? String(x) : typeof x === "string" && x.length > 40 ? `string(${x.length})` : x;
    const keys = (x) => (x === null || typeof x !== "object" ? "" : Array.isArray(x) ? "array" : Object.keys(x).join("|"));
    return Object.entries(row).map(([k, x]) => [k, typeof x, keys(x), show(x)]);
  },
});

export const deep = query(async (ctx) => depth((await ctx.db.get("hv", "3")).doc));

export const parallel = query(async (ctx) => {
  const rows = await Promise.all(["1", "2", "3", "1", "2"].map((id) => ctx.db.get("hv", id)));
  return rows.map((r) => r.id);
});

export const twoStreams = query(async (ctx) => {
  const a = ctx.db.query("hv")[Symbol.asyncIterator]();
  const b = ctx.db.query("hv").order("desc")[Symbol.asyncIterator]();
  const out = [];
  for (let i = 0; i < 3; i++) {
    const [x, y] = await Promise.all([a.next(), b.next()]);
    out.push([x.value.id, y.value.id]);
  }
  return out;
});

export const jsonParse = query(async () => {
  let token;
  try {
    JSON.parse("\u0000udf-value-0");
    token = "parsed";
  } catch (e) {
    token = e.name;
  }
  return {
    name: JSON.parse.name,
    length: JSON.parse.length,
    plain: JSON.parse('{"a":[1,2]}'),
    reviver: JSON.parse('{"a":1,"b":2}', (k, x) => (typeof x === "number" ? x * 10 : x)),
    token,
  };
});

// the raw ABI: an answer that is never parsed is dropped when the call ends
export const unparsed = query(async () => {
  const answer = await Convex.asyncSyscall("1.0/get", JSON.stringify({ id: "1", table: "hv", isSystem: false }));
  return JSON.parse(answer).id;
});

// large values on every read path: get, a query stream, a page
export const lengths = query(async (ctx) => {
  const len = (r) => [r.id, (r.t ?? "").length];
  const page = await ctx.db.query("hv").paginate({ numItems: 10, cursor: null });
  return {
    collect: (await ctx.db.query("hv").collect()).map(len),
    page: page.page.map(len),
  };
});

// field names a JavaScript literal must escape, and many shapes of object
export const oddKeys = query(async (ctx) => {
  const rows = await ctx.db.query("hvk").collect();
  return rows.map((r) => Object.keys(r.doc).join(" | "));
});
