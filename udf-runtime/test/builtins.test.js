import { test, describe, before } from "node:test";
import assert from "node:assert/strict";

import * as server from "convex/server";
import * as values from "convex/values";

import { builtinModuleSource } from "../src/builtins.js";

// As index.js has it: the runtime bundle's copies of the convex package.
const builtins = Object.freeze({ "convex/server": server, "convex/values": values });
const NAMES = ["convex/server", "convex/values", "_generated/server", "_generated/api"];
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// Evaluate generated source as a real ES module (a data: URL import), so a
// syntax error or a wrong binding shows up as it would in the isolate.
const load = (src) => import("data:text/javascript;charset=utf-8," + encodeURIComponent(src));

before(() => {
  Object.defineProperty(globalThis, "__udfBuiltins", { value: builtins, configurable: true });
});

describe("builtinModuleSource", () => {
  test("returns source text for the four builtin modules", () => {
    for (const name of NAMES) {
      const src = builtinModuleSource(builtins, name);
      assert.equal(typeof src, "string", name);
      assert.ok(src.length > 0, name);
      assert.match(src, /globalThis\.__udfBuiltins\[/, name);
      assert.match(src, /^export /m, name);
    }
  });

  test("returns undefined for other names", () => {
    for (const name of ["", "convex", "convex/react", "convex/browser", "_generated/dataModel", "./_generated/server", "_generated/server.js", "constructor", "__proto__", undefined]) {
      assert.equal(builtinModuleSource(builtins, name), undefined, String(name));
    }
  });

  test("convex/server and convex/values name every export of the real package", () => {
    for (const name of ["convex/server", "convex/values"]) {
      const src = builtinModuleSource(builtins, name);
      assert.ok(src.includes(`globalThis.__udfBuiltins[${JSON.stringify(name)}]`), name);
      const exportNames = Object.keys(builtins[name]).filter((k) => k !== "default");
      assert.ok(exportNames.length >= 8, name);
      for (const k of exportNames) {
        assert.ok(IDENT.test(k), `${name} export ${k} is an identifier`);
        assert.match(src, new RegExp(`[{,\\s]${k.replace(/\$/g, "\\$")}[,\\s}]`), `${name} re-exports ${k}`);
      }
    }
    const server = builtinModuleSource(builtins, "convex/server");
    for (const k of ["queryGeneric", "mutationGeneric", "actionGeneric", "httpActionGeneric", "httpRouter", "anyApi", "defineSchema", "defineTable", "paginationOptsValidator"]) {
      assert.ok(server.includes(k), k);
    }
    const vals = builtinModuleSource(builtins, "convex/values");
    for (const k of ["v", "ConvexError", "convexToJson", "jsonToConvex"]) {
      assert.match(vals, new RegExp(`\\b${k}\\b`), k);
    }
  });

  test("convex/server and convex/values load as modules with the package's exports", async () => {
    for (const name of ["convex/server", "convex/values"]) {
      const mod = await load(builtinModuleSource(builtins, name));
      const real = builtins[name];
      assert.deepEqual(Object.keys(mod).sort(), Object.keys(real).filter((k) => IDENT.test(k)).sort(), name);
      for (const k of Object.keys(mod)) assert.equal(mod[k], real[k], `${name}.${k} is the same object`);
    }
  });

  test("a namespace with a default export re-exports it as default", async () => {
    const fake = { "convex/server": { a: 1, b: 2, default: "dflt", "not-an-identifier": 3 } };
    const src = builtinModuleSource(fake, "convex/server");
    assert.match(src, /export default /);
    assert.ok(!src.includes("not-an-identifier"));
    const saved = globalThis.__udfBuiltins;
    Object.defineProperty(globalThis, "__udfBuiltins", { value: fake, configurable: true });
    try {
      const mod = await load(src + "\n// default\n");
      assert.equal(mod.default, "dflt");
      assert.equal(mod.a, 1);
      assert.equal(mod.b, 2);
    } finally {
      Object.defineProperty(globalThis, "__udfBuiltins", { value: saved, configurable: true });
    }
  });

  test("_generated/server exports the generic builders under their generated names", async () => {
    const src = builtinModuleSource(builtins, "_generated/server");
    const mod = await load(src);
    const expected = {
      query: "queryGeneric",
      internalQuery: "internalQueryGeneric",
      mutation: "mutationGeneric",
      internalMutation: "internalMutationGeneric",
      action: "actionGeneric",
      internalAction: "internalActionGeneric",
      httpAction: "httpActionGeneric",
    };
    assert.deepEqual(Object.keys(mod).sort(), Object.keys(expected).sort());
    for (const [ours, theirs] of Object.entries(expected)) {
      assert.equal(typeof server[theirs], "function", theirs);
      assert.equal(mod[ours], server[theirs], ours);
    }
    const q = mod.query({ args: {}, handler: async () => 1 });
    assert.equal(q.isQuery, true);
    assert.equal(q.isPublic, true);
  });

  test("_generated/api exports api, internal and components", async () => {
    const src = builtinModuleSource(builtins, "_generated/api");
    const mod = await load(src);
    assert.deepEqual(Object.keys(mod).sort(), ["api", "components", "internal"]);
    assert.equal(mod.api, server.anyApi);
    assert.equal(mod.internal, server.anyApi);
    // references resolve to function names, as the generated api does
    assert.equal(server.getFunctionName(mod.api.messages.send), "messages:send");
    assert.equal(server.getFunctionName(mod.internal.dir.mod.fn), "dir/mod:fn");
    assert.ok(mod.components);
  });

  test("every source is a module evaluated in strict mode with only its exports", async () => {
    for (const name of NAMES) {
      const src = builtinModuleSource(builtins, name);
      // the module loads, and top-level helpers (m, s) are not exported
      const mod = await load(src);
      assert.ok(!("m" in mod) && !("s" in mod), name);
    }
  });
});
