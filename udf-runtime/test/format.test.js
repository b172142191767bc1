import { test } from "node:test";
import assert from "node:assert/strict";
import vm from "node:vm";
import { readFile } from "node:fs/promises";
import * as esbuild from "esbuild";

import { formatLogArgs, inspect, LogBuffer } from "../src/format.js";

const f = (...args) => formatLogArgs(args);

test("primitives at top level", () => {
  assert.equal(f("hello"), "hello");
  assert.equal(f("it's"), "it's");
  assert.equal(f("a", "b"), "a b");
  assert.equal(f(1, 2.5, -0, 0, NaN, Infinity, -Infinity), "1 2.5 -0 0 NaN Infinity -Infinity");
  assert.equal(f(5n, -3n), "5n -3n");
  assert.equal(f(undefined, null, true, false), "undefined null true false");
  assert.equal(f(Symbol("s"), Symbol(), Symbol.iterator), "Symbol(s) Symbol() Symbol(Symbol.iterator)");
  assert.equal(f(), "");
  assert.equal(f(""), "");
  assert.equal(f("", ""), " ");
});

test("functions", () => {
  function named() {}
  assert.equal(f(named), "[Function: named]");
  assert.equal(f(() => 1), "[Function (anonymous)]");
  assert.equal(f(async function af() {}), "[AsyncFunction: af]");
  assert.equal(f(function* gen() {}), "[GeneratorFunction: gen]");
  assert.equal(f(async function* ag() {}), "[AsyncGeneratorFunction: ag]");
  class A {}
  class B extends A {}
  assert.equal(f(A), "[class A]");
  assert.equal(f(B), "[class B extends A]");
  assert.equal(f(Math.max), "[Function: max]");
  const withProps = Object.assign(function g() {}, { z: 1 });
  assert.equal(f(withProps), "[Function: g] { z: 1 }");
  assert.equal(f({ m() {} }), "{ m: [Function: m] }");
});

test("arrays", () => {
  assert.equal(f([1, 2, "x"]), "[ 1, 2, 'x' ]");
  assert.equal(f([]), "[]");
  assert.equal(f([1, , 3]), "[ 1, <1 empty item>, 3 ]");
  assert.equal(f([, , 1]), "[ <2 empty items>, 1 ]");
  assert.equal(f(new Array(5)), "[ <5 empty items> ]");
  const big = new Array(1e9);
  big[7] = "x";
  assert.equal(f(big), "[ <7 empty items>, 'x', <999999992 empty items> ]");
  assert.equal(f(Object.assign([1], { foo: 2 })), "[ 1, foo: 2 ]");
  const long = Array.from({ length: 150 }, (_, i) => i);
  const out = f(long);
  assert.ok(out.startsWith("[ 0, 1, 2,"));
  assert.ok(out.endsWith("98, 99, ... 50 more items ]"), out);
  class MyArr extends Array {}
  assert.equal(f(MyArr.from([1, 2])), "MyArr(2) [ 1, 2 ]");
  assert.equal(f([undefined, null]), "[ undefined, null ]");
});

test("objects, keys and nested strings", () => {
  assert.equal(f({ a: 1, b: "x" }), "{ a: 1, b: 'x' }");
  assert.equal(f({}), "{}");
  assert.equal(f({ "a-b": 1, $ok: 2, _x: 3, 1: 4 }), "{ '1': 4, 'a-b': 1, $ok: 2, _x: 3 }");
  assert.equal(f({ [Symbol("k")]: 1 }), "{ [Symbol(k)]: 1 }");
  assert.equal(f({ s: "it's" }), `{ s: "it's" }`);
  assert.equal(f({ s: `it's "q"` }), "{ s: `it's \"q\"` }");
  assert.equal(f({ s: "a\nb\t\\" }), "{ s: 'a\\nb\\t\\\\' }");
  assert.equal(f({ s: "\u0001" }), "{ s: '\\x01' }");
  assert.equal(f(Object.create(null)), "[Object: null prototype] {}");
  assert.equal(f(Object.assign(Object.create(null), { a: 1 })), "[Object: null prototype] { a: 1 }");
  class Foo {
    constructor() {
      this.a = 1;
    }
  }
  assert.equal(f(new Foo()), "Foo { a: 1 }");
  assert.equal(f({ [Symbol.toStringTag]: "Tagged", a: 1 }).startsWith("Object [Tagged] {"), true);
  assert.equal(
    f({
      get g() {
        return 1;
      },
      set s(v) {},
      get gs() {
        return 1;
      },
      set gs(v) {},
    }),
    "{ g: [Getter], s: [Setter], gs: [Getter/Setter] }",
  );
  // Non-enumerable properties are hidden.
  assert.equal(f(Object.defineProperty({}, "hidden", { value: 1 })), "{}");
});

test("nested depth is limited to 4", () => {
  assert.equal(f({ a: { b: { c: { d: { e: 1 } } } } }), "{ a: { b: { c: { d: { e: 1 } } } } }");
  assert.equal(f({ a: { b: { c: { d: { e: { f: 1 } } } } } }), "{ a: { b: { c: { d: { e: [Object] } } } } }");
  assert.equal(f([[[[[[1]]]]]]), "[ [ [ [ [ [Array] ] ] ] ] ]");
  // Empty containers beyond the depth are still printed literally.
  assert.equal(f({ a: { b: { c: { d: { e: {} } } } } }), "{ a: { b: { c: { d: { e: {} } } } } }");
  class K {
    constructor() {
      this.x = 1;
    }
  }
  assert.equal(f([[[[[new K()]]]]]), "[ [ [ [ [ [K] ] ] ] ] ]");
  assert.equal(f([[[[[new Map([[1, 2]])]]]]]), "[ [ [ [ [ [Map] ] ] ] ] ]");
});

test("cycles print as [Circular]; shared references do not", () => {
  const o = { a: 1 };
  o.self = o;
  assert.equal(f(o), "{ a: 1, self: [Circular] }");
  const arr = [1];
  arr.push(arr);
  assert.equal(f(arr), "[ 1, [Circular] ]");
  const shared = { x: 1 };
  assert.equal(f({ p: shared, q: shared }), "{ p: { x: 1 }, q: { x: 1 } }");
  const m = new Map();
  m.set("me", m);
  assert.equal(f(m), "Map(1) { 'me' => [Circular] }");
});

test("errors", () => {
  const e = new TypeError("bad thing");
  assert.equal(f(e), e.stack);
  assert.ok(f(e).startsWith("TypeError: bad thing\n    at "));
  const noStack = new Error("m");
  noStack.stack = undefined;
  assert.equal(f(noStack), "Error: m");
  const emptyMsg = new RangeError("");
  emptyMsg.stack = undefined;
  assert.equal(f(emptyMsg), "RangeError");
  const withCode = new Error("c");
  withCode.stack = "Error: c";
  withCode.code = "E_CODE";
  assert.equal(f(withCode), "Error: c { code: 'E_CODE' }");
  const nested = new Error("inner");
  assert.equal(f({ err: nested }), "{ err: [Error: inner] }");
  assert.equal(f("failed:", nested), "failed: " + nested.stack);
  const caused = new Error("outer", { cause: new Error("root") });
  caused.stack = "Error: outer";
  assert.equal(f(caused), "Error: outer { [cause]: [Error: root] }");
  // Hook used by the runtime to source-map/clean stacks.
  assert.equal(formatLogArgs([e], { formatError: (err) => "CLEAN " + err.message }), "CLEAN bad thing");
  assert.equal(
    formatLogArgs([e], {
      formatError: () => {
        throw new Error("x");
      },
    }),
    e.stack,
  );
});

test("binary data", () => {
  assert.equal(f(new Uint8Array([1, 2, 255])), "Uint8Array(3) [ 1, 2, 255 ]");
  assert.equal(f(new Float64Array([0.5, -0])), "Float64Array(2) [ 0.5, -0 ]");
  assert.equal(f(new BigInt64Array([5n])), "BigInt64Array(1) [ 5n ]");
  assert.equal(f(new Uint8Array(0)), "Uint8Array(0) []");
  assert.equal(f(new Uint8Array([1, 16, 255]).buffer), "ArrayBuffer { [Uint8Contents]: <01 10 ff>, byteLength: 3 }");
  assert.equal(f(new ArrayBuffer(0)), "ArrayBuffer { [Uint8Contents]: <>, byteLength: 0 }");
  assert.equal(
    f(new ArrayBuffer(60)),
    "ArrayBuffer { [Uint8Contents]: <" + new Array(50).fill("00").join(" ") + " ... 10 more bytes>, byteLength: 60 }",
  );
  assert.ok(f(new Uint16Array(200)).endsWith("... 100 more items ]"));
  assert.equal(
    f(new DataView(new ArrayBuffer(2), 1)),
    "DataView { byteLength: 1, byteOffset: 1, buffer: ArrayBuffer { [Uint8Contents]: <00 00>, byteLength: 2 } }",
  );
});

test("Map, Set, Date, RegExp, boxed primitives, weak collections, promises", () => {
  assert.equal(f(new Map([[1, { a: 1 }], ["k", "v"]])), "Map(2) { 1 => { a: 1 }, 'k' => 'v' }");
  assert.equal(f(new Map()), "Map(0) {}");
  assert.equal(f(new Set([1, "x"])), "Set(2) { 1, 'x' }");
  assert.equal(f(new Set()), "Set(0) {}");
  assert.equal(f(new Date(0)), "1970-01-01T00:00:00.000Z");
  assert.equal(f({ d: new Date(Date.UTC(2024, 1, 3, 4, 5, 6, 7)) }), "{ d: 2024-02-03T04:05:06.007Z }");
  assert.equal(f(new Date(NaN)), "Invalid Date");
  assert.equal(f(/a+b/gi), "/a+b/gi");
  assert.equal(f(Object(1)), "[Number: 1]");
  assert.equal(f(Object(-0)), "[Number: -0]");
  assert.equal(f(Object("s")), "[String: 's']");
  assert.equal(f(Object(true)), "[Boolean: true]");
  assert.equal(f(Object(Symbol("q"))), "[Symbol: Symbol(q)]");
  assert.equal(f(Object(3n)), "[BigInt: 3n]");
  assert.equal(f(new WeakMap()), "WeakMap { <items unknown> }");
  assert.equal(f(new WeakSet()), "WeakSet { <items unknown> }");
  assert.ok(f(vm.runInNewContext("Promise.resolve(1)")).startsWith("Promise {"));
  // A fake Map via toStringTag is not treated as a Map.
  assert.equal(f({ [Symbol.toStringTag]: "Map" }).startsWith("Object [Map]"), true);
});

test("values from another realm", () => {
  const v = vm.runInNewContext("({ m: new Map([[1, 2]]), d: new Date(0), a: [1], e: new Error('x'), u: new Uint8Array(1) })");
  assert.equal(f(v), "{ m: Map(1) { 1 => 2 }, d: 1970-01-01T00:00:00.000Z, a: [ 1 ], e: [Error: x], u: Uint8Array(1) [ 0 ] }");
});

test("hostile objects never make logging throw", () => {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  assert.equal(typeof f(revocable.proxy), "string");
  const throwingKeys = new Proxy({}, {
    ownKeys() {
      throw new Error("nope");
    },
  });
  assert.equal(typeof f({ p: throwingKeys }), "string");
  // Getters are not invoked.
  let called = false;
  f({
    get x() {
      called = true;
      return 1;
    },
  });
  assert.equal(called, false);
});

test("printf substitutions", () => {
  assert.equal(f("%s is %d years", "Bob", 42), "Bob is 42 years");
  assert.equal(f("%s", 5n), "5n");
  assert.equal(f("%s", -0), "-0");
  assert.equal(f("%s", Symbol("x")), "Symbol(x)");
  assert.equal(f("%s", null), "null");
  assert.equal(f("%s", { a: { b: 1 } }), "{ a: [Object] }");
  assert.equal(f("%s", [1, [2]]), "[ 1, [Array] ]");
  assert.equal(f("%s", { toString: () => "custom" }), "custom");
  assert.equal(f("%d", "42"), "42");
  assert.equal(f("%d", 42.5), "42.5");
  assert.equal(f("%d", "abc"), "NaN");
  assert.equal(f("%d", 7n), "7n");
  assert.equal(f("%d", Symbol()), "NaN");
  assert.equal(f("%d", -0), "-0");
  assert.equal(f("%d", {}), "NaN");
  assert.equal(f("%d", { valueOf() { throw new Error("x"); } }), "NaN");
  assert.equal(f("%i", 42.9), "42");
  assert.equal(f("%i", "-7.5px"), "-7");
  assert.equal(f("%i", 3n), "3n");
  assert.equal(f("%f", "1.5abc"), "1.5");
  assert.equal(f("%f", Symbol()), "NaN");
  assert.equal(f("%j", { a: [1, "x"] }), '{"a":[1,"x"]}');
  assert.equal(f("%j", undefined), "undefined");
  const cyc = {};
  cyc.c = cyc;
  assert.equal(f("%j", cyc), "[Circular]");
  assert.equal(f("%j", 1n), "1n");
  assert.equal(f("%o", "str"), "'str'");
  assert.equal(f("%O", { a: "x" }), "{ a: 'x' }");
  assert.equal(f("%c styled", "color: red"), " styled");
  assert.equal(f("100%% of %s", "it"), "100% of it");
  assert.equal(f("%s %s", "only-one"), "only-one %s");
  assert.equal(f("%s", "a", "b", { c: 1 }), "a b { c: 1 }");
  assert.equal(f("%x %s", 1), "%x 1");
  assert.equal(f("no placeholders", 1, "two"), "no placeholders 1 two");
  assert.equal(f("%", 1), "% 1");
  assert.equal(f("end %", 1), "end % 1");
  assert.equal(f("%%", 1), "% 1");
  // A lone string is printed verbatim (like Node / the WHATWG console spec).
  assert.equal(f("100%% %s"), "100%% %s");
  // Non-string first argument: no substitution.
  assert.equal(f(1, "%s", 2), "1 %s 2");
});

test("matches Node's util.format on a sample of inputs", async () => {
  const util = await import("node:util");
  const samples = [
    ["x", 1, "y"],
    [{ a: 1, b: "x", c: [1, 2, { d: null }] }],
    [[1, 2, "x"]],
    ["%s=%d", "n", 3],
    [new Map([["a", 1]]), new Set([2])],
    [new Uint8Array([1, 2])],
    [{ s: "it's" }],
    [undefined, null, -0, 5n],
    [{ "a-b": 1, [Symbol("z")]: 2 }],
    [[1, , 3]],
  ];
  for (const s of samples) {
    assert.equal(formatLogArgs(s), util.format(...s), JSON.stringify(s, (k, v) => (typeof v === "bigint" ? `${v}n` : v)));
  }
});

test("inspect quotes top-level strings", () => {
  assert.equal(inspect("x"), "'x'");
  assert.equal(inspect({ a: 1 }), "{ a: 1 }");
});

test("LogBuffer: line limit and overflow message", () => {
  const buf = new LogBuffer();
  const emitted = [];
  for (let i = 0; i < 300; i++) {
    const line = buf.add("LOG", "line " + i);
    if (line !== null) emitted.push(line);
  }
  assert.equal(emitted.length, 257);
  assert.equal(emitted[0], "line 0");
  assert.equal(emitted[255], "line 255");
  assert.equal(emitted[256], "Log overflow (maximum 256). Remaining log lines omitted.");
  assert.equal(buf.add("LOG", "more"), null);
  assert.equal(buf.omitted, 45);

  buf.reset();
  assert.equal(buf.add("LOG", "fresh"), "fresh");
  assert.equal(buf.omitted, 0);
});

test("LogBuffer: configured maximum and addEntry levels", () => {
  const buf = new LogBuffer({ maxLines: 3 });
  assert.deepEqual(buf.addEntry("INFO", "a"), { level: "INFO", text: "a", truncated: false });
  assert.equal(buf.add("WARN", "b"), "b");
  assert.equal(buf.add("DEBUG", "c"), "c");
  assert.deepEqual(buf.addEntry("LOG", "d"), {
    level: "ERROR",
    text: "Log overflow (maximum 3). Remaining log lines omitted.",
    truncated: false,
  });
  assert.equal(buf.addEntry("LOG", "e"), null);
  assert.equal(buf.add("LOG", "f"), null);
  buf.reset();
  assert.equal(buf.add("LOG", "g"), "g");

  const zero = new LogBuffer({ maxLines: 0 });
  assert.equal(zero.add("LOG", "x"), "Log overflow (maximum 0). Remaining log lines omitted.");
  assert.equal(zero.add("LOG", "y"), null);
});

test("LogBuffer: long lines are truncated", () => {
  const buf = new LogBuffer();
  const exact = "a".repeat(32768);
  assert.equal(buf.add("LOG", exact), exact);
  const long = "b".repeat(40000);
  assert.equal(buf.add("LOG", long), "b".repeat(32768) + " (truncated due to length)");
  const small = new LogBuffer({ maxLineLength: 5 });
  assert.equal(small.add("LOG", "123456"), "12345 (truncated due to length)");
  assert.equal(small.add("LOG", "12345"), "12345");
  assert.deepEqual(small.addEntry("LOG", "abcdefg"), {
    level: "LOG",
    text: "abcde (truncated due to length)",
    truncated: true,
  });
  // Never split a surrogate pair.
  assert.equal(small.add("LOG", "abcd\u{1F600}x"), "abcd (truncated due to length)");
  assert.equal(small.add("LOG", "abc\u{1F600}x"), "abc\u{1F600} (truncated due to length)");
  // Non-strings are converted.
  assert.equal(small.add("LOG", 42), "42");
});

// --- the src/ files must run in a bare V8 context (no Node globals) ---------

const SRC_FILES = ["sourcemap.js", "stack.js", "format.js"];

test("src files use ES2020 syntax only and import only each other", async () => {
  for (const name of SRC_FILES) {
    const code = await readFile(new URL(`../src/${name}`, import.meta.url), "utf8");
    const esnext = await esbuild.transform(code, { format: "esm", target: "esnext", loader: "js" });
    const es2020 = await esbuild.transform(code, { format: "esm", target: "es2020", loader: "js" });
    assert.equal(es2020.code, esnext.code, `${name} uses syntax newer than ES2020`);
    for (const m of code.matchAll(/^\s*import\s[^;]*?from\s+["']([^"']+)["']/gm)) {
      assert.ok(SRC_FILES.includes(m[1].replace(/^\.\//, "")), `${name} imports ${m[1]}`);
    }
    assert.doesNotMatch(code, /\b(require|process|Buffer|globalThis\.process|setImmediate)\b/, name);
  }
});

test("src files work in a context without Node globals", async () => {
  const result = await esbuild.build({
    stdin: {
      contents: `
        export { formatLogArgs, LogBuffer } from "./format.js";
        export { cleanStack, formatUncaught } from "./stack.js";
        export { parseSourceMap, lookup } from "./sourcemap.js";
      `,
      resolveDir: new URL("../src/", import.meta.url).pathname,
      loader: "js",
    },
    bundle: true,
    format: "iife",
    globalName: "udfLib",
    write: false,
    logLevel: "silent",
  });
  const context = vm.createContext({});
  new vm.Script(result.outputFiles[0].text, { filename: "udf:/runtime.js" }).runInContext(context);
  const out = vm.runInContext(
    `(() => {
      const r = [];
      r.push(typeof process, typeof Buffer, typeof require);
      r.push(udfLib.formatLogArgs(["%s:", "x", { a: [1, new Map([[1, new Uint8Array(2)]])] }, new Date(0), 5n]));
      const buf = new udfLib.LogBuffer({ maxLines: 1 });
      r.push(buf.add("LOG", "a"), buf.add("LOG", "b"), String(buf.add("LOG", "c")));
      const map = udfLib.parseSourceMap('{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;AACA"}');
      r.push(JSON.stringify(udfLib.lookup(map, 2, 1)));
      function userFn() { throw new TypeError("oops"); }
      try { userFn(); } catch (e) {
        r.push(udfLib.formatUncaught(e));
        r.push(udfLib.cleanStack(e.stack).split("\\n")[0]);
      }
      r.push(udfLib.cleanStack(
        "Error: x\\n    at userFn (user.js:2:1)\\n    at run (udf:/r.js:1:1)\\n    at user.js:1:1",
        { sourceMaps: { "user.js": map } },
      ));
      r.push(udfLib.formatUncaught({ a: 1 }));
      return r.join("|");
    })()`,
    context,
    { filename: "user.js" },
  );
  assert.equal(
    out,
    [
      "undefined",
      "undefined",
      "undefined",
      "x: { a: [ 1, Map(1) { 1 => Uint8Array(2) [ 0, 0 ] } ] } 1970-01-01T00:00:00.000Z 5n",
      "a",
      "Log overflow (maximum 1). Remaining log lines omitted.",
      "null",
      JSON.stringify({ source: "a.ts", line: 2, column: 1, name: null }),
      "Uncaught TypeError: oops",
      "    at userFn (user.js:9:33)",
      "    at userFn (a.ts:2:1)\n    at a.ts:1:1",
      'Uncaught {"a":1}',
    ].join("|"),
  );
});
