// harness.mjs -- a convex-test-style harness for an app's own tests (node's
// test runner or vitest), against a real PostgreSQL with udf: the embedded
// cluster by default, or { db: URL }. udfTest() bundles and deploys the app
// once (committed); each test then runs in a transaction rolled back at its
// end, so tests never see each other's writes:
//
//   import { test } from "node:test";
//   import { udfTest } from "udf-cli/test";
//   import { api } from "../convex/_generated/api.js";
//   const t = await udfTest({ dir: "." });
//   t.test("adds a task", async (t) => {
//     await t.mutation(api.tasks.add, { text: "a" });
//     assert.deepEqual(await t.query(api.tasks.list, {}), ["[ ] a (p3)"]);
//   });
//
// t.query/mutation/action call a public function by reference (api.x.y) or by
// name ("x:y"), check that it is of that kind, and return its value decoded
// from Convex JSON. t.run(fn) runs fn(ctx) as a mutation with ctx.db: its
// source is deployed as one more module inside the test's transaction, so it
// may not close over test variables (pass them as its second argument).
// Every call runs in a savepoint, so a failed one undoes only its own writes.
// t.withIdentity({ name: "Ada" }) gives the same calls made as that user
// (ctx.auth.getUserIdentity(), through the udf.identity setting; subject and
// issuer get defaults as convex-test gives them).
import { after, test as nodeTest } from "node:test";
import { getFunctionName } from "convex/server";
import { convexToJson, jsonToConvex } from "convex/values";
import { connect } from "./db.mjs";
import { bundleProject } from "./bundle.mjs";
import { codegen } from "./codegen.mjs";
import { deploy } from "./deploy.mjs";
import { findProject } from "./project.mjs";

const RUN_MODULE = "_udf_test/run.js";

// A function's name from a reference or a string.
function nameOf(ref) {
  if (typeof ref === "string") return ref;
  try {
    return getFunctionName(ref);
  } catch {
    throw new TypeError("udfTest: expected a function reference (api.module.fn) or a name \"module:fn\"");
  }
}

// An Error from a PostgreSQL error of a call, keeping SQLSTATE, detail and ConvexError data.
function callError(e, name) {
  if (!e.code) return e;
  const err = new Error(e.message);
  err.code = e.code;
  err.detail = e.detail;
  err.functionName = name;
  if (e.code === "UDF01" && e.detail) {
    try { err.data = jsonToConvex(JSON.parse(e.detail)); } catch { /* detail was not data */ }
  }
  return err;
}

// Bundle and deploy the app, and return the harness bound to one connection.
export async function udfTest({ dir = ".", db } = {}) {
  const project = findProject(dir);
  codegen(project);
  const { modules } = await bundleProject(project);
  const client = await connect({ db });
  const summary = await deploy(client, modules);
  const kinds = new Map(summary.functions.map((f) => [f.name, f.kind]));
  let inTx = false;

  let users = 0;
  // A full UserIdentity from the fields a test gives.
  const identityOf = (fields) => {
    const subject = fields.subject ?? `test-user-${++users}`;
    const issuer = fields.issuer ?? "https://convex.test";
    return { ...fields, subject, issuer, tokenIdentifier: fields.tokenIdentifier ?? `${issuer}|${subject}` };
  };

  // Call a function of the given kind; returns its decoded value.
  const call = async (kind, ref, args = {}, identity) => {
    const name = nameOf(ref);
    const actual = kinds.get(name.includes(":") ? name : `${name}:default`);
    if (actual && actual !== kind)
      throw new TypeError(`udfTest: ${name} is a ${actual}, not a ${kind}: call it with t.${actual}()`);
    return invoke(name, args, name, identity);
  };

  // udf_invoke in a savepoint: a failed call undoes only its own writes and
  // leaves the test's transaction usable, as a failed Convex mutation does.
  const invoke = async (name, args, what, identity) => {
    if (inTx) await client.query("SAVEPOINT udf_test_call");
    try {
      // every call says who calls, so one call's identity never leaks into the next
      await client.query("SELECT set_config('udf.identity', $1, $2)", [identity ? JSON.stringify(identity) : "", inTx]);
      const r = await client.query("SELECT udf_invoke($1, $2::jsonb)::text AS v", [name, JSON.stringify(convexToJson(args))]);
      if (inTx) await client.query("RELEASE SAVEPOINT udf_test_call");
      return jsonToConvex(JSON.parse(r.rows[0].v));
    } catch (e) {
      if (inTx && e.code) await client.query("ROLLBACK TO SAVEPOINT udf_test_call");
      throw callError(e, what);
    }
  };
  let closing = false;

  // The calls, made as identity (or as nobody).
  const calls = (identity) => ({
    query: (ref, args) => call("query", ref, args, identity),
    mutation: (ref, args) => call("mutation", ref, args, identity),
    action: (ref, args) => call("action", ref, args, identity),
    run: (fn, arg) => run(fn, arg, identity),
    // The same calls made as another user.
    withIdentity: (fields) => calls(identityOf(fields)),
  });

  // Run fn(ctx, arg) as a mutation with ctx.db, inside the test's transaction.
  const run = async (fn, arg = {}, identity) => {
    if (typeof fn !== "function") throw new TypeError("udfTest: t.run takes a function (ctx) => ...");
    if (!inTx) throw new Error("udfTest: t.run needs a test transaction: call it inside t.test(...) or after t.begin()");
    const source = `import { mutationGeneric } from "convex/server";\n` +
      `const fn = (${fn.toString()});\nexport const run = mutationGeneric({ handler: (ctx, { arg }) => fn(ctx, arg) });\n`;
    // the module stays deployed until the test's rollback takes it away
    await client.query("SAVEPOINT udf_test_deploy");
    try {
      await deploy(client, { ...modules, [RUN_MODULE]: source });
    } catch (e) {
      await client.query("ROLLBACK TO SAVEPOINT udf_test_deploy");
      throw e;
    }
    return invoke("_udf_test/run:run", { arg }, "t.run", identity);
  };

  const t = {
    functions: summary.functions,
    ...calls(null),
    // Open the test's transaction (for beforeEach).
    async begin() {
      if (inTx) throw new Error("udfTest: a test transaction is already open");
      await client.query("BEGIN");
      inTx = true;
    },
    // Roll the test's transaction back (for afterEach).
    async rollback() {
      if (!inTx) return;
      inTx = false;
      await client.query("ROLLBACK");
    },
    // A node:test test whose body runs in a transaction rolled back at its end.
    test(name, fn) {
      if (!closing) { closing = true; after(() => client.end()); }
      return nodeTest(name, async (tc) => {
        await t.begin();
        try {
          await fn(t, tc);
        } finally {
          await t.rollback();
        }
      });
    },
    // Close the connection (t.test does it after the file's last test).
    close: () => { closing = true; return client.end(); },
  };
  return t;
}
