// harness.test.mjs -- the convex-test-style harness (udf-cli/test) on the
// fixture, against the embedded cluster: t.query/mutation/action by api
// reference and by name, t.run with ctx.db, a kind mismatch refused, a failed
// mutation undoing only its own writes, error details, withIdentity, and
// every test's writes rolled back (the later tests see an empty table).
import { test } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { udfTest } from "udf-cli/test";
import { scratchApp, cliEnv, psql } from "./helpers.mjs";

Object.assign(process.env, cliEnv());
for (const k of Object.keys(process.env)) if (/^PG(HOST|PORT|DATABASE|USER|SERVICE)$/.test(k)) delete process.env[k];
const app = scratchApp("harness");
const t = await udfTest({ dir: app });
psql(["-c", "TRUNCATE tasks"]); // earlier test files committed rows
const { api } = await import(pathToFileURL(join(app, "convex", "_generated", "api.js")));

t.test("t.mutation and t.query by api reference, inside the test's transaction", async (t) => {
  const id = await t.mutation(api.tasks.add, { text: "first", priority: 1 });
  assert.equal(typeof id, "string");
  await t.mutation("tasks:add", { text: "second" });
  assert.deepEqual(await t.query(api.tasks.list, {}), ["[ ] first (p1)", "[ ] second (p3)"]);
  await t.mutation(api.tasks.finish, { id });
  assert.equal(await t.query(api.tasks.open, {}), 1);
});

t.test("the previous test's writes were rolled back", async (t) => {
  assert.deepEqual(await t.query(api.tasks.list, {}), []);
});

t.test("t.action, and a kind mismatch is refused", async (t) => {
  assert.equal(await t.action(api.notes.words, { text: "one Two three" }), 2);
  await assert.rejects(t.query(api.tasks.add, { text: "x" }), /tasks:add is a mutation, not a query: call it with t\.mutation\(\)/);
});

t.test("a failed mutation undoes only its own writes; the error keeps message, SQLSTATE and stack", async (t) => {
  await t.mutation(api.tasks.add, { text: "kept" });
  const err = await t.mutation(api.tasks.add, { text: "bad", priority: 7 }).catch((e) => e);
  assert.equal(err.message, "Uncaught Error: priority 7 is out of range 1..5");
  assert.equal(err.code, "UDF00");
  assert.match(err.detail, /convex\/lib\/format\.ts:12:11/);
  assert.deepEqual(await t.query(api.tasks.list, {}), ["[ ] kept (p3)"]);
});

t.test("t.run gets ctx.db in the same transaction, with an argument", async (t) => {
  await t.mutation(api.tasks.add, { text: "seen by run" });
  const n = await t.run(async (ctx, { extra }) => {
    await ctx.db.insert("tasks", { text: extra, done: true, priority: 5 });
    return (await ctx.db.query("tasks").collect()).length;
  }, { extra: "inserted by run" });
  assert.equal(n, 2);
  assert.deepEqual(await t.query(api.tasks.list, {}), ["[ ] seen by run (p3)", "[x] inserted by run (p5)"]);
});

t.test("withIdentity: ctx.auth.getUserIdentity() sees that user; without it, nobody", async (t) => {
  const who = await t.withIdentity({ name: "Ada Lovelace" }).run(async (ctx) => await ctx.auth.getUserIdentity());
  assert.equal(who.name, "Ada Lovelace");
  assert.equal(who.issuer, "https://convex.test");
  assert.match(who.subject, /^test-user-\d+$/);
  assert.equal(who.tokenIdentifier, `https://convex.test|${who.subject}`);
  assert.equal(await t.run(async (ctx) => await ctx.auth.getUserIdentity()), null);
  const grace = t.withIdentity({ subject: "grace", issuer: "https://idp.example", email: "grace@example.com" });
  assert.equal((await grace.run(async (ctx) => (await ctx.auth.getUserIdentity()).email)), "grace@example.com");
});

test("after the harness tests nothing was committed", async () => {
  // runs after the t.test tests above (node:test runs a file's tests in order)
  assert.equal(psql(["-c", "SELECT count(*) FROM tasks"]).stdout, "0\n");
  await assert.rejects(t.run(async () => 1), /t\.run needs a test transaction/);
});
