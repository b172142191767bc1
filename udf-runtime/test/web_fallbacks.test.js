import { test } from "node:test";
import assert from "node:assert/strict";

import { setupWebFallbacks } from "../src/setup/12_web_fallbacks.js";

// A bare object stands in for the isolate's global; Node's Blob is the reference.
const g = {};
setupWebFallbacks(g);
const Ours = g.Blob;

test("a fuller Blob already installed is kept", () => {
  const h = { Blob };
  setupWebFallbacks(h);
  assert.equal(h.Blob, Blob);
});

test("parts, size, type and text agree with Node's Blob", async () => {
  const parts = ["héllo ", new Uint8Array([1, 2, 255]), new Uint8Array([9, 8, 7, 6]).subarray(1, 3).buffer];
  const mine = new Ours([...parts, new Ours(["tail"])], { type: "Text/Plain" });
  const ref = new Blob([...parts, new Blob(["tail"])], { type: "Text/Plain" });
  assert.equal(mine.size, ref.size);
  assert.equal(mine.type, ref.type);
  assert.deepEqual(new Uint8Array(await mine.arrayBuffer()), new Uint8Array(await ref.arrayBuffer()));
  assert.equal(Object.prototype.toString.call(mine), "[object Blob]");
});

test("slice clamps and counts negative positions from the end, as Node's does", async () => {
  const bytes = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]);
  for (const [a, b] of [[0, 8], [2, 5], [-3, undefined], [5, 2], [-100, 100], [3, -1]]) {
    const mine = new Ours([bytes]).slice(a, b);
    const ref = new Blob([bytes]).slice(a, b);
    assert.deepEqual(new Uint8Array(await mine.arrayBuffer()), new Uint8Array(await ref.arrayBuffer()), `slice(${a}, ${b})`);
  }
});

test("the bytes are copied in, so a later change to the source does not show", async () => {
  const src = new Uint8Array([1, 2, 3]);
  const b = new Ours([src]);
  src[0] = 99;
  assert.deepEqual(await b.bytes(), new Uint8Array([1, 2, 3]));
  // a bare string is not a sequence of parts (Node throws too)
  assert.throws(() => new Ours("abc"), TypeError);
  assert.throws(() => new Blob("abc"), TypeError);
});
