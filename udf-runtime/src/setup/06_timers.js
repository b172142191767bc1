// setTimeout / setInterval / clearTimeout / clearInterval, on the context's
// event loop (loop.js). Timers are for actions: in a query or mutation
// setTimeout and setInterval throw at call time with Convex's words (its
// runtime refuses the Sleep op there), and at import time they are refused
// too (no call is running that could wait for them). Clearing is allowed
// everywhere and is a no-op for an unknown id, as on the web.

export function setupTimers(global, { loop, asyncAllowed }) {
  function schedule(name, fn, delay, args, repeat) {
    asyncAllowed(name);
    if (typeof fn !== "function") {
      throw new TypeError(`${name}: the callback must be a function (udf does not evaluate strings)`);
    }
    return loop.addTimer(fn, delay, args, repeat);
  }
  const define = (name, value) =>
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: true });

  define("setTimeout", function setTimeout(fn, delay = 0, ...args) {
    return schedule("setTimeout", fn, delay, args, false);
  });
  define("setInterval", function setInterval(fn, delay = 0, ...args) {
    return schedule("setInterval", fn, delay, args, true);
  });
  define("clearTimeout", function clearTimeout(id) {
    if (id !== undefined && id !== null) loop.clearTimer(id);
  });
  define("clearInterval", function clearInterval(id) {
    if (id !== undefined && id !== null) loop.clearTimer(id);
  });
}
