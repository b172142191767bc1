import { test, describe, beforeEach } from "node:test";
import assert from "node:assert/strict";

import {
  queryGeneric,
  mutationGeneric,
  actionGeneric,
  internalQueryGeneric,
  internalMutationGeneric,
  internalActionGeneric,
  httpActionGeneric,
  defineSchema,
  defineTable,
  cronJobs,
  anyApi,
} from "convex/server";
import { v, ConvexError, convexToJson } from "convex/values";

import { setupError } from "../src/setup/03_error.js";
import { setupJson } from "../src/setup/04_json.js";
import { setupConvex } from "../src/setup/05_convex.js";
import { setupConsole } from "../src/setup/02_console.js";
import { setupDeterminism } from "../src/setup/01_determinism.js";
import { makeOps } from "../src/ops.js";
import { makeDocuments } from "../src/documents.js";
import { makeIds } from "../src/ids.js";
import { makeAuth } from "../src/auth.js";
import { makeStreams } from "../src/streams.js";
import { makeRuntime } from "../src/runtime.js";
import { makePlainWriter } from "../src/plain.js";
import { makeLoop } from "../src/loop.js";
import { kindOf, displayName } from "../src/functions.js";
import { SQLSTATE } from "../src/errors.js";
import { INVOKE_ALLOW_INTERNAL, INVOKE_TRIGGER, INVOKE_NESTED, INVOKE_ARGS_BUILT, INVOKE_NO_IDENTITY } from "../src/call.js";

// --- a small fake host ----------------------------------------------------
// The convex package calls globalThis.Convex, so the real setupSyscall is
// installed on the real global, once (it defines a non-configurable property;
// node --test runs every file in its own process). Console and determinism
// are the real parts, set up on stand-in globals and wrapped to record calls.

const log = []; // everything the host sees, in order
let syscallReply = () => "null";
const defaultOps = { "db/idTable": { ok: true }, "auth/identity": { identity: null, claims: null } };
let opReply = (name) => defaultOps[name] ?? null;
const native = {
  syscall(op, json) {
    log.push(["syscall", op, JSON.parse(json)]);
    return syscallReply(op, json);
  },
  op(name, ...args) {
    log.push(["op", name, ...args]);
    return opReply(name, ...args);
  },
  console(level, line) {
    log.push(["console", level, line]);
  },
};

const consoleGlobal = {};
const realConsole = setupConsole(consoleGlobal, native);
const realConstructor = Object.getOwnPropertyDescriptor(Date.prototype, "constructor");
const fakeGlobal = { Date, Math: Object.create(Math) };
const realDeterminism = setupDeterminism(fakeGlobal);
Object.defineProperty(Date.prototype, "constructor", realConstructor);

const errors = setupError(globalThis);
const json = setupJson(globalThis);
const ops = makeOps(native);
const ids = makeIds(ops);
const documents = makeDocuments(ops, ids);
const auth = makeAuth(ops);
const streams = makeStreams(ops);
// one writer of plain values for the context, as setupAll makes it
const writePlain = makePlainWriter();
const syscall = setupConvex(globalThis, { native, determinism: realDeterminism, errors, json, documents, ids, auth, streams, ops, writePlain });

// the host's settle without V8's promise state: a promise, or any object, is
// pending to it, so these tests take invoke's async way; the fast path runs in
// the real host (sql/invoke.sql)
const settle = (value, pending) => (typeof value === "object" && value !== null ? pending : value);

const parts = {
  syscall,
  writePlain,
  settle,
  loop: makeLoop(native, Date.now),
  documents,
  ids,
  console: {
    ...realConsole,
    reset() {
      log.push(["console.reset"]);
      realConsole.reset();
    },
  },
  determinism: {
    ...realDeterminism,
    begin(o) {
      log.push(["begin", o]);
      realDeterminism.begin(o);
    },
    end() {
      log.push(["end"]);
      realDeterminism.end();
    },
  },
};

const rt = makeRuntime(parts);
const OPTS = { module: "m.js", seed: "ab", now: 1000 };
// an entry point's answer as the host reads it (extension/v8shim/call.cc, ReadAnswer):
// a string is a success's JSON text, anything else a failure object
const answer = (r) => {
  if (typeof r === "string") return { ok: true, json: r };
  assert.equal(typeof r, "object", `an answer is JSON text or a failure object: ${r}`);
  assert.ok(r !== null && !("ok" in r) && !("json" in r), `a failure object: ${JSON.stringify(r)}`);
  return { ok: false, ...r };
};
// the host's typed call
const invokeWith = async (ns, name, args, o) => {
  const flags = (o.allowInternal ? INVOKE_ALLOW_INTERNAL : 0) | (o.trigger ? INVOKE_TRIGGER : 0) |
    (o.nested ? INVOKE_NESTED : 0) | (o.argsBuilt ? INVOKE_ARGS_BUILT : 0);
  return answer(await rt.invoke(ns, name, args, o.module, o.seed, o.now, flags, o.expectKind ?? null, o.requestId ?? ""));
};
const call = (ns, name, args = "{}", opts = OPTS) => invokeWith(ns, name, args, opts);
const one = (fn) => ({ fn }); // a module namespace with one export, "fn"

beforeEach(() => {
  log.length = 0;
  syscallReply = () => "null";
  opReply = (name) => defaultOps[name] ?? null;
});

function assertOk(r, json) {
  assert.deepEqual(r, { ok: true, json });
}

function assertFail(r, code, messageTest) {
  assert.equal(r.ok, false, JSON.stringify(r));
  assert.equal(r.code, code, JSON.stringify(r));
  if (typeof messageTest === "string") assert.equal(r.message, messageTest);
  else if (messageTest instanceof RegExp) assert.match(r.message, messageTest);
}

// --- the function kinds ---------------------------------------------------

describe("successful calls", () => {
  test("query, mutation and action return their JSON", async () => {
    const ns = {
      q: queryGeneric({ args: { x: v.number() }, handler: async (_ctx, { x }) => x + 1 }),
      m: mutationGeneric({ args: { s: v.string() }, handler: async (_ctx, { s }) => s.toUpperCase() }),
      a: actionGeneric({ args: { xs: v.array(v.number()) }, handler: async (_ctx, { xs }) => ({ sum: xs.reduce((p, c) => p + c, 0) }) }),
      sync: queryGeneric((_ctx, args) => ({ got: args })), // not async, no validators
    };
    assertOk(await call(ns, "q", '{"x": 41}'), "42");
    assertOk(await call(ns, "m", '{"s": "hi"}'), '"HI"');
    assertOk(await call(ns, "a", '{"xs": [1, 2, 3.5]}'), '{"sum":6.5}');
    assertOk(await call(ns, "sync", '{"k": [true, null, "s"]}'), '{"got":{"k":[true,null,"s"]}}');
  });

  test("a handler returning undefined returns null", async () => {
    for (const make of [queryGeneric, mutationGeneric, actionGeneric]) {
      assertOk(await call(one(make(async () => {})), "fn"), "null");
      assertOk(await call(one(make(() => undefined)), "fn"), "null");
    }
    // and satisfies a v.null() returns validator
    assertOk(await call(one(queryGeneric({ args: {}, returns: v.null(), handler: async () => {} })), "fn"), "null");
  });

  test("bigint and bytes results use Convex JSON encoding", async () => {
    const fn = queryGeneric(async () => ({
      i: 5n,
      neg: -1n,
      b: new Uint8Array([1, 2, 3]).buffer,
      f: 1.5,
      nested: [{ big: 2n ** 62n }],
    }));
    const r = await call(one(fn), "fn");
    assert.equal(r.ok, true);
    const json = JSON.parse(r.json);
    assert.deepEqual(json.i, { $integer: "BQAAAAAAAAA=" });
    assert.deepEqual(json.neg, { $integer: "//////////8=" });
    assert.deepEqual(json.b, { $bytes: "AQID" });
    assert.equal(json.f, 1.5);
    assert.deepEqual(json.nested[0].big, convexToJson(2n ** 62n));
    // special floats are encoded too
    const r2 = await call(one(queryGeneric(async () => [NaN, Infinity, -0])), "fn");
    assert.deepEqual(JSON.parse(r2.json), convexToJson([NaN, Infinity, -0]));
    // a bare number's text is the number's own, but for the special ones
    for (const n of [42, -1.5, 1e21, 5e-324, NaN, -Infinity, -0]) {
      const r3 = await call(one(queryGeneric(async () => n)), "fn");
      assert.equal(r3.json, JSON.stringify(convexToJson(n)), String(n));
    }
  });

  test("the handler is called as the package calls it: no this, a sync value or throw awaited", async () => {
    let self = "unset";
    const r = await call(one(queryGeneric(function () { self = this; return 7; })), "fn");
    assert.equal(r.json, "7");
    assert.equal(self, undefined);
    // a synchronous throw of a ConvexError is serialized as an async one is
    const thrown = await call(one(queryGeneric(() => { throw new ConvexError({ code: 1n }); })), "fn");
    assertFail(thrown, "UDF01", /^Uncaught ConvexError: /);
    assert.deepEqual(JSON.parse(thrown.detail), { code: convexToJson(1n) });
  });

  test("Convex JSON arguments are decoded before the handler sees them", async () => {
    let seen;
    const fn = mutationGeneric({
      args: { n: v.int64(), b: v.bytes(), f: v.float64() },
      handler: async (_ctx, args) => {
        seen = args;
        return args.n * 2n;
      },
    });
    const args = JSON.stringify({ n: { $integer: "BQAAAAAAAAA=" }, b: { $bytes: "AQID" }, f: { $float: "AAAAAAAA+H8=" } });
    const r = await call(one(fn), "fn", args);
    assertOk(r, JSON.stringify(convexToJson(10n)));
    assert.equal(seen.n, 5n);
    assert.ok(seen.b instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(seen.b)], [1, 2, 3]);
    assert.ok(Number.isNaN(seen.f));
  });

  test("arguments the host built as values are used as they are, not parsed", async () => {
    const fn = queryGeneric({ args: { n: v.int64(), s: v.string() }, handler: async (ctx, { n, s }) => `${s}:${n + 1n}` });
    const built = { ...OPTS, argsBuilt: true };
    assertOk(await call(one(fn), "fn", { n: { $integer: "BQAAAAAAAAA=" }, s: "x" }, built), '"x:6"');
    // a string value is a string argument, never JSON text to parse
    const r = await call(one(fn), "fn", "{}", built);
    assert.equal(r.ok, false);
    assert.equal(r.code, SQLSTATE.argumentValidation);
    assert.match(r.message, /Expected to receive an object/);
  });

  test("the default export is named after the module", async () => {
    const ns = { default: queryGeneric(async (ctx) => (await ctx.meta.getFunctionMetadata()).name) };
    assertOk(await call(ns, "default"), '"m"');
    const opts = { module: "dir/sub/mod.js", seed: "ab", now: 1 };
    assertOk(await call(ns, "default", "{}", opts), '"dir/sub/mod"');
  });

  test("ctx.meta.getFunctionMetadata() answers the function's name", async () => {
    const get = async (ctx) => ctx.meta.getFunctionMetadata();
    const ns = { fn: queryGeneric(get), mut: mutationGeneric(get), act: actionGeneric(get) };
    const r = await call(ns, "fn");
    assert.equal(r.ok, true);
    assert.deepEqual(JSON.parse(r.json), { name: "m:fn", componentPath: "", type: "query", visibility: "public" });
    assert.equal(JSON.parse((await call(ns, "mut")).json).name, "m:mut");
    assert.deepEqual(JSON.parse((await call(ns, "act")).json), { name: "m:act", componentPath: "", type: "action", visibility: "public" });
    const opts = { module: "a/b.js", seed: "ab", now: 1 };
    assert.equal(JSON.parse((await call(ns, "fn", "{}", opts)).json).name, "a/b:fn");
    // answered locally, not by the host
    assert.equal(log.filter((e) => e[0] === "syscall").length, 0);
  });

  test("ctx.auth.getUserIdentity() is null", async () => {
    assertOk(await call(one(queryGeneric(async (ctx) => ctx.auth.getUserIdentity())), "fn"), "null");
    assertOk(await call(one(mutationGeneric(async (ctx) => ctx.auth.getUserIdentity())), "fn"), "null");
  });

  test("other syscalls go to the host while the function runs", async () => {
    syscallReply = (op) => (op === "1.0/count" ? "3" : "null");
    const fn = queryGeneric(async (ctx) => ctx.db.query("t").count());
    assertOk(await call(one(fn), "fn"), "3");
    const sys = log.filter((e) => e[0] === "syscall");
    assert.equal(sys.length, 1);
    assert.equal(sys[0][1], "1.0/count");
    assert.equal(sys[0][2].table, "t");
  });

  test("db.get is the typed 1.0/get: (table or null, id) -> [document, plain]", async () => {
    const answers = { plain: [{ _id: "abc", n: 1 }, true], tagged: [{ _id: "abc", n: { $integer: "AQAAAAAAAAA=" } }, false] };
    let answer = answers.plain;
    opReply = (name) => (name === "1.0/get" ? answer : defaultOps[name] ?? null);
    const byId = queryGeneric(async (ctx) => ctx.db.get("abc"));
    assertOk(await call(one(byId), "fn"), '{"_id":"abc","n":1}');
    const ops = log.filter((e) => e[0] === "op" && e[1] === "1.0/get");
    assert.deepEqual(ops, [["op", "1.0/get", null, "abc"]]);
    assert.equal(log.filter((e) => e[0] === "syscall").length, 0);
    // the two-argument form names the table; db.system.get is the same op
    log.length = 0;
    await call(one(queryGeneric(async (ctx) => [await ctx.db.get("t", "abc"), await ctx.db.system.get("_storage", "x")])), "fn");
    assert.deepEqual(log.filter((e) => e[0] === "op").map((e) => e.slice(2)), [["t", "abc"], ["_storage", "x"]]);
    // a document with Convex-encoded values is decoded; a plain one is handed over as it is
    answer = answers.tagged;
    let seen;
    await call(one(mutationGeneric(async (ctx) => { seen = await ctx.db.get("abc"); })), "fn");
    assert.equal(seen.n, 1n);
    // the package's checks of the id
    const bad = await call(one(queryGeneric(async (ctx) => ctx.db.get(undefined))), "fn");
    assertFail(bad, "UDF00", /Must provide arg 1 `id` to `get`/);
    const notString = await call(one(queryGeneric(async (ctx) => ctx.db.get(42))), "fn");
    assertFail(notString, "UDF00", /Invalid argument `id` for `db.get`, expected string but got 'number': 42/);
  });

  test("a failing host syscall becomes an uncaught JavaScript error", async () => {
    opReply = (name) => {
      if (name === "1.0/get") throw new Error("table not found");
      return defaultOps[name] ?? null;
    };
    const r = await call(one(queryGeneric(async (ctx) => ctx.db.get("abc"))), "fn");
    assertFail(r, "UDF00", "Uncaught Error: table not found");
    syscallReply = () => {
      throw new Error("no count today");
    };
    const c = await call(one(queryGeneric(async (ctx) => ctx.db.query("t").count())), "fn");
    assertFail(c, "UDF00", "Uncaught Error: no count today");
  });

  test("determinism phases: queries and mutations frozen, actions not; console reset", async () => {
    const opts = { module: "m.js", seed: "cafe", now: 1234 };
    let seenNow;
    const capture = async () => {
      seenNow = fakeGlobal.Date.now();
    };
    const ns = { q: queryGeneric(capture), m: mutationGeneric(capture), a: actionGeneric(capture) };
    for (const [name, deterministic] of [["q", true], ["m", true], ["a", false]]) {
      log.length = 0;
      await call(ns, name, "{}", opts);
      const phases = log.filter((e) => e[0] === "begin" || e[0] === "end" || e[0] === "console.reset");
      assert.deepEqual(phases, [["begin", { seed: "cafe", now: 1234, deterministic }], ["console.reset"], ["end"]], name);
      if (deterministic) assert.equal(seenNow, 1234, name);
      else assert.ok(Math.abs(seenNow - Date.now()) < 5000, name);
    }
  });

  test("the call state is cleared afterwards, also after a failure", async () => {
    let during;
    await call(one(queryGeneric(async () => { during = syscall.current; })), "fn");
    assert.deepEqual(during, { name: "m:fn", kind: "query", anonymous: false });
    assert.equal(syscall.current, null);
    await call(one(actionGeneric(async () => { throw new Error("x"); })), "fn");
    assert.equal(syscall.current, null);
    assert.deepEqual(log.at(-1), ["end"]);
    // outside a call, host syscalls are refused
    assert.throws(() => globalThis.Convex.syscall("1.0/get", "{}"), /at import time/);
    await assert.rejects(globalThis.Convex.asyncSyscall("1.0/get", "{}"), /at import time/);
    assert.throws(() => globalThis.Convex.syscall("1.0/getFunctionMetadata", "{}"), /only be called inside a function/);
    assert.throws(() => globalThis.Convex.jsSyscall("anything"), /does not implement/);
  });

  test("console output reaches the host", async () => {
    await call(one(queryGeneric(async () => {
      consoleGlobal.console.log("hello", { a: 1 });
      consoleGlobal.console.warn("careful");
    })), "fn");
    const lines = log.filter((e) => e[0] === "console");
    assert.deepEqual(lines, [["console", "log", "hello { a: 1 }"], ["console", "warn", "careful"]]);
  });
});

// --- lookup failures ------------------------------------------------------

describe("finding the function", () => {
  test("an unknown export is 42883", async () => {
    const r = await call({}, "fn");
    assertFail(r, "42883", "Could not find public function for 'm:fn'.");
    assert.match(r.hint, /udf_functions/);
  });

  test("internal functions are not callable by name", async () => {
    for (const make of [internalQueryGeneric, internalMutationGeneric, internalActionGeneric]) {
      let ran = false;
      const r = await call(one(make(async () => { ran = true; })), "fn");
      assertFail(r, "42883", "Could not find public function for 'm:fn'.");
      assert.equal(ran, false);
    }
  });

  test("exports that are not registered functions are 42883", async () => {
    const ns = { n: 5, o: { isQuery: true }, plain: () => 1, s: "query" };
    for (const name of ["n", "o", "plain", "s"]) {
      assertFail(await call(ns, name), "42883", `Could not find public function for 'm:${name}'.`);
    }
    // inherited properties do not count
    assertFail(await call({}, "toString"), "42883");
    assertFail(await call(Object.create({ fn: queryGeneric(async () => 1) }), "fn"), "42883");
  });

  test("the default export of a missing function is named after the module", async () => {
    assertFail(await call({}, "default"), "42883", "Could not find public function for 'm'.");
  });

  test("an HTTP action is 42809", async () => {
    let ran = false;
    const ns = { fn: httpActionGeneric(async () => { ran = true; return new Response("x"); }) };
    const r = await call(ns, "fn");
    assertFail(r, "42809", /^'m:fn' is an HTTP action/);
    assert.equal(ran, false);
    assert.equal(log.length, 0, "no phase was entered");
  });
});

// --- argument validation --------------------------------------------------

describe("arguments", () => {
  const fn = queryGeneric({
    args: { x: v.number(), o: v.optional(v.object({ b: v.string() })) },
    handler: async (_ctx, { x }) => x,
  });
  const ns = one(fn);

  const expectBad = async (args, ...fragments) => {
    const r = await call(ns, "fn", args);
    assertFail(r, "22023", /^ArgumentValidationError:/);
    for (const f of fragments) assert.ok(r.message.includes(f), `${JSON.stringify(r.message)} should mention ${f}`);
    assert.equal(log.filter((e) => e[0] === "begin").length, 0, "the function did not run");
    return r;
  };

  test("valid arguments pass", async () => {
    assertOk(await call(ns, "fn", '{"x": 1}'), "1");
    assertOk(await call(ns, "fn", '{"x": 2, "o": {"b": "s"}}'), "2");
  });

  test("wrong type names the path", async () => {
    const r = await expectBad('{"x": "s"}', "Path: .x", 'Value: "s"', "v.float64()");
    assert.equal(r.detail, "Function: m:fn");
    await expectBad('{"x": 1, "o": {"b": 3}}', "Path: .o.b", "v.string()");
    await expectBad('{"x": 1, "o": 7}', "Path: .o");
  });

  test("missing field", async () => {
    await expectBad("{}", "missing the required field `x`");
    await expectBad('{"x": 1, "o": {}}', "missing the required field `b`", "Path: .o");
  });

  test("extra field", async () => {
    await expectBad('{"x": 1, "y": 2}', "extra field `y`");
    await expectBad('{"x": 1, "o": {"b": "s", "c": 1}}', "extra field `c`", "Path: .o");
  });

  test("arguments that are not an object", async () => {
    await expectBad("[1]", "Expected to receive an object");
    await expectBad('"s"', "Expected to receive an object");
    await expectBad("null", "Expected to receive an object");
  });

  test("invalid JSON or invalid Convex JSON is 22023", async () => {
    const r = await expectBad('{"x": {"$integer": "!!"}}', "not valid Convex JSON");
    assert.match(r.message, /^ArgumentValidationError: arguments of 'm:fn' are not valid Convex JSON: /);
    await expectBad("{", "not valid Convex JSON");
    await expectBad("", "not valid Convex JSON");
    await expectBad('{"x": {"$bytes": 5}}', "not valid Convex JSON");
    // even for functions without an args validator
    const anyArgs = one(queryGeneric(async () => 1));
    assertFail(await call(anyArgs, "fn", '{"x": {"$integer": "!!"}}'), "22023", /not valid Convex JSON/);
    assertOk(await call(anyArgs, "fn", '{"whatever": [1]}'), "1");
  });

  test("an args validator that cannot be exported is reported, not thrown", async () => {
    const broken = queryGeneric({ args: { x: undefined }, handler: async () => 1 });
    const r = await call(one(broken), "fn", '{"x": 1}');
    assertFail(r, "UDF00", /A validator is undefined for field "x"/);
  });
});

// --- results and errors ---------------------------------------------------

describe("return values and errors", () => {
  test("a returns validator mismatch is UDF02", async () => {
    const fn = queryGeneric({ args: {}, returns: v.string(), handler: async () => 1 });
    const r = await call(one(fn), "fn");
    assertFail(r, "UDF02", /^Function m:fn return value invalid: /);
    assert.ok(r.message.includes("v.string()"));
    const obj = actionGeneric({ returns: v.object({ a: v.number() }), handler: async () => ({ a: "x" }) });
    assertFail(await call(one(obj), "fn"), "UDF02", /^Function m:fn return value invalid: [\s\S]*Path: \.a/);
    const undef = mutationGeneric({ returns: v.string(), handler: async () => {} });
    assertFail(await call(one(undef), "fn"), "UDF02", /^Function m:fn return value invalid: /);
    const good = queryGeneric({ returns: v.object({ n: v.int64() }), handler: async () => ({ n: 3n }) });
    assertOk(await call(one(good), "fn"), JSON.stringify({ n: convexToJson(3n) }));
  });

  test("a thrown Error is UDF00 'Uncaught Error: <msg>' with the stack as detail", async () => {
    const r = await call(one(mutationGeneric(async () => { throw new Error("boom"); })), "fn");
    assertFail(r, "UDF00", "Uncaught Error: boom");
    assert.equal(typeof r.detail, "string");
    assert.match(r.detail, /^ {4}at /);
    const t = await call(one(queryGeneric(() => { throw new TypeError("bad type"); })), "fn");
    assertFail(t, "UDF00", "Uncaught TypeError: bad type");
  });

  test("a thrown ConvexError is UDF01 with its data as Convex JSON detail", async () => {
    const r = await call(one(queryGeneric(async () => { throw new ConvexError({ a: 1 }); })), "fn");
    assertFail(r, "UDF01", /^Uncaught ConvexError: /);
    assert.deepEqual(JSON.parse(r.detail), { a: 1 });

    const s = await call(one(actionGeneric(async () => { throw new ConvexError("plain"); })), "fn");
    assertFail(s, "UDF01", "Uncaught ConvexError: plain");
    assert.equal(JSON.parse(s.detail), "plain");

    const b = await call(one(mutationGeneric(async () => { throw new ConvexError({ n: 7n }); })), "fn");
    assertFail(b, "UDF01");
    assert.deepEqual(JSON.parse(b.detail), { n: convexToJson(7n) });
  });

  test("thrown non-errors", async () => {
    assertFail(await call(one(queryGeneric(async () => { throw 42; })), "fn"), "UDF00", "Uncaught 42");
    assertFail(await call(one(queryGeneric(async () => { throw "oops"; })), "fn"), "UDF00", "Uncaught oops");
    const r = await call(one(queryGeneric(async () => { throw null; })), "fn");
    assertFail(r, "UDF00", "Uncaught null");
    assert.equal(r.detail, undefined);
  });

  test("a rejected promise returned by a non-async handler", async () => {
    const r = await call(one(queryGeneric(() => Promise.reject(new RangeError("late")))), "fn");
    assertFail(r, "UDF00", "Uncaught RangeError: late");
  });
});

// --- analyze --------------------------------------------------------------

describe("analyze", () => {
  test("lists the functions of a module, sorted by export name", () => {
    const ns = {
      zeta: mutationGeneric({ args: { n: v.number() }, returns: v.string(), handler: async () => "" }),
      alpha: queryGeneric(async () => 1),
      mid: internalActionGeneric({ args: { s: v.optional(v.string()) }, handler: async () => null }),
      default: queryGeneric({ args: {}, handler: async () => 1 }),
      internalQ: internalQueryGeneric(async () => 1),
      CONSTANT: 5,
      helper: () => 1,
      obj: { isQuery: true },
      nothing: null,
    };
    const r = answer(rt.analyze(ns, "dir/m.js"));
    assert.equal(r.ok, true);
    const list = JSON.parse(r.json);
    assert.deepEqual(list.map((f) => f.export), ["alpha", "default", "internalQ", "mid", "zeta"]);
    const by = Object.fromEntries(list.map((f) => [f.export, f]));
    assert.deepEqual(by.alpha, {
      name: "dir/m:alpha",
      module: "dir/m.js",
      export: "alpha",
      kind: "query",
      visibility: "public",
      args: { type: "any" },
      returns: null,
    });
    assert.equal(by.default.name, "dir/m");
    assert.deepEqual(by.default.args, { type: "object", value: {} });
    assert.equal(by.internalQ.visibility, "internal");
    assert.equal(by.mid.kind, "action");
    assert.equal(by.mid.visibility, "internal");
    assert.deepEqual(by.mid.args, JSON.parse(JSON.stringify(v.object({ s: v.optional(v.string()) }).json)));
    assert.equal(by.zeta.kind, "mutation");
    assert.deepEqual(by.zeta.args, { type: "object", value: { n: { fieldType: { type: "number" }, optional: false } } });
    assert.deepEqual(by.zeta.returns, { type: "string" });
  });

  test("an empty module or one without functions gives []", () => {
    assert.deepEqual(answer(rt.analyze({}, "m.js")), { ok: true, json: "[]" });
    assert.deepEqual(answer(rt.analyze({ a: 1, b: "x", c: () => 1 }, "m.js")), { ok: true, json: "[]" });
  });

  test("HTTP actions are listed as such, without validators", () => {
    const r = answer(rt.analyze({ h: httpActionGeneric(async () => new Response("")) }, "http.js"));
    assert.equal(r.ok, true);
    const [h] = JSON.parse(r.json);
    assert.equal(h.name, "http:h");
    assert.equal(h.kind, "httpAction");
    assert.equal(h.args, null);
    assert.equal(h.returns, null);
  });

  test("a validator that cannot be exported fails the analysis", () => {
    const ns = { ok: queryGeneric(async () => 1), bad: queryGeneric({ args: { x: undefined }, handler: async () => 1 }) };
    const r = answer(rt.analyze(ns, "m.js"));
    assert.equal(r.ok, false);
    assert.equal(r.code, "UDF00");
    assert.match(r.message, /^m:bad: Uncaught Error: A validator is undefined for field "x"/);
  });
});

describe("one answer form", () => {
  // every entry point the host calls answers JSON text or a failure object, nothing else
  test("the other entry points answer JSON text on success", async () => {
    const schemaNs = { default: defineSchema({ t: defineTable({ n: v.number() }) }) };
    const schemaJson = rt.schema(schemaNs);
    assert.equal(typeof schemaJson, "string");
    assert.equal(JSON.parse(schemaJson).tables[0].tableName, "t");
    assert.equal(rt.registerSchema(schemaJson), "null");
    assert.equal(rt.beginImport("ab", 1000), "null");
    assert.equal(rt.endImport(), "null");
    assert.equal(rt.registerSourceMap("m.js", "not a source map"), "false");
    assert.equal(await rt.warmUp(), "true");
    rt.registerSchema(JSON.stringify({ tables: [] }));
  });

  test("and a failure object on failure", () => {
    const noSchema = answer(rt.schema({}));
    assert.equal(noSchema.ok, false);
    assert.equal(noSchema.code, SQLSTATE.argumentValidation);
  });
});

describe("the caller's identity", () => {
  const whoami = one(queryGeneric(async (ctx) => ctx.auth.getUserIdentity()));
  const asUser = (name) => (name === "auth/identity" ? { identity: '{"subject":"u","issuer":"i"}', claims: null } : defaultOps[name] ?? null);

  test("comes from the host's settings", async () => {
    opReply = asUser;
    assertOk(await call(whoami, "fn"), '{"issuer":"i","subject":"u","tokenIdentifier":"i|u"}');
  });

  test("a call made without one (a scheduled function) has none", async () => {
    opReply = asUser;
    const r = answer(await rt.invoke(whoami, "fn", "{}", "m.js", "ab", 1000, INVOKE_NO_IDENTITY, null, ""));
    assertOk(r, "null");
    assert.equal(log.filter((e) => e[0] === "op" && e[1] === "auth/identity").length, 0);
  });
});

describe("v.id checks the id's table", () => {
  // the host's answer for an id: "m1" is a messages id, "u1" a users id, "s1" a system table's
  const tables = { m1: "messages", u1: "users", s1: "_scheduled_functions" };
  const idTable = (name, id, table) =>
    name !== "db/idTable" ? null
      : tables[id] === table ? { ok: true }
      : { ok: false, table: tables[id] ?? null, system: (tables[id] ?? "").startsWith("_") };
  const fn = queryGeneric({ args: { channel: v.id("messages") }, returns: v.union(v.id("messages"), v.null()), handler: async (_ctx, { channel }) => (channel === "m1" ? channel : "u1") });

  test("an id of the table passes, in args and returns", async () => {
    opReply = idTable;
    assertOk(await call(one(fn), "fn", '{"channel": "m1"}'), '"m1"');
  });

  test("an id of another table is refused with both tables named", async () => {
    opReply = idTable;
    const r = await call(one(fn), "fn", '{"channel": "u1"}');
    assertFail(r, SQLSTATE.argumentValidation,
      'ArgumentValidationError: Found ID "u1" from table `users`, which does not match the table name in validator `v.id("messages")`.\nPath: .channel');
  });

  test("a system table's id and a string that is no id", async () => {
    opReply = idTable;
    assertFail(await call(one(fn), "fn", '{"channel": "s1"}'), SQLSTATE.argumentValidation, /Found ID "s1" from a system table, which does not match/);
    const r = await call(one(fn), "fn", '{"channel": "not an id"}');
    assertFail(r, SQLSTATE.argumentValidation, /^ArgumentValidationError: Value does not match validator\.\nPath: \.channel\nValue: "not an id"\nValidator: v\.id\("messages"\)$/);
  });

  test("a returned id of another table fails the returns validator", async () => {
    const f = queryGeneric({ args: {}, returns: v.id("messages"), handler: async () => "u1" });
    opReply = idTable;
    assertFail(await call(one(f), "fn"), SQLSTATE.returnValidation, /return value invalid: Found ID "u1" from table `users`/);
  });

  test("each id is asked once per call", async () => {
    opReply = idTable;
    const f = queryGeneric({ args: { a: v.array(v.id("messages")) }, handler: async () => null });
    assertOk(await call(one(f), "fn", '{"a": ["m1", "m1", "m1"]}'), "null");
    assert.equal(log.filter((e) => e[0] === "op").length, 1);
  });
});

describe("writes are checked before their syscall", () => {
  const schemaNs = { default: defineSchema({ t: defineTable({ n: v.number(), s: v.optional(v.string()) }) }) };
  // the host's typed ops: db/writeTarget, and 1.0/insert's typed form answering insertReply()
  let insertReply = () => ({ _id: "x" });
  const target = (managed, document) => (name, method, table, id, withDocument) =>
    name === "db/writeTarget" ? { table: "t", managed, ...(withDocument ? { document } : {}) }
      : name === "1.0/insert" ? insertReply(method, table) : null;
  const inserts = () => log.filter((e) => e[0] === "op" && e[1] === "1.0/insert");
  const write = (fn) => call(one(mutationGeneric(fn)), "fn");

  test("a managed table's schema refuses a bad insert, and no insert syscall is made", async () => {
    rt.registerSchema(rt.schema(schemaNs));
    opReply = target(true);
    const r = await write(async (ctx) => ctx.db.insert("t", { n: "x" }));
    assertFail(r, SQLSTATE.argumentValidation, /does not match the schema/);
    assert.deepEqual(log.filter((e) => e[0] === "op").map((e) => e.slice(1)), [["db/writeTarget", "insert", "t", null, false]]);
    assert.equal(log.filter((e) => e[0] === "syscall").length, 0);
  });

  test("a good insert is made, and the target is asked once per table and call", async () => {
    rt.registerSchema(rt.schema(schemaNs));
    opReply = target(true);
    const r = await write(async (ctx) => {
      await ctx.db.insert("t", { n: 1 });
      await ctx.db.insert("t", { n: 2 });
    });
    assertOk(r, "null");
    assert.equal(log.filter((e) => e[0] === "op" && e[1] === "db/writeTarget").length, 1);
    assert.equal(inserts().length, 2);
    await write(async (ctx) => ctx.db.insert("t", { n: 3 }));
    assert.equal(log.filter((e) => e[0] === "op" && e[1] === "db/writeTarget").length, 2, "a new call asks again");
  });

  test("db.insert: the package's checks, one 1.0/insert with the Convex JSON value, the new _id", async () => {
    opReply = target(false);
    insertReply = () => ({ _id: "new1" });
    let id;
    assertOk(await write(async (ctx) => { id = await ctx.db.insert("t", { n: 5n, b: new Uint8Array([1]).buffer }); }), "null");
    assert.equal(id, "new1");
    assert.equal(log.filter((e) => e[0] === "syscall").length, 0);
    assert.deepEqual(inserts().map((e) => [e[2], JSON.parse(e[3])]), [["t", { n: { $integer: "BQAAAAAAAAA=" }, b: { $bytes: "AQ==" } }]]);
    assertFail(await write(async (ctx) => ctx.db.insert("_storage", { n: 1 })), "UDF00", /System tables \(prefixed with `_`\) are read-only/);
    assertFail(await write(async (ctx) => ctx.db.insert("t")), "UDF00", /Must provide arg 2 `value` to `insert`/);
    insertReply = () => {
      throw new Error("insert failed here");
    };
    assertFail(await write(async (ctx) => ctx.db.insert("t", { n: 1 })), "UDF00", "Uncaught Error: insert failed here");
    insertReply = () => ({ _id: "x" });
  });

  test("db.insert: a plain document goes as host values (form 1), one with encoded values as JSON text (form 0)", async () => {
    opReply = target(false);
    insertReply = () => ({ _id: "p1" });
    assertOk(await write(async (ctx) => { await ctx.db.insert("t", { b: "x", a: 1.5, c: [true, null] }); }), "null");
    const [plain] = inserts();
    assert.ok(plain[3] instanceof Uint8Array, "host values");
    assert.equal(plain[3][0], 0x6f, "an object's tag");
    assert.equal(plain[4], 1);
    log.length = 0;
    assertOk(await write(async (ctx) => { await ctx.db.insert("t", { n: 1n, s: "a\u0000b" }); }), "null");
    assertOk(await write(async (ctx) => { await ctx.db.insert("t", { s: "a\u0000b" }); }), "null");
    assert.deepEqual(inserts().map((e) => [typeof e[3], e[4]]), [["string", 0], ["string", 0]]);
    assert.deepEqual(JSON.parse(inserts()[0][3]), { n: { $integer: "AQAAAAAAAAA=" }, s: "a\u0000b" });
  });

  test("a patch is merged with the stored document and the whole checked", async () => {
    rt.registerSchema(rt.schema(schemaNs));
    opReply = target(true, { _id: "id1", _creationTime: 1, n: 1, s: "a" });
    const bad = await write(async (ctx) => ctx.db.patch("id1", { s: 5 }));
    assertFail(bad, SQLSTATE.argumentValidation, /does not match the schema/);
    assert.equal(log.filter((e) => e[0] === "syscall").length, 0);
    syscallReply = () => '{"_id":"id1","_creationTime":1,"n":1}';
    assertOk(await write(async (ctx) => { await ctx.db.patch("id1", { s: undefined }); }), "null");
    const removeRequired = await write(async (ctx) => ctx.db.patch("id1", { n: undefined }));
    assertFail(removeRequired, SQLSTATE.argumentValidation, /missing the required field `n`|does not match the schema/);
  });

  test("field names: '_' only on managed tables, '$' nowhere", async () => {
    rt.registerSchema(JSON.stringify({ tables: [] }));
    opReply = target(true);
    assertFail(await write(async (ctx) => ctx.db.insert("t", { _x: 1 })), SQLSTATE.argumentValidation, /starts with an underscore/);
    opReply = target(false);
    assertOk(await write(async (ctx) => { await ctx.db.insert("t", { _x: 1 }); }), "null");
    const dollar = await write(async (ctx) => globalThis.Convex.asyncSyscall("1.0/insert", JSON.stringify({ table: "t", value: { $x: 1 } })));
    assertFail(dollar, SQLSTATE.argumentValidation, /starts with a '\$'/);
  });

  test("document limits: size and nesting", async () => {
    rt.registerSchema(JSON.stringify({ tables: [] }));
    opReply = target(true);
    const big = await write(async (ctx) => ctx.db.insert("t", { s: "x".repeat((1 << 20) + 1) }));
    assertFail(big, "54000", /Document is too large/);
    let deep = 1;
    for (let i = 0; i < 20; i++) deep = { d: deep };
    assertFail(await write(async (ctx) => ctx.db.insert("t", { deep })), "54000", /too nested/);
  });

  test("a nested call crosses as a typed op with the callee's arguments as one JSON text", async () => {
    opReply = (name) => (name === "runUdf" ? '{"ok":1}' : null);
    const r = await write(async (ctx) => ctx.runMutation("other:fn", { a: 1n }));
    assertOk(r, '{"ok":1}');
    const op = log.find((e) => e[0] === "op");
    assert.equal(op[1], "runUdf");
    assert.deepEqual(op.slice(2, 6), ["mutation", "other:fn", false, '{"a":{"$integer":"AQAAAAAAAAA="}}']);
    assert.equal(typeof op[6], "string");
    assert.equal(typeof op[7], "number"); // the caller's clock (Date.now of the real global here)
  });
});

describe("helpers", () => {
  test("kindOf", () => {
    assert.equal(kindOf(queryGeneric(async () => 1)), "query");
    assert.equal(kindOf(internalMutationGeneric(async () => 1)), "mutation");
    assert.equal(kindOf(actionGeneric(async () => 1)), "action");
    assert.equal(kindOf(httpActionGeneric(async () => new Response(""))), "httpAction");
    assert.equal(kindOf(() => 1), null);
    assert.equal(kindOf({ isQuery: true }), null);
    assert.equal(kindOf(undefined), null);
  });

  test("displayName", () => {
    assert.equal(displayName("m.js", "fn"), "m:fn");
    assert.equal(displayName("dir/m.js", "fn"), "dir/m:fn");
    assert.equal(displayName("m.js", "default"), "m");
    assert.equal(displayName("a.js.js", "f"), "a.js:f");
  });

  test("SQLSTATE codes", () => {
    assert.deepEqual(SQLSTATE, {
      javascriptError: "UDF00",
      convexError: "UDF01",
      returnValidation: "UDF02",
      argumentValidation: "22023",
      programLimitExceeded: "54000",
      undefinedFunction: "42883",
      wrongKind: "42809",
    });
  });
});

// --- crons.js and scheduled arguments ----------------------------------------

describe("crons", () => {
  test("every kind of schedule becomes an interval in ms or a 5-field UTC expression", () => {
    const crons = cronJobs();
    crons.interval("i", { minutes: 2 }, anyApi.jobs.tick, { big: 1n });
    crons.hourly("h", { minuteUTC: 7 }, anyApi.jobs.tick);
    crons.daily("d", { hourUTC: 3 }, anyApi.jobs.tick);
    crons.weekly("w", { dayOfWeek: "friday", hourUTC: 6, minuteUTC: 30 }, anyApi.jobs.tick);
    crons.monthly("m", { day: 15, hourUTC: 0, minuteUTC: 1 }, anyApi.jobs.tick);
    crons.cron("c", "*/10 * * * 1-5", anyApi.dir.jobs.tick);
    const r = answer(rt.crons({ default: crons }));
    assert.ok(r.ok);
    assert.deepEqual(JSON.parse(r.json), [
      { name: "i", function: "jobs:tick", args: { big: { $integer: "AQAAAAAAAAA=" } }, schedule: { type: "interval", ms: 120000 } },
      { name: "h", function: "jobs:tick", args: {}, schedule: { type: "cron", expr: "7 * * * *" } },
      { name: "d", function: "jobs:tick", args: {}, schedule: { type: "cron", expr: "0 3 * * *" } },
      { name: "w", function: "jobs:tick", args: {}, schedule: { type: "cron", expr: "30 6 * * 5" } },
      { name: "m", function: "jobs:tick", args: {}, schedule: { type: "cron", expr: "1 0 15 * *" } },
      { name: "c", function: "dir/jobs:tick", args: {}, schedule: { type: "cron", expr: "*/10 * * * 1-5" } },
    ]);
  });
  test("a default export that is not cronJobs() is refused", () => {
    const r = answer(rt.crons({ default: { crons: {} } }));
    assert.equal(r.ok, false);
    assert.equal(r.code, SQLSTATE.argumentValidation);
    assert.match(r.message, /crons\.js must `export default` a cronJobs\(\) object/);
  });
});

describe("validateScheduledArgs", () => {
  const validator = JSON.stringify(JSON.parse(mutationGeneric({ args: { n: v.int64() }, handler: async () => null }).exportArgs()));
  test("arguments that pass the target's validator", () => {
    assert.deepEqual(answer(rt.validateScheduledArgs("m:f", validator, '{"n":{"$integer":"AQAAAAAAAAA="}}')), { ok: true, json: "null" });
  });
  test("arguments that fail it, with the path and the function", () => {
    const r = answer(rt.validateScheduledArgs("m:f", validator, '{"n":1}'));
    assert.equal(r.code, SQLSTATE.argumentValidation);
    assert.match(r.message, /ArgumentValidationError: .*Path: \.n/s);
    assert.equal(r.detail, "Function: m:f");
  });
});
