// Results udf_invoke stores as jsonb: a plain one is walked into jsonb by the
// host, any other goes through convexToJson and JSON text. value(i) returns
// case i; text(i) returns the JSON text the package makes of the same value,
// so the test can check that both roads give the same jsonb.
import { queryGeneric as query } from "convex/server";
import { convexToJson } from "convex/values";

const deep = (n) => { let v = "leaf"; for (let i = 0; i < n; i++) v = { d: v }; return v; };
const deepArray = (n) => { let v = 1; for (let i = 0; i < n; i++) v = [v]; return v; };
const nullProto = () => { const o = Object.create(null); o.b = 2; o.a = 1; return o; };
const withGetter = () => { const o = { plain: 1 }; Object.defineProperty(o, "got", { get: () => "from a getter", enumerable: true }); return o; };
const hidden = () => { const o = { shown: 1 }; Object.defineProperty(o, "hidden", { value: 2, enumerable: false }); o[Symbol("s")] = 3; return o; };

// the same doubles on every call (each call has a seed of its own, so no
// Math.random): random bit patterns, and random magnitudes of a random mantissa
const doubles = () => {
  let x = 0x2545f491;
  const next = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
  const view = new DataView(new ArrayBuffer(8));
  const out = [];
  while (out.length < 400) {
    view.setUint32(0, next()); view.setUint32(4, next());
    const bits = view.getFloat64(0);
    if (Number.isFinite(bits) && !Object.is(bits, -0)) out.push(bits);
    out.push((next() / 2 ** 32 - 0.5) * 10 ** ((next() % 60) - 30));
  }
  return out;
};

const cases = [
  () => null, () => true, () => false, () => 0, () => 42, () => -7, () => 0.1 + 0.2,
  () => 2 ** 53, () => 2 ** 53 + 2, () => -(2 ** 60), () => 1e21, () => 1.5e-7, () => 5e-324,
  () => Number.MAX_VALUE, () => 123456.789, () => doubles(),
  () => "", () => "plain", () => "quote \" backslash \\ tab \t newline \n bell \u0007",
  () => "héllo ✓ 😀 значение", () => "x".repeat(100000), () => "é✓😀x".repeat(30000),
  () => Array.from({ length: 3000 }, (_, i) => ({ ["k" + i]: "ü".repeat(i % 7), n: i / 7 })),
  () => [], () => ({}), () => [1, "two", null, [3, [4]], { five: 5 }],
  () => ({ b: 1, a: 2, 10: "ten", 2: "two", "with space": 3, "": "empty name" }),
  () => ({ kept: 1, gone: undefined, nested: { gone: undefined } }),
  () => nullProto(), () => withGetter(), () => hidden(),
  () => deep(63), () => deep(64), () => deep(80), () => deepArray(70),
  () => Object.fromEntries(Array.from({ length: 300 }, (_, i) => ["k" + i, i])),
  // not plain: the package's encoding
  () => 2n ** 60n, () => new Uint8Array([1, 2, 255]).buffer, () => -0, () => NaN, () => Infinity,
  () => ({ big: 1n, list: [-0] }), () => [1, { bytes: new ArrayBuffer(2) }],
];

// results Convex refuses, or jsonb cannot hold: the same errors as ever
const bad = [
  () => { const o = {}; Object.defineProperty(o, "x", { get() { throw new Error("getter threw"); }, enumerable: true }); return o; },
  () => new (class Point { constructor() { this.x = 1; } })(),
  () => new Map([[1, 2]]), () => ({ $reserved: 1 }), () => ({ ["x".repeat(1025)]: 1 }), () => ({ "tab\there": 1 }),
  () => [1, undefined], () => ({ f() {} }), () => "nul \u0000 inside", () => "lone \ud800 surrogate",
  () => { const o = {}; o.self = o; return o; },
];
export const refused = query({ handler: async (ctx, { i }) => bad[i]() });
export const refusedCount = query({ handler: async () => bad.length });

export const value = query({ handler: async (ctx, { i }) => cases[i]() });
export const text = query({ handler: async (ctx, { i }) => JSON.stringify(convexToJson(cases[i]())) });
export const count = query({ handler: async () => cases.length });

// results whose JSON text is near udf.max_result_size
export const sized = query({ handler: async (ctx, { n, ch }) => ch.repeat(n) });
