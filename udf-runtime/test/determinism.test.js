import { test, describe, beforeEach, afterEach } from "node:test";
import assert from "node:assert/strict";

import { setupDeterminism, makePrng } from "../src/setup/01_determinism.js";

// setupDeterminism redefines Date.prototype.constructor (the prototype is
// shared with the real Date); put it back after every test.
const realConstructor = Object.getOwnPropertyDescriptor(Date.prototype, "constructor");
const realRandom = Math.random;

// A stand-in global: the real Date (only read, and wrapped) and a Math whose
// own `random` shadows the real one, so the real Math is not modified.
function fresh() {
  const g = { Date, Math: Object.create(Math) };
  const phases = setupDeterminism(g);
  return { g, phases };
}

let g, phases;
beforeEach(() => {
  ({ g, phases } = fresh());
});
afterEach(() => {
  Object.defineProperty(Date.prototype, "constructor", realConstructor);
  assert.equal(Math.random, realRandom, "the real Math.random was modified");
  assert.equal(Date.prototype.constructor, Date);
});

const SEED_A = "0123456789abcdef0123456789abcdef";
const SEED_B = "fedcba9876543210fedcba9876543210";
const draws = (n) => Array.from({ length: n }, () => g.Math.random());
const bytes = (n) => [...g.crypto.getRandomValues(new Uint8Array(n))];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe("seeded randomness", () => {
  test("the same seed gives the same Math.random sequence", () => {
    phases.begin({ seed: SEED_A, now: 1000, deterministic: true });
    const first = draws(100);
    phases.begin({ seed: SEED_A, now: 2000, deterministic: true });
    assert.deepEqual(draws(100), first);

    // and in another, independently set up context
    const other = fresh();
    other.phases.begin({ seed: SEED_A, now: 0, deterministic: false });
    assert.deepEqual(Array.from({ length: 100 }, () => other.g.Math.random()), first);
  });

  test("the same seed gives the same getRandomValues bytes", () => {
    phases.begin({ seed: SEED_A, now: 1000, deterministic: true });
    const first = bytes(64);
    phases.begin({ seed: SEED_A, now: 1000, deterministic: true });
    assert.deepEqual(bytes(64), first);
    assert.ok(new Set(first).size > 20, "bytes look random");
  });

  test("different seeds give different sequences", () => {
    phases.begin({ seed: SEED_A, now: 1000, deterministic: true });
    const a = draws(20);
    const ab = bytes(32);
    phases.begin({ seed: SEED_B, now: 1000, deterministic: true });
    const b = draws(20);
    const bb = bytes(32);
    assert.notDeepEqual(a, b);
    assert.notDeepEqual(ab, bb);
    // seeds that differ in one bit still diverge immediately
    const seeds = ["00000000000000000000000000000001", "00000000000000000000000000000002", "ab", "ac", "5eed"];
    const firsts = seeds.map((s) => {
      phases.begin({ seed: s, now: 0, deterministic: true });
      return g.Math.random();
    });
    assert.equal(new Set(firsts).size, seeds.length);
  });

  test("a seed of all zeros still produces random values", () => {
    phases.begin({ seed: "0".repeat(32), now: 0, deterministic: true });
    const d = draws(50);
    assert.ok(new Set(d).size === 50);
    assert.ok(d.some((x) => x > 0));
  });

  test("each call of a begin() restarts the stream; the stream is shared by random and crypto", () => {
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    const r1 = g.Math.random();
    const b1 = bytes(8);
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    const b2 = bytes(8);
    // without the Math.random() draw first, crypto sees other numbers
    assert.notDeepEqual(b2, b1);
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    assert.equal(g.Math.random(), r1);
    assert.deepEqual(bytes(8), b1);
  });

  test("Math.random values are in [0, 1) with 53-bit resolution", () => {
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    const d = draws(5000);
    for (const x of d) {
      assert.equal(typeof x, "number");
      assert.ok(x >= 0 && x < 1, String(x));
      assert.ok(Number.isInteger(x * 2 ** 53));
    }
    // some values use the low bits (not just 32-bit resolution)
    assert.ok(d.some((x) => !Number.isInteger(x * 2 ** 32)));
    assert.equal(new Set(d).size, d.length);
  });

  test("Math.random is roughly uniform (each decile of 10000 draws within 8%..12%)", () => {
    for (const seed of [SEED_A, SEED_B, "ab"]) {
      phases.begin({ seed, now: 0, deterministic: true });
      const counts = new Array(10).fill(0);
      for (let i = 0; i < 10000; i++) counts[Math.floor(g.Math.random() * 10)]++;
      for (const c of counts) assert.ok(c >= 800 && c <= 1200, `${seed}: deciles ${counts}`);
    }
  });

  test("getRandomValues bytes are roughly uniform", () => {
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    const counts = new Array(16).fill(0);
    const b = g.crypto.getRandomValues(new Uint8Array(65536));
    for (const x of b) counts[x >> 4]++;
    for (const c of counts) assert.ok(c > 3686 && c < 4506, `nibbles ${counts}`); // 4096 ± 10%
  });

  test("Math.random of the stand-in global, not the real one, is replaced", () => {
    assert.notEqual(g.Math.random, Math.random);
    assert.ok(Object.prototype.hasOwnProperty.call(g.Math, "random"));
    // before any begin() a default seed is in place
    const x = g.Math.random();
    assert.ok(x >= 0 && x < 1);
  });
});

describe("crypto", () => {
  test("getRandomValues fills every integer array type and returns it", () => {
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    const types = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];
    for (const T of types) {
      const a = new T(64);
      const r = g.crypto.getRandomValues(a);
      assert.equal(r, a, T.name);
      const view = new Uint8Array(a.buffer);
      assert.ok(view.some((x) => x !== 0), T.name);
    }
  });

  test("getRandomValues fills only the bytes of a view, and odd lengths", () => {
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    const buf = new Uint8Array(16);
    g.crypto.getRandomValues(new Uint8Array(buf.buffer, 3, 7));
    assert.deepEqual([...buf.slice(0, 3)], [0, 0, 0]);
    assert.deepEqual([...buf.slice(10)], [0, 0, 0, 0, 0, 0]);
    assert.ok(buf.slice(3, 10).some((x) => x !== 0));
    for (const n of [0, 1, 3, 5, 7]) assert.equal(g.crypto.getRandomValues(new Uint8Array(n)).length, n);
  });

  test("getRandomValues rejects float arrays, DataView and non-views", () => {
    const rejected = [new Float32Array(4), new Float64Array(4), new DataView(new ArrayBuffer(4)), new ArrayBuffer(4), [1, 2, 3], "abc", null, undefined, {}];
    for (const x of rejected) {
      assert.throws(
        () => g.crypto.getRandomValues(x),
        (e) => e instanceof TypeError && e.name === "TypeMismatchError" && /not an integer-typed array/.test(e.message),
        Object.prototype.toString.call(x),
      );
    }
  });

  test("getRandomValues accepts 65536 bytes and rejects more", () => {
    assert.equal(g.crypto.getRandomValues(new Uint8Array(65536)).length, 65536);
    assert.equal(g.crypto.getRandomValues(new Uint32Array(16384)).length, 16384);
    const tooBig = [
      [new Uint8Array(65537), 65537],
      [new Uint32Array(16385), 65540],
      [new BigInt64Array(8193), 65544],
      [new Uint8Array(1 << 20), 1 << 20],
    ];
    for (const [arr, n] of tooBig) {
      assert.throws(() => g.crypto.getRandomValues(arr), {
        name: "RangeError",
        message: `Byte length (${n}) exceeds the number of bytes of entropy available via this API (65536)`,
      });
    }
    // the rejected array was left untouched
    const untouched = new Uint8Array(65537);
    assert.throws(() => g.crypto.getRandomValues(untouched));
    assert.ok(untouched.every((x) => x === 0));
  });

  test("randomUUID is a deterministic v4 UUID", () => {
    const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    const ids = Array.from({ length: 200 }, () => g.crypto.randomUUID());
    for (const id of ids) assert.match(id, V4);
    assert.equal(new Set(ids).size, ids.length);
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    assert.equal(g.crypto.randomUUID(), ids[0]);
    phases.begin({ seed: SEED_B, now: 0, deterministic: true });
    assert.notEqual(g.crypto.randomUUID(), ids[0]);
    // every variant nibble 8..b shows up
    const variants = new Set(ids.map((id) => id[19]));
    assert.deepEqual([...variants].sort(), ["8", "9", "a", "b"]);
  });

  test("crypto is a frozen, non-enumerable global", () => {
    const d = Object.getOwnPropertyDescriptor(g, "crypto");
    assert.equal(d.enumerable, false);
    assert.ok(Object.isFrozen(g.crypto));
    assert.deepEqual(Object.keys(g.crypto).sort(), ["getRandomValues", "randomUUID"]);
  });
});

describe("time", () => {
  const NOW = Date.UTC(2021, 5, 15, 12, 30, 45, 678);

  test("a deterministic phase freezes Date.now(), new Date() and Date()", async () => {
    phases.begin({ seed: SEED_A, now: NOW, deterministic: true });
    assert.equal(g.Date.now(), NOW);
    assert.equal(new g.Date().getTime(), NOW);
    assert.equal(g.Date(), new Date(NOW).toString());
    assert.equal(g.Date("2001-01-01"), new Date(NOW).toString()); // Date() ignores arguments
    assert.equal(typeof g.Date(), "string");
    await sleep(20);
    assert.equal(g.Date.now(), NOW);
    assert.equal(new g.Date().valueOf(), NOW);
    assert.equal(+new g.Date(), NOW);
  });

  test("explicit dates, Date.UTC and Date.parse behave as the real ones", () => {
    phases.begin({ seed: SEED_A, now: NOW, deterministic: true });
    const argLists = [
      [2020, 0, 1],
      [2020, 0, 1, 13, 14, 15, 16],
      [2020, 1],
      [0],
      [-1],
      [8.64e15],
      [8.64e15 + 1],
      ["2020-01-01T00:00:00Z"],
      ["2020-01-01"],
      ["March 7, 2019 10:00:00"],
      ["not a date"],
      [undefined],
      [null],
      [new Date(12345)],
      [99, 11, 31], // two-digit years map to 19xx
    ];
    for (const args of argLists) {
      const ours = new g.Date(...args).getTime();
      const real = new Date(...args).getTime();
      assert.ok(Object.is(ours, real), `new Date(${args.map(String)}): ${ours} vs ${real}`);
    }
    assert.equal(g.Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 1));
    assert.equal(g.Date.UTC(2020, 0, 1, 2, 3, 4, 5), Date.UTC(2020, 0, 1, 2, 3, 4, 5));
    for (const s of ["2020-01-01T00:00:00Z", "2020-01-01", "Tue, 01 Jan 2019 00:00:00 GMT", "garbage"]) {
      assert.ok(Object.is(g.Date.parse(s), Date.parse(s)), s);
    }
    const d = new g.Date(2020, 0, 1);
    assert.equal(d.getFullYear(), 2020);
    assert.equal(d.getMonth(), 0);
    assert.equal(d.getDate(), 1);
    assert.equal(new g.Date(NOW).toISOString(), "2021-06-15T12:30:45.678Z");
  });

  test("instanceof Date and the prototype chain still work", () => {
    phases.begin({ seed: SEED_A, now: NOW, deterministic: true });
    const d = new g.Date();
    assert.ok(d instanceof Date);
    assert.ok(d instanceof g.Date);
    assert.ok(new Date() instanceof g.Date);
    assert.equal(Object.getPrototypeOf(d), Date.prototype);
    assert.equal(g.Date.prototype, Date.prototype);
    assert.equal(Object.prototype.toString.call(d), "[object Date]");
    assert.equal(d.constructor, g.Date);
    assert.equal(g.Date.name, "Date");
    assert.equal(JSON.stringify({ d }), JSON.stringify({ d: new Date(NOW) }));
    assert.ok(Object.getOwnPropertyDescriptor(g, "Date").enumerable === false);
  });

  test("subclasses of Date see the frozen time too", () => {
    phases.begin({ seed: SEED_A, now: NOW, deterministic: true });
    class MyDate extends g.Date {
      year() {
        return this.getUTCFullYear();
      }
    }
    const m = new MyDate();
    assert.ok(m instanceof MyDate);
    assert.ok(m instanceof Date);
    assert.equal(m.getTime(), NOW);
    assert.equal(m.year(), 2021);
    assert.equal(new MyDate(0).getTime(), 0);
  });

  test("after end() time moves again", async () => {
    phases.begin({ seed: SEED_A, now: 1000, deterministic: true });
    assert.equal(g.Date.now(), 1000);
    phases.end();
    const t1 = g.Date.now();
    assert.ok(Math.abs(t1 - Date.now()) < 1000, "close to the real clock");
    await sleep(15);
    const t2 = g.Date.now();
    assert.ok(t2 > t1, `${t2} > ${t1}`);
    assert.ok(Math.abs(new g.Date().getTime() - Date.now()) < 1000);
  });

  test("a non-deterministic phase (actions) uses the real clock", async () => {
    phases.begin({ seed: SEED_A, now: 1000, deterministic: false });
    const t1 = g.Date.now();
    assert.notEqual(t1, 1000);
    assert.ok(Math.abs(t1 - Date.now()) < 1000);
    await sleep(15);
    assert.ok(g.Date.now() > t1);
    assert.ok(Math.abs(new g.Date().getTime() - Date.now()) < 1000);
    // but randomness is still seeded
    const a = draws(5);
    phases.begin({ seed: SEED_A, now: 1000, deterministic: false });
    assert.deepEqual(draws(5), a);
  });

  test("before any phase the clock is real", () => {
    assert.ok(Math.abs(g.Date.now() - Date.now()) < 1000);
  });

  test("a later deterministic phase freezes at its own now", () => {
    phases.begin({ seed: SEED_A, now: 1000, deterministic: true });
    phases.end();
    phases.begin({ seed: SEED_A, now: 5000, deterministic: true });
    assert.equal(g.Date.now(), 5000);
    phases.begin({ seed: SEED_A, now: 0, deterministic: true });
    assert.equal(g.Date.now(), 0);
    assert.equal(new g.Date().getTime(), 0);
  });
});

describe("makePrng", () => {
  test("is a pure function of the seed", () => {
    const a = makePrng(SEED_A);
    const b = makePrng(SEED_A);
    for (let i = 0; i < 100; i++) assert.equal(a.nextU32(), b.nextU32());
    for (let i = 0; i < 100; i++) assert.equal(a.nextFloat(), b.nextFloat());
  });

  test("nextU32 returns unsigned 32-bit integers", () => {
    const p = makePrng("5eed");
    let high = false;
    for (let i = 0; i < 1000; i++) {
      const x = p.nextU32();
      assert.ok(Number.isInteger(x) && x >= 0 && x <= 0xffffffff, String(x));
      if (x >= 2 ** 31) high = true;
    }
    assert.ok(high, "the top bit is used");
  });

  test("long seeds are folded, and every part of them counts", () => {
    const base = "0".repeat(64);
    const first = makePrng(base).nextU32();
    for (const pos of [0, 8, 31, 32, 63]) {
      const s = base.slice(0, pos) + "1" + base.slice(pos + 1);
      assert.notEqual(makePrng(s).nextU32(), first, `digit ${pos}`);
    }
  });
});
