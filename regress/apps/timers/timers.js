import { action, query, mutation } from "./_generated/server";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// timers fire in due order, with their arguments; a cleared one never fires
export const order = action(async () => {
  const seen = [];
  const never = setTimeout(() => seen.push("cleared"), 5);
  setTimeout((x) => seen.push(x), 30, "c");
  setTimeout(() => seen.push("a"), 0);
  setTimeout(() => seen.push("b"), 10);
  clearTimeout(never);
  await sleep(50);
  return seen;
});

// the action really waits: at least the delay passes on the real clock
export const waits = action(async () => {
  const t0 = Date.now();
  await sleep(120);
  const waited = Date.now() - t0;
  return { atLeastDelay: waited >= 119, notMuchMore: waited < 1000 };
});

// an interval repeats until cleared; microtasks run between timers
export const interval = action(async () => {
  let n = 0;
  const log = [];
  await new Promise((resolve) => {
    const id = setInterval(() => {
      n++;
      Promise.resolve().then(() => log.push(`tick ${n}`));
      if (n === 3) {
        clearInterval(id);
        resolve();
      }
    }, 5);
  });
  await null;
  return log;
});

// timers left behind are dropped when the action settles; the next call is clean
export const dangling = action(async () => {
  setTimeout(() => {
    throw new Error("a dangling timer ran");
  }, 10);
  setInterval(() => {}, 1);
  return "done";
});

// a timer callback that throws fails the action with its error
export const throwsInTimer = action(async () => {
  await new Promise((resolve) => {
    setTimeout(() => {
      throw new Error("thrown from a timer");
    }, 1);
    setTimeout(resolve, 50);
  });
  return "not reached";
});

// a promise nobody settles, with no timer left, never settles
export const forever = action(async () => {
  await sleep(1);
  await new Promise(() => {});
});

// queries and mutations may not use timers (Convex's words); clearing is harmless
export const inQuery = query(async () => {
  clearTimeout(1);
  try {
    setTimeout(() => {}, 1);
  } catch (e) {
    return e.message;
  }
  return "no error";
});
export const inMutation = mutation(async () => {
  try {
    setInterval(() => {}, 1);
  } catch (e) {
    return e.message;
  }
  return "no error";
});

// the action's time limit counts time spent waiting
export const sleepLong = action(async () => {
  await sleep(60000);
  return "woke";
});
