import { test, describe } from "node:test";
import assert from "node:assert/strict";

import { setupWeb } from "../src/setup/00_web.js";

// A fresh object stands in for the isolate's global; Node's own
// implementations (globalThis.TextEncoder etc.) are the reference.
const g = {};
setupWeb(g);

const ours = {
  encode: (s) => new g.TextEncoder().encode(s),
  decode: (bytes, opts) => new g.TextDecoder("utf-8", opts).decode(bytes),
};
const node = {
  encode: (s) => new TextEncoder().encode(s),
  decode: (bytes, opts) => new TextDecoder("utf-8", opts).decode(bytes),
};

// A small deterministic PRNG for the fuzz-style comparisons.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = [
  "",
  "a",
  "hello, world",
  "\0\x01\x7f",
  "é", // 2 bytes
  "ß\u07ff", // 2 bytes, last 2-byte code point
  "\u0800", // first 3-byte code point
  "€ ✓ 日本語", // 3 bytes
  "\uffff\ufeff",
  "😀", // 4 bytes (surrogate pair)
  "𐍈\u{10ffff}", // 4 bytes, last code point
  "mixed: a é € 😀 z",
  "\ud800", // lone high surrogate
  "\udc00", // lone low surrogate
  "a\ud800b",
  "a\udfffb",
  "\ud800\ud800", // two highs
  "\udc00\ud800", // low then high: both lone
  "😀\ud83d", // pair then dangling high at the end
  "\ud83d😀",
  "x".repeat(10000) + "é".repeat(5000) + "😀".repeat(3000), // exercises chunking
];

describe("TextEncoder", () => {
  test("encoding is utf-8", () => {
    assert.equal(new g.TextEncoder().encoding, "utf-8");
  });

  test("matches Node on ASCII, 2/3/4-byte UTF-8 and lone surrogates", () => {
    for (const s of STRINGS) {
      const got = ours.encode(s);
      assert.ok(got instanceof Uint8Array);
      assert.deepEqual(got, node.encode(s), JSON.stringify(s.slice(0, 20)));
    }
  });

  test("byte sequences of single code points", () => {
    assert.deepEqual([...ours.encode("A")], [0x41]);
    assert.deepEqual([...ours.encode("é")], [0xc3, 0xa9]);
    assert.deepEqual([...ours.encode("€")], [0xe2, 0x82, 0xac]);
    assert.deepEqual([...ours.encode("😀")], [0xf0, 0x9f, 0x98, 0x80]);
  });

  test("lone surrogates become U+FFFD (EF BF BD)", () => {
    assert.deepEqual([...ours.encode("\ud800")], [0xef, 0xbf, 0xbd]);
    assert.deepEqual([...ours.encode("\udfff")], [0xef, 0xbf, 0xbd]);
    assert.deepEqual([...ours.encode("\ud800a")], [0xef, 0xbf, 0xbd, 0x61]);
    assert.deepEqual([...ours.encode("a\udc00")], [0x61, 0xef, 0xbf, 0xbd]);
  });

  test("random strings of code units match Node", () => {
    const r = rng(1);
    const pick = () => {
      const k = r();
      if (k < 0.3) return String.fromCharCode(Math.floor(r() * 0x80));
      if (k < 0.5) return String.fromCharCode(0x80 + Math.floor(r() * 0x780));
      if (k < 0.7) return String.fromCharCode(0x800 + Math.floor(r() * 0xf800)); // includes surrogates
      return String.fromCodePoint(0x10000 + Math.floor(r() * 0x100000));
    };
    for (let n = 0; n < 300; n++) {
      let s = "";
      const len = Math.floor(r() * 40);
      for (let i = 0; i < len; i++) s += pick();
      assert.deepEqual(ours.encode(s), node.encode(s), JSON.stringify(s));
    }
  });

  test("argument conversion: undefined -> empty, others via String()", () => {
    for (const x of [undefined, null, 42, true, { toString: () => "obj" }]) {
      assert.deepEqual(ours.encode(x), node.encode(x), String(x));
    }
    assert.equal(new g.TextEncoder().encode().length, 0);
  });

  test("encodeInto writes whole characters only, like Node", () => {
    const inputs = ["", "abc", "héllo", "€€€", "😀x", "a😀", "\ud800z", "日本語テキスト", "x😀😀é"];
    for (const s of inputs) {
      for (let size = 0; size <= 12; size++) {
        const a = new Uint8Array(size).fill(0xaa);
        const b = new Uint8Array(size).fill(0xaa);
        const ra = new g.TextEncoder().encodeInto(s, a);
        const rb = new TextEncoder().encodeInto(s, b);
        assert.deepEqual({ ...ra }, { ...rb }, `${JSON.stringify(s)} into ${size}`);
        assert.deepEqual(a, b, `${JSON.stringify(s)} into ${size}`);
      }
    }
  });

  test("encodeInto into a subarray leaves the rest alone", () => {
    const buf = new Uint8Array(8);
    const r = new g.TextEncoder().encodeInto("hé", buf.subarray(2, 6));
    assert.deepEqual(r, { read: 2, written: 3 });
    assert.deepEqual([...buf], [0, 0, 0x68, 0xc3, 0xa9, 0, 0, 0]);
  });
});

describe("TextDecoder", () => {
  test("round trip of well-formed strings matches Node", () => {
    for (const s of STRINGS) {
      const bytes = node.encode(s);
      assert.equal(ours.decode(bytes), node.decode(bytes), JSON.stringify(s.slice(0, 20)));
      assert.equal(ours.decode(bytes, { fatal: true }), node.decode(bytes, { fatal: true }));
    }
  });

  test("round trip of valid strings is exact", () => {
    for (const s of ["", "abc", "é€😀", "\u{10ffff}\u0800\u07ff\u0080"]) {
      assert.equal(ours.decode(ours.encode(s)), s);
    }
  });

  // [bytes, expected string] -- invalid sequences; each maximal subpart of
  // an ill-formed sequence becomes one U+FFFD (WHATWG Encoding).
  const R = "\ufffd";
  const INVALID = [
    [[0x80], R], // lone continuation byte
    [[0xbf, 0x41], R + "A"],
    [[0xff], R],
    [[0xfe, 0xff], R + R],
    [[0xc0, 0x80], R + R], // overlong NUL
    [[0xc1, 0xbf], R + R], // overlong
    [[0xe0, 0x80, 0x80], R + R + R], // overlong 3-byte
    [[0xe0, 0x9f, 0xbf], R + R + R],
    [[0xf0, 0x80, 0x80, 0x80], R + R + R + R], // overlong 4-byte
    [[0xf0, 0x8f, 0xbf, 0xbf], R + R + R + R],
    [[0xed, 0xa0, 0x80], R + R + R], // encoded high surrogate
    [[0xed, 0xbf, 0xbf], R + R + R], // encoded low surrogate
    [[0xf4, 0x90, 0x80, 0x80], R + R + R + R], // above U+10FFFF
    [[0xf5, 0x80, 0x80, 0x80], R + R + R + R],
    [[0xf8, 0x88, 0x80, 0x80, 0x80], R + R + R + R + R],
    [[0xc3], R], // truncated at the end
    [[0xe2, 0x82], R],
    [[0xf0, 0x9f, 0x98], R],
    [[0xe2, 0x82, 0x41], R + "A"], // truncated in the middle
    [[0xf0, 0x9f, 0x41, 0x42], R + "AB"],
    [[0xc3, 0xc3, 0xa9], R + "é"],
    [[0x61, 0xe2, 0x28, 0xa1, 0x62], "a" + R + "(" + R + "b"],
  ];

  test("invalid UTF-8 becomes U+FFFD, exactly as in Node", () => {
    for (const [bytes, want] of INVALID) {
      const u8 = new Uint8Array(bytes);
      assert.equal(node.decode(u8), want, `reference for ${bytes}`);
      assert.equal(ours.decode(u8), want, `bytes ${bytes.map((b) => b.toString(16))}`);
    }
  });

  test("invalid UTF-8 with {fatal: true} throws a TypeError", () => {
    for (const [bytes] of INVALID) {
      assert.throws(() => ours.decode(new Uint8Array(bytes), { fatal: true }), TypeError, String(bytes));
      assert.throws(() => node.decode(new Uint8Array(bytes), { fatal: true }), TypeError, String(bytes));
    }
  });

  test("random byte strings decode as in Node", () => {
    const r = rng(7);
    for (let n = 0; n < 2000; n++) {
      const len = Math.floor(r() * 16);
      const u8 = new Uint8Array(len);
      for (let i = 0; i < len; i++) {
        // bias towards the interesting bytes: continuation and lead bytes
        const k = r();
        u8[i] = k < 0.25 ? Math.floor(r() * 0x80) : k < 0.6 ? 0x80 + Math.floor(r() * 0x40) : 0xc0 + Math.floor(r() * 0x40);
      }
      let want, wantErr = false;
      try {
        want = node.decode(u8, { fatal: true });
      } catch {
        wantErr = true;
      }
      assert.equal(ours.decode(u8), node.decode(u8), `bytes ${[...u8]}`);
      if (wantErr) assert.throws(() => ours.decode(u8, { fatal: true }), TypeError);
      else assert.equal(ours.decode(u8, { fatal: true }), want);
    }
  });

  test("BOM is stripped by default and kept with ignoreBOM", () => {
    const bom = [0xef, 0xbb, 0xbf];
    const cases = [bom, [...bom, 0x41], [...bom, ...bom], [0x41, ...bom], [0xef, 0xbb]];
    for (const c of cases) {
      const u8 = new Uint8Array(c);
      assert.equal(ours.decode(u8), node.decode(u8), String(c));
      assert.equal(ours.decode(u8, { ignoreBOM: true }), node.decode(u8, { ignoreBOM: true }), String(c));
    }
    assert.equal(ours.decode(new Uint8Array([...bom, 0x41])), "A");
    assert.equal(ours.decode(new Uint8Array([...bom, 0x41]), { ignoreBOM: true }), "\ufeffA");
    assert.equal(ours.decode(new Uint8Array([...bom, ...bom])), "\ufeff");
  });

  test("accepts ArrayBuffer, typed arrays, DataView and offset views", () => {
    const bytes = node.encode("zé€😀");
    const buf = new ArrayBuffer(bytes.length + 4);
    new Uint8Array(buf).set(bytes, 2);
    assert.equal(ours.decode(bytes.buffer), "zé€😀");
    assert.equal(ours.decode(new Uint8Array(buf, 2, bytes.length)), "zé€😀");
    assert.equal(ours.decode(new DataView(buf, 2, bytes.length)), "zé€😀");
    const even = new Uint8Array([0x68, 0x69, 0x21, 0x21]);
    assert.equal(ours.decode(new Uint16Array(even.buffer)), node.decode(new Uint16Array(even.buffer)));
    assert.equal(ours.decode(), "");
    assert.equal(ours.decode(new Uint8Array(0)), "");
  });

  test("rejects non-buffer input with a TypeError", () => {
    for (const x of ["abc", 12, null, {}, [0x41]]) {
      assert.throws(() => ours.decode(x), TypeError);
    }
  });

  test("labels and attributes", () => {
    for (const label of ["utf-8", "UTF-8", "utf8", " Utf8 ", "unicode-1-1-utf-8"]) {
      assert.equal(new g.TextDecoder(label).encoding, "utf-8", label);
    }
    assert.equal(new g.TextDecoder().encoding, "utf-8");
    assert.throws(() => new g.TextDecoder("no-such-encoding"), RangeError);
    assert.throws(() => new TextDecoder("no-such-encoding"), RangeError);
    const d = new g.TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    assert.equal(d.fatal, true);
    assert.equal(d.ignoreBOM, true);
    const e = new g.TextDecoder();
    assert.equal(e.fatal, false);
    assert.equal(e.ignoreBOM, false);
  });
});

describe("atob / btoa", () => {
  const attempt = (f, s) => {
    try {
      return { ok: f(s) };
    } catch (e) {
      return { err: e.name };
    }
  };

  test("btoa matches Node on Latin-1 strings", () => {
    const inputs = ["", "a", "ab", "abc", "abcd", "hello, world", "\0", "\xff\xfe\xfd", "\x80"];
    let all = "";
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    inputs.push(all, all.slice(1), all.slice(2));
    for (const s of inputs) assert.equal(g.btoa(s), btoa(s), JSON.stringify(s));
    assert.equal(g.btoa("abc"), "YWJj");
    assert.equal(g.btoa("ab"), "YWI=");
    assert.equal(g.btoa("a"), "YQ==");
  });

  test("btoa converts its argument with String()", () => {
    for (const x of [undefined, null, 12345, true]) assert.equal(g.btoa(x), btoa(x));
  });

  test("btoa on non-Latin-1 input throws InvalidCharacterError", () => {
    for (const s of ["€", "aé€", "ab\u0100", "😀", "\ud800", "abc\u0100"]) {
      assert.throws(() => g.btoa(s), (e) => e.name === "InvalidCharacterError", JSON.stringify(s));
      assert.throws(() => btoa(s), (e) => e.name === "InvalidCharacterError");
    }
    assert.throws(() => g.btoa("€"), g.DOMException);
  });

  test("atob round-trips every byte value", () => {
    let all = "";
    for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
    for (let k = 0; k < 3; k++) {
      const s = all.slice(k);
      assert.equal(g.atob(btoa(s)), s);
    }
  });

  test("atob matches Node on valid, whitespace, padding and invalid inputs", () => {
    const inputs = [
      "", "YQ", "YQ=", "YQ==", "YQ===", "YWI", "YWI=", "YWI==", "YWJj", "YWJj=", "YWJj==",
      "Y", "Y=", "Y==", "Y===", "====", "=", "YWJjZA", "YWJjZA==", "YWJjZA=",
      " YWJj ", "YW Jj", "Y\tW\nJ\fj\r", "YQ==\n", " Y Q = = ", "YQ\v==", "YQ\u00a0==",
      "YR==", "YR", // non-zero trailing bits are discarded
      "YW=Jj", "=YWJj", "YW-j", "YW_j", "YW*j", "YWJj\0", "Ã©",
      "/+/+", "++++", "////", "AAAA", "AA==", "AAA=",
    ];
    for (const s of inputs) {
      assert.deepEqual(attempt(g.atob, s), attempt(atob, s), JSON.stringify(s));
    }
  });

  test("atob errors are InvalidCharacterError DOMExceptions", () => {
    for (const s of ["Y", "YQ=", "YQ===", "a!bc", "YW=Jj", "€€€€"]) {
      assert.throws(() => g.atob(s), (e) => e instanceof g.DOMException && e.name === "InvalidCharacterError" && e instanceof Error, JSON.stringify(s));
    }
  });

  test("atob converts its argument with String()", () => {
    for (const x of [null, undefined, 1234]) assert.deepEqual(attempt(g.atob, x), attempt(atob, x), String(x));
  });
});

describe("structuredClone", () => {
  const sc = (v) => g.structuredClone(v);

  test("primitives come back as they are", () => {
    for (const x of [undefined, null, true, false, 0, -0, 1.5, NaN, Infinity, "", "s", 12n]) {
      assert.ok(Object.is(sc(x), x), String(x));
    }
  });

  test("plain objects and arrays are deep copies equal to Node's clone", () => {
    const values = [
      { a: 1, b: "x", c: [1, 2, { d: null }], e: { f: { g: true } } },
      [1, [2, [3, [4]]]],
      [],
      {},
      { nested: [{ x: undefined }] },
      [1, , 3],
      new Array(3),
    ];
    for (const v of values) {
      const c = sc(v);
      assert.notEqual(c, v);
      assert.deepEqual(c, structuredClone(v));
      assert.deepEqual(c, v);
    }
    const o = { inner: { x: 1 } };
    const c = sc(o);
    c.inner.x = 2;
    assert.equal(o.inner.x, 1);
    assert.equal(sc([1, , 3]).length, 3);
    assert.ok(!(1 in sc([1, , 3])));
    assert.equal(sc(new Array(5)).length, 5);
  });

  test("class instances become plain objects of their own enumerable data", () => {
    class P {
      constructor() {
        this.x = 1;
      }
      get y() {
        return 2;
      }
    }
    const c = sc(new P());
    assert.equal(Object.getPrototypeOf(c), Object.prototype);
    assert.deepEqual(c, structuredClone(new P()));
    const hidden = Object.defineProperty({ a: 1 }, "b", { value: 2, enumerable: false });
    assert.deepEqual(sc(hidden), { a: 1 });
    assert.deepEqual(sc({ [Symbol("s")]: 1, a: 2 }), { a: 2 });
  });

  test("cycles and shared references are preserved", () => {
    const a = { name: "a" };
    a.self = a;
    a.list = [a, { back: a }];
    const c = sc(a);
    assert.notEqual(c, a);
    assert.equal(c.self, c);
    assert.equal(c.list[0], c);
    assert.equal(c.list[1].back, c);

    const shared = { v: 1 };
    const two = sc({ x: shared, y: shared });
    assert.equal(two.x, two.y);
    assert.notEqual(two.x, shared);

    const arr = [];
    arr.push(arr);
    const ca = sc(arr);
    assert.equal(ca[0], ca);

    const m = new Map();
    m.set("me", m);
    const cm = sc(m);
    assert.equal(cm.get("me"), cm);

    const s = new Set();
    s.add(s);
    const cs = sc(s);
    assert.ok(cs.has(cs));
  });

  test("Map and Set with object keys and values", () => {
    const key = { k: 1 };
    const m = new Map([[key, { v: [1, 2] }], ["s", new Set([1, "two", key])]]);
    const c = sc(m);
    assert.ok(c instanceof Map);
    assert.notEqual(c, m);
    assert.deepEqual(c, structuredClone(m));
    const [ck] = c.keys();
    assert.notEqual(ck, key);
    assert.deepEqual(ck, key);
    // the same object appears once: key and Set member are one clone
    assert.ok(c.get("s").has(ck));
    assert.deepEqual([...c.get("s")].slice(0, 2), [1, "two"]);
  });

  test("Date, RegExp and Error", () => {
    const d = new Date(1700000000123);
    const cd = sc(d);
    assert.ok(cd instanceof Date);
    assert.notEqual(cd, d);
    assert.equal(cd.getTime(), d.getTime());
    assert.ok(Number.isNaN(sc(new Date(NaN)).getTime()));

    const r = /a+b/gi;
    const cr = sc(r);
    assert.ok(cr instanceof RegExp);
    assert.notEqual(cr, r);
    assert.equal(cr.source, "a+b");
    assert.equal(cr.flags, "gi");

    const e = sc(new RangeError("boom"));
    assert.ok(e instanceof RangeError);
    assert.equal(e.message, "boom");
  });

  test("ArrayBuffer and typed arrays are copied", () => {
    const buf = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer;
    const cb = sc(buf);
    assert.ok(cb instanceof ArrayBuffer);
    assert.notEqual(cb, buf);
    assert.deepEqual(new Uint8Array(cb), new Uint8Array(buf));
    new Uint8Array(cb)[0] = 99;
    assert.equal(new Uint8Array(buf)[0], 1);

    const views = [
      new Uint8Array([1, 2, 255]),
      new Int8Array([-1, 0, 1]),
      new Uint16Array([1, 65535]),
      new Int32Array([-5, 5]),
      new Float32Array([1.5, -0.25]),
      new Float64Array([Math.PI, -Infinity]),
      new BigInt64Array([-1n, 2n ** 62n]),
      new BigUint64Array([2n ** 64n - 1n]),
      new Uint8ClampedArray([0, 128, 255]),
      new Uint16Array(buf, 2, 2), // offset view
    ];
    for (const v of views) {
      const c = sc(v);
      assert.equal(Object.getPrototypeOf(c), Object.getPrototypeOf(v));
      assert.notEqual(c.buffer, v.buffer);
      assert.deepEqual([...c], [...v]);
      assert.deepEqual([...c], [...structuredClone(v)]);
    }
    const dv = new DataView(buf, 1, 3);
    const cdv = sc(dv);
    assert.ok(cdv instanceof DataView);
    assert.equal(cdv.byteLength, 3);
    assert.equal(cdv.getUint8(0), 2);
    assert.deepEqual(sc({ bytes: new Uint8Array([9, 8]) }).bytes, new Uint8Array([9, 8]));
  });

  test("functions and symbols are refused with DataCloneError", () => {
    const refused = [() => 1, function named() {}, class C {}, Symbol("s"), { f() {} }, [1, () => 2], new Map([["k", () => 3]])];
    for (const v of refused) {
      assert.throws(() => sc(v), (e) => e.name === "DataCloneError" && e instanceof g.DOMException, String(v));
      assert.throws(() => structuredClone(v), (e) => e.name === "DataCloneError");
    }
    assert.throws(() => sc(() => 1), { message: "() => 1 could not be cloned." });
  });
});

describe("other globals", () => {
  test("globals are non-enumerable, writable and configurable", () => {
    for (const name of ["TextEncoder", "TextDecoder", "atob", "btoa", "structuredClone", "queueMicrotask", "self"]) {
      const d = Object.getOwnPropertyDescriptor(g, name);
      assert.ok(d, name);
      assert.equal(d.enumerable, false, name);
      assert.equal(d.writable, true, name);
      assert.equal(d.configurable, true, name);
    }
    assert.deepEqual(Object.keys(g), []);
    assert.equal(g.self, g);
  });

  test("DOMException is installed only when missing", () => {
    assert.equal(typeof g.DOMException, "function");
    const withOne = { DOMException };
    setupWeb(withOne);
    assert.equal(withOne.DOMException, DOMException);
    const e = new g.DOMException("m", "SomeName");
    assert.equal(e.message, "m");
    assert.equal(e.name, "SomeName");
    assert.ok(e instanceof Error);
  });

  test("queueMicrotask runs callbacks after the current job, in order, before timers", async () => {
    const order = [];
    const timer = new Promise((resolve) => setTimeout(() => { order.push("timeout"); resolve(); }, 0));
    g.queueMicrotask(() => order.push(1));
    g.queueMicrotask(() => {
      order.push(2);
      g.queueMicrotask(() => order.push(4));
    });
    g.queueMicrotask(() => order.push(3));
    order.push("sync");
    await timer;
    assert.deepEqual(order, ["sync", 1, 2, 3, 4, "timeout"]);
  });
});
