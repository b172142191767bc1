// Functions for sql/reliability.sql: calls that are stopped, fail, or leave
// promises behind, and what the next call finds.
import { query, mutation } from "./_generated/server";

let n = 0;
export const inc = mutation(async () => ++n);

// a queued write, then a loop that only a cancel or timeout ends
export const ghost = mutation(async (ctx) => {
  Promise.resolve().then(() => ctx.db.insert("rel_items", { v: "ghost" }));
  for (;;) {}
});
export const ghostThrow = mutation(async (ctx) => {
  Promise.resolve().then(() => ctx.db.insert("rel_items", { v: "ghost" }));
  throw new Error("boom");
});
export const read = query(async (ctx) => (await ctx.db.query("rel_items").collect()).length);

// catches every failed insert and carries on
export const insertAll = mutation(async (ctx) => {
  let caught = 0;
  for (let i = 0; i < 100; i++) {
    try {
      await ctx.db.insert("rel_slow", { i });
    } catch (e) {
      caught++;
    }
  }
  return caught;
});

export const countOwn = mutation(async (ctx) => {
  await ctx.db.insert("rel_items", { v: "own" });
  return [await ctx.db.query("rel_items").count(), (await ctx.db.query("rel_items").collect()).length];
});

// a continuation that waits for a later call to resume it
export const leave = mutation(async (ctx) => {
  (async () => {
    await new Promise((res) => {
      globalThis.resume = res;
    });
    try {
      await ctx.db.insert("rel_items", { v: "dangling" });
      globalThis.outcome = "inserted";
    } catch (e) {
      globalThis.outcome = e.message;
    }
  })();
  return "left";
});
export const hang = mutation(async (ctx) => {
  await new Promise((res) => {
    globalThis.resume = res;
  });
  await ctx.db.insert("rel_items", { v: "unfinished" });
});
export const resume = mutation(async () => {
  globalThis.outcome = null;
  globalThis.resume();
  for (let i = 0; i < 10; i++) await null;
  return globalThis.outcome;
});

export const spin = query(() => {
  for (;;) {}
});
// its insert runs a CHECK constraint that calls spin
export const checked = mutation(async (ctx) => {
  try {
    await ctx.db.insert("rel_checked", { v: 1 });
  } catch (e) {
    return "caught: " + e.message;
  }
  return "no error";
});

export const streams = query(async (ctx) => {
  let n = 0;
  for (let i = 0; i < 2000; i++) {
    for await (const d of ctx.db.query("rel_items")) {
      n++;
      break;
    }
  }
  return n;
});

// deployed code reaches the host only through the Convex global: the natives
// behind it (which skip the write checks) are not on the global
export const natives = query(() => [typeof globalThis.__udfNative, Object.getOwnPropertyNames(globalThis).filter((n) => /native/i.test(n))]);
