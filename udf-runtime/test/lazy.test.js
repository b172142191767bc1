import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { defineLazyGlobals, loadedGlobal, evaluateBundle } from "../src/setup/lazy.js";

describe("globals loaded on first use", () => {
  test("the first read loads every global of the part, once; then they are data properties", () => {
    const g = {};
    let loads = 0;
    defineLazyGlobals(g, ["A", "B"], () => { loads++; return { A: 1, B: 2 }; });
    assert.equal(loads, 0);
    assert.equal(loadedGlobal(g, "A"), undefined);
    assert.equal(g.B, 2);
    assert.equal(loads, 1);
    assert.equal(g.A, 1);
    assert.equal(loads, 1);
    for (const name of ["A", "B"]) {
      assert.deepEqual(Object.getOwnPropertyDescriptor(g, name),
        { value: name === "A" ? 1 : 2, writable: true, enumerable: false, configurable: true });
    }
    assert.equal(loadedGlobal(g, "A"), 1);
  });

  test("a global assigned before the load keeps its value, and the load still happens for the rest", () => {
    const g = {};
    let loads = 0;
    defineLazyGlobals(g, ["A", "B"], () => { loads++; return { A: 1, B: 2 }; });
    g.A = "mine";
    assert.equal(loads, 0);
    assert.equal(g.B, 2);
    assert.equal(g.A, "mine");
    assert.equal(Object.getOwnPropertyDescriptor(g, "A").writable, true);
  });

  test("a load that throws changes nothing: the next read loads", () => {
    const g = {};
    let fail = true;
    defineLazyGlobals(g, ["A"], () => { if (fail) throw new Error("stopped"); return { A: 1 }; });
    assert.throws(() => g.A, /stopped/);
    assert.equal(typeof Object.getOwnPropertyDescriptor(g, "A").get, "function");
    fail = false;
    assert.equal(g.A, 1);
  });

  test("a name the part does not define is removed, not left undefined", () => {
    const g = {};
    defineLazyGlobals(g, ["A", "Missing"], () => ({ A: 1 }));
    assert.equal(g.A, 1);
    assert.equal("Missing" in g, false);
  });

  test("a bundle's text is evaluated as a function body answering its IIFE's name", () => {
    assert.deepEqual(evaluateBundle("var __x = (() => ({ k: 42 }))();", "__x"), { k: 42 });
    assert.equal(typeof globalThis.__x, "undefined");
  });
});
