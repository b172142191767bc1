import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { v } from "convex/values";
import {
  validateValue,
  validateArgs,
  validateReturns,
  formatValue,
  formatValidator,
} from "../src/validate.js";

// Real validator JSON, exactly as exportArgs()/exportReturns() produce it.
const j = (validator) => JSON.parse(JSON.stringify(validator.json));
const args = (fields) => j(v.object(fields));

function bytes(...b) {
  return new Uint8Array(b).buffer;
}

function ok(validator, value) {
  assert.equal(validateValue(j(validator), value, ""), null, formatValue(value));
}

function bad(validator, value) {
  const msg = validateValue(j(validator), value, "");
  assert.equal(typeof msg, "string", `expected ${formatValue(value)} to be rejected`);
  return msg;
}

describe("every validator type", () => {
  test("v.any()", () => {
    for (const x of [null, 1, 1n, "s", true, bytes(1), [1], { a: 1 }, NaN]) {
      ok(v.any(), x);
    }
  });

  test("v.null()", () => {
    ok(v.null(), null);
    bad(v.null(), undefined);
    bad(v.null(), 0);
  });

  test("v.number() / v.float64() accepts NaN, Infinity, -0", () => {
    for (const validator of [v.number(), v.float64()]) {
      for (const x of [0, -0, 1.5, NaN, Infinity, -Infinity]) ok(validator, x);
      bad(validator, 1n);
      bad(validator, "1");
    }
  });

  test("v.int64() / v.bigint()", () => {
    for (const validator of [v.int64(), v.bigint()]) {
      ok(validator, 0n);
      ok(validator, 2n ** 63n - 1n);
      ok(validator, -(2n ** 63n));
      bad(validator, 2n ** 63n);
      bad(validator, 1);
    }
    const msg = bad(v.int64(), 1);
    assert.equal(msg, "Value does not match validator.\n\nValue: 1\nValidator: v.int64()");
  });

  test("v.commitTs()", () => {
    assert.deepEqual(j(v.commitTs()), { type: "commitTs" });
    ok(v.commitTs(), 123n);
    bad(v.commitTs(), 123);
  });

  test("v.boolean()", () => {
    ok(v.boolean(), false);
    bad(v.boolean(), 0);
  });

  test("v.string()", () => {
    ok(v.string(), "");
    bad(v.string(), null);
  });

  test("v.bytes()", () => {
    ok(v.bytes(), bytes(1, 2, 3));
    const msg = bad(v.bytes(), new Uint8Array([1, 2]));
    assert.match(msg, /Validator: v\.bytes\(\)/);
    bad(v.bytes(), "AQID");
  });

  test("v.id() accepts any string for now", () => {
    ok(v.id("users"), "anything");
    const msg = bad(v.id("users"), 5);
    assert.match(msg, /Validator: v\.id\("users"\)/);
  });

  test("v.literal() string, number, boolean, bigint", () => {
    ok(v.literal("a"), "a");
    ok(v.literal(3), 3);
    ok(v.literal(true), true);
    ok(v.literal(5n), 5n);
    bad(v.literal("a"), "b");
    bad(v.literal(true), false);
    bad(v.literal(0), -0);
  });

  test("bigint literal vs number", () => {
    const msg = bad(v.literal(5n), 5);
    assert.equal(msg, "`5` does not match literal validator `v.literal(5n)`.");
    assert.equal(
      validateValue(j(v.literal(5)), 5n, ".x"),
      "`5n` does not match literal validator `v.literal(5)`.\nPath: .x",
    );
    ok(v.literal(5), 5);
  });

  test("v.array()", () => {
    ok(v.array(v.number()), []);
    ok(v.array(v.number()), [1, 2]);
    bad(v.array(v.number()), { 0: 1 });
    const msg = bad(v.array(v.number()), [1, 2, "x"]);
    assert.equal(
      msg,
      'Value does not match validator.\nPath: [2]\nValue: "x"\nValidator: v.float64()',
    );
  });

  test("v.object()", () => {
    ok(v.object({ a: v.number() }), { a: 1 });
    bad(v.object({ a: v.number() }), [1]);
    bad(v.object({}), new Date(0));
    ok(v.object({}), Object.create(null));
  });

  test("v.record()", () => {
    const r = v.record(v.string(), v.number());
    ok(r, {});
    ok(r, { a: 1, b: 2 });
    bad(r, [1]);
    assert.equal(
      bad(r, { a: 1, b: "two" }),
      'Value does not match validator.\nPath: .values()\nValue: "two"\nValidator: v.float64()',
    );
    const keyed = v.record(v.union(v.literal("x"), v.literal("y")), v.boolean());
    ok(keyed, { x: true, y: false });
    assert.equal(
      validateValue(j(keyed), { x: true, z: false }, ".flags"),
      'Value does not match validator.\nPath: .flags.keys()\nValue: "z"\n' +
        'Validator: v.union(v.literal("x"), v.literal("y"))',
    );
    ok(v.record(v.id("users"), v.string()), { someid: "x" });
  });

  test("v.union()", () => {
    const u = v.union(v.number(), v.string());
    ok(u, 42);
    ok(u, "42");
    assert.equal(
      bad(u, null),
      "Value does not match validator.\n\nValue: null\nValidator: v.union(v.float64(), v.string())",
    );
    // A one-member union reports its member's error.
    assert.equal(
      bad(v.union(v.string()), 1),
      "Value does not match validator.\n\nValue: 1\nValidator: v.string()",
    );
    bad(v.union(), null);
    ok(v.nullable(v.string()), null);
  });

  test("every kind in the installed convex `v` is handled", () => {
    const samples = {
      id: [v.id("t"), "x"],
      null: [v.null(), null],
      number: [v.number(), 1],
      float64: [v.float64(), 1],
      bigint: [v.bigint(), 1n],
      int64: [v.int64(), 1n],
      commitTs: [v.commitTs(), 1n],
      boolean: [v.boolean(), true],
      string: [v.string(), "s"],
      bytes: [v.bytes(), bytes()],
      literal: [v.literal("a"), "a"],
      array: [v.array(v.any()), []],
      object: [v.object({}), {}],
      record: [v.record(v.string(), v.any()), {}],
      union: [v.union(v.null(), v.string()), null],
      any: [v.any(), 1],
      optional: [v.optional(v.string()), "s"],
      nullable: [v.nullable(v.string()), null],
    };
    for (const name of Object.keys(v)) {
      assert.ok(name in samples, `no test sample for v.${name}`);
      const [validator, value] = samples[name];
      ok(validator, value);
    }
  });

  test("malformed validator JSON throws", () => {
    assert.throws(() => validateValue({ type: "nope" }, 1, ""), /unknown validator type/);
  });
});

describe("objects: optional, missing, extra, nested paths", () => {
  test("optional fields may be absent or undefined", () => {
    const o = v.object({ a: v.number(), b: v.optional(v.string()) });
    ok(o, { a: 1 });
    ok(o, { a: 1, b: undefined });
    ok(o, { a: 1, b: "x" });
    bad(o, { a: 1, b: null });
  });

  test("missing required field: exact wording", () => {
    const msg = validateArgs(args({ x: v.number() }), {});
    assert.equal(
      msg,
      "ArgumentValidationError: Object is missing the required field `x`. " +
        "Consider wrapping the field validator in `v.optional(...)` if this is expected.\n" +
        "\n" +
        "Object: {}\n" +
        "Validator: v.object({x: v.float64()})",
    );
    // undefined counts as missing
    assert.match(validateArgs(args({ x: v.number() }), { x: undefined }), /missing the required field `x`/);
  });

  test("extra field: exact wording", () => {
    const msg = validateArgs(args({ a: v.number() }), { a: 1, bad: 2 });
    assert.equal(
      msg,
      "ArgumentValidationError: Object contains extra field `bad` that is not in the validator.\n" +
        "\n" +
        "Object: {a: 1, bad: 2}\n" +
        "Validator: v.object({a: v.float64()})",
    );
    // An undefined extra field is dropped, like in Convex serialization.
    assert.equal(validateArgs(args({ a: v.number() }), { a: 1, bad: undefined }), null);
  });

  test("nested path: object in array in object", () => {
    const validator = args({
      a: v.object({
        b: v.array(v.object({ c: v.string(), d: v.optional(v.int64()) })),
      }),
    });
    assert.equal(validateArgs(validator, { a: { b: [{ c: "x" }, { c: "y", d: 2n }] } }), null);
    assert.equal(
      validateArgs(validator, { a: { b: [{ c: "x" }, { c: "y" }, { c: 3 }] } }),
      "ArgumentValidationError: Value does not match validator.\n" +
        "Path: .a.b[2].c\n" +
        "Value: 3\n" +
        "Validator: v.string()",
    );
    assert.equal(
      validateArgs(validator, { a: { b: [{ c: "x", d: 1 }] } }),
      "ArgumentValidationError: Value does not match validator.\n" +
        "Path: .a.b[0].d\n" +
        "Value: 1\n" +
        "Validator: v.int64()",
    );
    // Missing/extra fields name the path of the object that has the problem.
    assert.equal(
      validateArgs(validator, { a: { b: [{ c: "x" }, {}] } }),
      "ArgumentValidationError: Object is missing the required field `c`. " +
        "Consider wrapping the field validator in `v.optional(...)` if this is expected.\n" +
        "Path: .a.b[1]\n" +
        "Object: {}\n" +
        "Validator: v.object({c: v.string(), d: v.optional(v.int64())})",
    );
    assert.equal(
      validateArgs(validator, { a: { b: [{ c: "x", e: true }] } }),
      "ArgumentValidationError: Object contains extra field `e` that is not in the validator.\n" +
        "Path: .a.b[0]\n" +
        "Object: {c: \"x\", e: true}\n" +
        "Validator: v.object({c: v.string(), d: v.optional(v.int64())})",
    );
  });

  test("validateValue prefixes the given path", () => {
    assert.equal(
      validateValue(j(v.array(v.string())), ["a", 1], ".items"),
      "Value does not match validator.\nPath: .items[1]\nValue: 1\nValidator: v.string()",
    );
  });

  test("fields are checked in sorted order, extra fields after", () => {
    const validator = args({ b: v.number(), a: v.number() });
    assert.match(validateArgs(validator, { b: "x", a: "y" }), /Path: \.a\n/);
    assert.match(validateArgs(validator, { z: 1, b: "x", a: 1 }), /Path: \.b\n/);
  });
});

describe("validateArgs", () => {
  test("no validator / v.any() accepts anything", () => {
    assert.equal(validateArgs(null, { whatever: 1 }), null);
    assert.equal(validateArgs(j(v.any()), { whatever: 1 }), null);
  });

  test("wrong type at top level", () => {
    assert.equal(
      validateArgs(args({ a: v.number() }), { a: "bad" }),
      'ArgumentValidationError: Value does not match validator.\nPath: .a\nValue: "bad"\nValidator: v.float64()',
    );
  });

  test("non-object args", () => {
    assert.equal(
      validateArgs(args({}), [1]),
      "ArgumentValidationError: Expected to receive an object as the function's argument. Instead received: [1]",
    );
  });

  test("union number|string accepts 42 and \"42\", rejects null", () => {
    const validator = args({ a: v.union(v.number(), v.string()) });
    assert.equal(validateArgs(validator, { a: 42 }), null);
    assert.equal(validateArgs(validator, { a: "42" }), null);
    assert.equal(
      validateArgs(validator, { a: null }),
      "ArgumentValidationError: Value does not match validator.\nPath: .a\nValue: null\n" +
        "Validator: v.union(v.float64(), v.string())",
    );
  });

  test("v.number() accepts Infinity and NaN args", () => {
    const validator = args({ a: v.number() });
    assert.equal(validateArgs(validator, { a: Infinity }), null);
    assert.equal(validateArgs(validator, { a: NaN }), null);
    assert.equal(validateArgs(validator, { a: -Infinity }), null);
  });
});

describe("validateReturns", () => {
  test("null validator means no validation", () => {
    assert.equal(validateReturns(null, { anything: [1n] }, "mod:fn"), null);
    assert.equal(validateReturns(null, undefined, "mod:fn"), null);
  });

  test("wrong return value", () => {
    assert.equal(
      validateReturns(j(v.string()), 5, "messages:list"),
      "Function messages:list return value invalid: Value does not match validator.\n\nValue: 5\nValidator: v.string()",
    );
    assert.equal(validateReturns(j(v.string()), "ok", "messages:list"), null);
  });

  test("undefined return value is validated as null", () => {
    assert.equal(validateReturns(j(v.null()), undefined, "f"), null);
    assert.match(validateReturns(j(v.string()), undefined, "f"), /Value: null\n/);
  });

  test("document missing system fields", () => {
    const validator = j(v.object({ _id: v.id("t"), _creationTime: v.number(), name: v.string() }));
    assert.equal(validateReturns(validator, { _id: "x", _creationTime: 1, name: "n" }, "f"), null);
    const partial = j(v.object({ name: v.string() }));
    assert.match(
      validateReturns(partial, { _id: "x", _creationTime: 1, name: "n" }, "f"),
      /^Function f return value invalid: Object contains extra field `_creationTime`/,
    );
  });

  test("non-Convex values are rejected", () => {
    assert.match(validateReturns(j(v.object({})), new Map(), "f"), /Value: \[object Map\]/);
  });
});

describe("formatting", () => {
  test("formatValue", () => {
    assert.equal(formatValue(123n), "123n");
    assert.equal(formatValue(NaN), "NaN");
    assert.equal(formatValue(-0), "-0");
    assert.equal(formatValue(-Infinity), "-Infinity");
    assert.equal(formatValue(undefined), "undefined");
    assert.equal(formatValue(bytes(1, 2, 3)), "ArrayBuffer(3 bytes)");
    assert.equal(formatValue({ b: [1, "x"], a: null, "a-b": true }), '{a: null, "a-b": true, b: [1, "x"]}');
  });

  test("long values are truncated at about 200 chars", () => {
    const long = formatValue("x".repeat(10000));
    assert.equal(long.length, 203);
    assert.ok(long.endsWith("..."));
    const arr = formatValue(new Array(1000).fill(12345));
    assert.ok(arr.length <= 203 && arr.endsWith("..."));
    const cyclic = [];
    cyclic.push(cyclic);
    assert.ok(formatValue(cyclic).endsWith("..."));
    const msg = validateValue(j(v.string()), { big: "y".repeat(5000) }, "");
    assert.ok(msg.length < 400, msg);
  });

  test("formatValidator", () => {
    assert.equal(
      formatValidator(
        j(
          v.object({
            s: v.optional(v.string()),
            r: v.record(v.string(), v.bytes()),
            l: v.literal("k"),
            n: v.nullable(v.boolean()),
            a: v.array(v.any()),
          }),
        ),
      ),
      'v.object({a: v.array(v.any()), l: v.literal("k"), n: v.union(v.boolean(), v.null()), ' +
        "r: v.record(v.string(), v.bytes()), s: v.optional(v.string())})",
    );
  });
});
