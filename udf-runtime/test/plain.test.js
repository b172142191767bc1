import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { convexToJson } from "convex/values";

import { makePlainWriter } from "../src/plain.js";

// The host's reading of host values (extension/hostjsonb.c reads them the same way).
function decode(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder("utf-8", { fatal: true });
  let at = 0;
  const u32 = () => { const v = view.getUint32(at, true); at += 4; return v; };
  const str = () => { const n = u32(); const s = text.decode(bytes.subarray(at, at + n)); at += n; return s; };
  function value() {
    const tag = String.fromCharCode(bytes[at++]);
    switch (tag) {
      case "z": return null;
      case "T": return true;
      case "F": return false;
      case "n": { const v = view.getFloat64(at, true); at += 8; return v; }
      case "s": return str();
      case "a": { const n = u32(); const out = []; for (let i = 0; i < n; i++) out.push(value()); return out; }
      case "o": { const n = u32(); const out = {}; for (let i = 0; i < n; i++) { const k = str(); out[k] = value(); } return out; }
      default: throw new Error(`unknown tag ${tag}`);
    }
  }
  const v = value();
  assert.equal(at, bytes.length, "every byte read");
  return v;
}

const write = makePlainWriter();
const BIG = 1 << 30;

describe("plain results as host values", () => {
  test("plain values read back as the package's JSON of them", () => {
    const cases = [
      null, true, false, 0, -7, 0.1 + 0.2, 2 ** 53, 1e300, 5e-324, "", "plain",
      "héllo ✓ 😀 значение", "x".repeat(10000), "é✓😀".repeat(5000), [], {}, [1, [2, [3]]],
      { b: 1, a: { c: [null, "d"] }, 10: "ten", "": "empty" }, { kept: 1, gone: undefined },
      Object.assign(Object.create(null), { z: 1 }),
      Array.from({ length: 2000 }, (_, i) => ({ ["k" + i]: "ü".repeat(i % 5) })),
    ];
    for (const v of cases) {
      const bytes = write(v, BIG);
      assert.ok(bytes, `written: ${JSON.stringify(v)?.slice(0, 40)}`);
      assert.deepEqual(decode(bytes), JSON.parse(JSON.stringify(convexToJson(v))));
    }
  });

  test("anything convexToJson would change or refuse is left to it", () => {
    const getterThrows = {};
    Object.defineProperty(getterThrows, "x", { get() { throw new Error("no"); }, enumerable: true });
    let deep = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    const cases = [
      undefined, -0, NaN, Infinity, 1n, new ArrayBuffer(2), new Map(), new Set(), new Date(0),
      new (class K {})(), () => 1, Symbol("s"), [1, undefined], [1, , 3], { $x: 1 }, { "a\tb": 1 },
      { ["k".repeat(1025)]: 1 }, { "é": 1 }, "nul \u0000", "lone \ud800", "lone \udc00 low",
      "pair then lone \ud83d\ude00\ud83d", deep, { a: { b: [1, 2n] } },
    ];
    for (const v of cases) assert.equal(write(v, BIG), null, String(typeof v === "symbol" ? "symbol" : v));
    assert.throws(() => write(getterThrows, BIG), /no/);
  });

  test("the budget counts bytes of host values", () => {
    const s = "a".repeat(100);
    assert.equal(write(s, 105).length, 105); // tag, length, 100 bytes
    assert.equal(write(s, 104), null);
    assert.equal(write({ k: s }, 1000).length, 1 + 4 + 4 + 1 + 105);
    assert.equal(write(["é".repeat(50)], 1 + 4 + 1 + 4 + 99), null);
    assert.ok(write(["é".repeat(50)], 1 + 4 + 1 + 4 + 100));
  });

  test("a buffer grown past 1 MiB is dropped at the next write", () => {
    const big = write("x".repeat(3 << 20), BIG);
    assert.ok(big.buffer.byteLength >= 3 << 20);
    assert.equal(write({ a: 1 }, BIG).buffer.byteLength, 4096);
    assert.equal(write("y".repeat(1000), BIG).buffer.byteLength, 4096);
  });

  test("the buffer is reused: a result is read before the next write", () => {
    const first = write({ a: 1 }, BIG);
    const copy = decode(first);
    write({ b: "second" }, BIG);
    assert.deepEqual(copy, { a: 1 });
  });
});
