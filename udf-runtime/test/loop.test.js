// The event loop (src/loop.js) with a host whose wait really sleeps: timers
// fire in due order, intervals repeat until cleared, host completions reach
// their waiters, and pump() says when nothing is left.
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeLoop } from "../src/loop.js";

// a host wait that sleeps (a busy wait: the loop's wait is synchronous) and answers queued completions
function makeHost() {
  const queue = [];
  const waits = [];
  return {
    queue,
    waits,
    native: {
      wait(ms) {
        waits.push(ms);
        if (ms < 0 && queue.length === 0) return null;
        if (queue.length) return queue.splice(0);
        const end = Date.now() + (ms < 0 ? 0 : ms);
        while (Date.now() < end);
        return null; // as the host answers when nothing completed
      },
    },
  };
}

// run the loop as the shim does: pump until pump() says nothing is left
async function drain(loop, limit = 1000) {
  for (let i = 0; i < limit && loop.pump(); i++) await null;
}

test("timers fire in due order, ties in the order they were set", async () => {
  const host = makeHost();
  const loop = makeLoop(host.native, Date.now);
  const order = [];
  loop.addTimer(() => order.push("b"), 20, [], false);
  loop.addTimer((x) => order.push(x), 5, ["a"], false);
  loop.addTimer(() => order.push("c"), 20, [], false);
  const t0 = Date.now();
  await drain(loop);
  assert.deepEqual(order, ["a", "b", "c"]);
  assert.ok(Date.now() - t0 >= 20, "the loop waited for the last timer");
  assert.equal(loop.pump(), false);
});

test("an interval repeats until cleared; a cleared timeout never fires", async () => {
  const loop = makeLoop(makeHost().native, Date.now);
  let n = 0;
  const never = loop.addTimer(() => assert.fail("cleared timer fired"), 1, [], false);
  loop.clearTimer(never);
  const id = loop.addTimer(() => {
    if (++n === 3) loop.clearTimer(id);
  }, 1, [], true);
  await drain(loop);
  assert.equal(n, 3);
});

test("a host completion settles its waiter; others are ignored", async () => {
  const host = makeHost();
  const loop = makeLoop(host.native, Date.now);
  const p = new Promise((resolve) => loop.waitFor(7, (c) => resolve(c.value)));
  host.queue.push({ id: 99, value: "stray" }, { id: 7, value: "done" });
  assert.equal(loop.pump(), true);
  assert.equal(await p, "done");
  assert.equal(loop.waiting, 0);
  assert.deepEqual(host.waits, [-1], "with no timer the wait has no timeout");
});

test("endCall drops timers and waiters", () => {
  const loop = makeLoop(makeHost().native, Date.now);
  loop.addTimer(() => {}, 1000, [], false);
  loop.waitFor(1, () => {});
  loop.endCall();
  assert.equal(loop.pump(), false);
});

test("a waiter the host has nothing in flight for ends the loop (never settles)", () => {
  const loop = makeLoop(makeHost().native, Date.now);
  loop.waitFor(3, () => assert.fail("no completion can come"));
  assert.equal(loop.pump(), false);
});
