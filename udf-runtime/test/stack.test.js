import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import * as esbuild from "esbuild";

import { cleanStack, formatUncaught, defaultIsRuntimeFrame } from "../src/stack.js";
import { parseSourceMap } from "../src/sourcemap.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function vlq(value) {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

// A map for "messages.js" where generated line 12 (1-based), from column 1 on,
// maps to messages.ts line 40 column 3, and line 3 maps to line 7 column 1.
function messagesMap() {
  const lines = [];
  for (let i = 0; i < 12; i++) lines.push("");
  // Line index 2 (1-based 3): gen col 0 -> src 0, line 6, col 0.
  lines[2] = "AAMA"; // line delta +6
  // Line index 11 (1-based 12): gen col 0 -> src 0, line 39, col 2 (deltas from 6,0).
  lines[11] = "AA" + vlq(33) + vlq(2);
  return parseSourceMap({ version: 3, sources: ["messages.ts"], names: [], mappings: lines.join(";") });
}

const SAMPLE = [
  "Error: something broke",
  "    at handler (messages.js:12:5)",
  "    at invokeFunction (udf:/runtime.js:100:20)",
  "    at messages.js:3:1",
  "    at convex:/_system/server.js:5:6",
  "    at async Promise.all (index 0)",
  "    at new Foo (lib/x.js:1:2)",
].join("\n");

test("drops runtime frames, source-maps the rest, keeps names, no message line", () => {
  const out = cleanStack(SAMPLE, { sourceMaps: { "messages.js": messagesMap() } });
  assert.equal(
    out,
    [
      "    at handler (messages.ts:40:3)",
      "    at messages.ts:7:1",
      "    at async Promise.all (index 0)",
      "    at new Foo (lib/x.js:1:2)",
    ].join("\n"),
  );
});

test("without source maps frames are only filtered", () => {
  assert.equal(
    cleanStack(SAMPLE),
    [
      "    at handler (messages.js:12:5)",
      "    at messages.js:3:1",
      "    at async Promise.all (index 0)",
      "    at new Foo (lib/x.js:1:2)",
    ].join("\n"),
  );
});

test("positions the map does not cover are left unchanged", () => {
  const stack = "Error: x\n    at f (messages.js:5:1)\n    at g (messages.js:999:1)";
  assert.equal(
    cleanStack(stack, { sourceMaps: { "messages.js": messagesMap() } }),
    "    at f (messages.js:5:1)\n    at g (messages.js:999:1)",
  );
});

test("custom isRuntimeFrame", () => {
  const out = cleanStack(SAMPLE, { isRuntimeFrame: (f) => f.startsWith("lib/") });
  assert.equal(
    out,
    [
      "    at handler (messages.js:12:5)",
      "    at invokeFunction (udf:/runtime.js:100:20)",
      "    at messages.js:3:1",
      "    at convex:/_system/server.js:5:6",
      "    at async Promise.all (index 0)",
    ].join("\n"),
  );
  // A throwing predicate keeps the frame.
  assert.equal(
    cleanStack("E\n    at f (a.js:1:1)", {
      isRuntimeFrame: () => {
        throw new Error("no");
      },
    }),
    "    at f (a.js:1:1)",
  );
});

test("defaultIsRuntimeFrame", () => {
  assert.equal(defaultIsRuntimeFrame("udf:/runtime.js"), true);
  assert.equal(defaultIsRuntimeFrame("convex:/server.js"), true);
  assert.equal(defaultIsRuntimeFrame("messages.js"), false);
  assert.equal(defaultIsRuntimeFrame("my-udf:x.js"), false);
  assert.equal(defaultIsRuntimeFrame(null), false);
});

test("multi-line messages and frame-looking text inside the message", () => {
  const stack = [
    "Error: first line",
    "second line",
    "    at fake (inside-message.js:1:1)",
    "last message line",
    "    at real (messages.js:12:1)",
  ].join("\n");
  assert.equal(
    cleanStack(stack, { sourceMaps: { "messages.js": messagesMap() } }),
    "    at real (messages.ts:40:3)",
  );
  assert.equal(cleanStack("Error: no frames at all"), "");
  assert.equal(cleanStack(""), "");
  assert.equal(cleanStack(undefined), "");
  assert.equal(cleanStack(42), "");
});

test("frame shapes: methods, aliases, async, eval, native, anonymous, odd file names", () => {
  const map = messagesMap();
  const stack = [
    "TypeError: bad",
    "    at Object.handler [as default] (messages.js:12:1)",
    "    at async messages.js:3:1",
    "    at async handler (messages.js:12:9)",
    "    at async Promise.any (index 3)",
    "    at Array.map (<anonymous>)",
    "    at foo (native)",
    "    at <anonymous>",
    "    at eval (eval at run (udf:/runtime.js:1:1), <anonymous>:1:1)",
    "    at f (/path with (parens)/file.js:1:2)",
    "    at new <anonymous> (messages.js:3:4)",
    "    at async udf:/runtime.js:8:9",
    "    at Module.run (convex:/x.js:1:1)",
    "    at file:///abs/messages.js:3:1",
  ].join("\n");
  assert.equal(
    cleanStack(stack, { sourceMaps: { "messages.js": map, "file:///abs/messages.js": map } }),
    [
      "    at Object.handler [as default] (messages.ts:40:3)",
      "    at async messages.ts:7:1",
      "    at async handler (messages.ts:40:3)",
      "    at async Promise.any (index 3)",
      "    at Array.map (<anonymous>)",
      "    at foo (native)",
      "    at <anonymous>",
      "    at eval (eval at run (udf:/runtime.js:1:1), <anonymous>:1:1)",
      "    at f (/path with (parens)/file.js:1:2)",
      "    at new <anonymous> (messages.ts:7:1)",
      "    at messages.ts:7:1", // was file:///abs/messages.js:3:1
    ].join("\n"),
  );
});

test("sourceMaps may be a Map, a function, or hold raw/invalid maps", () => {
  const stack = "Error\n    at f (messages.js:3:1)";
  const map = messagesMap();
  assert.equal(cleanStack(stack, { sourceMaps: new Map([["messages.js", map]]) }), "    at f (messages.ts:7:1)");
  assert.equal(cleanStack(stack, { sourceMaps: (f) => (f === "messages.js" ? map : undefined) }), "    at f (messages.ts:7:1)");
  const raw = JSON.stringify({ version: 3, sources: ["raw.ts"], mappings: "AAAA" });
  assert.equal(cleanStack(stack, { sourceMaps: { "messages.js": raw } }), "    at f (messages.js:3:1)"); // line 3 unmapped
  assert.equal(
    cleanStack("E\n    at f (messages.js:1:1)", { sourceMaps: { "messages.js": raw } }),
    "    at f (raw.ts:1:1)",
  );
  // A bad source map is treated as missing.
  for (const bad of ["garbage", { version: 3, mappings: "!!" }, null, 17]) {
    assert.equal(cleanStack(stack, { sourceMaps: { "messages.js": bad } }), "    at f (messages.js:3:1)");
  }
  // Prototype keys are not treated as maps.
  assert.equal(cleanStack("E\n    at f (constructor:1:1)", { sourceMaps: {} }), "    at f (constructor:1:1)");
  assert.equal(cleanStack("E\n    at f (__proto__:1:1)", { sourceMaps: {} }), "    at f (__proto__:1:1)");
});

test("end to end: runtime script + esbuild-compiled user module in a V8 context", async () => {
  const ts = [
    "type Args = { n: number };", // 1
    "", // 2
    "function helper(args: Args): number {", // 3
    "  if (args.n > 1) {", // 4
    '    throw new RangeError("n too big: " + args.n);', // 5
    "  }", // 6
    "  return args.n;", // 7
    "}", // 8
    "", // 9
    "export async function handler(ctx: unknown, args: Args) {", // 10
    "  await null;", // 11
    "  return helper(args);", // 12
    "}", // 13
  ].join("\n");
  const result = await esbuild.build({
    stdin: { contents: ts, loader: "ts", sourcefile: "convex/messages.ts" },
    outfile: "messages.js",
    format: "iife",
    globalName: "userModule",
    sourcemap: true,
    write: false,
    logLevel: "silent",
  });
  const js = result.outputFiles.find((f) => f.path.endsWith(".js")).text;
  const mapText = result.outputFiles.find((f) => f.path.endsWith(".js.map")).text;

  const context = vm.createContext({});
  new vm.Script(js, { filename: "messages.js" }).runInContext(context);
  new vm.Script("async function invoke(f, args) { return await f({}, args); }", {
    filename: "udf:/runtime.js",
  }).runInContext(context);
  const promise = vm.runInContext("invoke(userModule.handler, { n: 5 })", context, {
    filename: "convex:/entry.js",
  });
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error);
  assert.match(error.stack, /udf:\/runtime\.js/);
  const cleaned = cleanStack(error.stack, { sourceMaps: { "messages.js": parseSourceMap(mapText) } });
  const frames = cleaned.split("\n");
  assert.match(frames[0], /^ {4}at helper \(convex\/messages\.ts:5:11\)$/);
  assert.match(frames[1], /^ {4}at (async )?(Object\.)?handler \(convex\/messages\.ts:12:\d+\)$/);
  assert.ok(!cleaned.includes("udf:"), cleaned);
  assert.ok(!cleaned.includes("convex:"), cleaned);
  assert.ok(!cleaned.includes("n too big"), cleaned);
  assert.equal(formatUncaught(error), "Uncaught RangeError: n too big: 5");
});

test("formatUncaught: Error objects", () => {
  assert.equal(formatUncaught(new Error("boom")), "Uncaught Error: boom");
  assert.equal(formatUncaught(new Error("")), "Uncaught Error");
  assert.equal(formatUncaught(new Error()), "Uncaught Error");
  assert.equal(formatUncaught(new TypeError("t")), "Uncaught TypeError: t");
  assert.equal(formatUncaught(new RangeError("r")), "Uncaught RangeError: r");
  class ValidationError extends Error {
    constructor(msg) {
      super(msg);
      this.name = "ValidationError";
    }
  }
  assert.equal(formatUncaught(new ValidationError("bad input")), "Uncaught ValidationError: bad input");
  class Plain extends Error {}
  assert.equal(formatUncaught(new Plain("p")), "Uncaught Error: p");
  const noName = new Error("only message");
  noName.name = "";
  assert.equal(formatUncaught(noName), "Uncaught only message");
  const neither = new Error("");
  neither.name = "";
  assert.equal(formatUncaught(neither), "Uncaught");
  const undefName = new Error("m");
  undefName.name = undefined;
  assert.equal(formatUncaught(undefName), "Uncaught m");
  // Multi-line messages are kept whole.
  assert.equal(formatUncaught(new Error("a\nb")), "Uncaught Error: a\nb");
  // ConvexError-like
  class ConvexError extends Error {
    name = "ConvexError";
    constructor(data) {
      super(typeof data === "string" ? data : JSON.stringify(data));
      this.data = data;
    }
  }
  assert.equal(formatUncaught(new ConvexError("nope")), "Uncaught ConvexError: nope");
  // Errors from another realm.
  const foreign = vm.runInNewContext('new SyntaxError("other realm")');
  assert.equal(formatUncaught(foreign), "Uncaught SyntaxError: other realm");
  // Error-like plain object.
  assert.equal(formatUncaught({ name: "Custom", message: "duck" }), "Uncaught Custom: duck");
  // Throwing getters never escape.
  const hostile = new Error("x");
  Object.defineProperty(hostile, "message", {
    get() {
      throw new Error("no");
    },
  });
  assert.equal(formatUncaught(hostile), "Uncaught Error");
});

test("formatUncaught: thrown non-Error values", () => {
  assert.equal(formatUncaught(42), "Uncaught 42");
  assert.equal(formatUncaught(-1.5), "Uncaught -1.5");
  assert.equal(formatUncaught("str"), "Uncaught str");
  assert.equal(formatUncaught(""), "Uncaught ");
  assert.equal(formatUncaught(null), "Uncaught null");
  assert.equal(formatUncaught(undefined), "Uncaught undefined");
  assert.equal(formatUncaught(true), "Uncaught true");
  assert.equal(formatUncaught(5n), "Uncaught 5");
  assert.equal(formatUncaught(Symbol("s")), "Uncaught Symbol(s)");
  assert.equal(formatUncaught({ a: 1 }), 'Uncaught {"a":1}');
  assert.equal(formatUncaught([1, "x"]), 'Uncaught [1,"x"]');
  assert.equal(formatUncaught(Object.create(null)), "Uncaught {}");
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  assert.equal(formatUncaught(cyclic), "Uncaught { a: 1, self: [Circular] }");
  assert.equal(formatUncaught({ big: 1n }), "Uncaught { big: 1n }");
  assert.equal(formatUncaught(function named() {}), "Uncaught [Function: named]");
  class Thing {
    constructor() {
      this.x = 1;
    }
  }
  assert.equal(formatUncaught(new Thing()), "Uncaught Thing { x: 1 }");
  // Bounded at 1000 characters.
  const long = formatUncaught("y".repeat(5000));
  assert.equal(long.length, "Uncaught ".length + 1000);
  assert.ok(long.endsWith("..."));
  const bigObj = formatUncaught({ data: "z".repeat(5000) });
  assert.equal(bigObj.length, "Uncaught ".length + 1000);
  assert.equal(formatUncaught("x".repeat(1000)), "Uncaught " + "x".repeat(1000));
  // A throwing toJSON falls back to inspection.
  assert.equal(
    formatUncaught({
      toJSON() {
        throw new Error("no");
      },
    }),
    "Uncaught { toJSON: [Function: toJSON] }",
  );
});
