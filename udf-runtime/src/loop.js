// The event loop of one context: what an action waits on besides its own
// microtasks. Two kinds of work can be outstanding while a call's promise is
// pending: timers (setTimeout / setInterval, kept here) and host work (a
// fetch in flight in the host's curl multi, known here by the id the host
// gave it, with the promise waiting for it).
//
// The shim drives the loop (extension/v8shim/call.cc, Settle): whenever the
// call's promise is still pending after a microtask checkpoint, it calls
// pump(), then checkpoints again, until the promise settles or pump() says
// there is nothing left to wait for (the call then ends as "never settled").
// One pump() either delivers the host completions that arrived, or fires the
// earliest due timer (so the microtasks of each timer run before the next
// one, as in a browser), or blocks in the host (native.wait) until the next
// timer is due or some host work completes. The host's wait polls
// PostgreSQL's interrupts and the call's deadline while it blocks, so a
// cancel stops a waiting action as it stops a running one.
//
// A call owns everything it started: beginCall() and endCall() drop the
// timers and waiters left over (Convex drops dangling timers when the
// action's promise settles); the host drops its own requests of the call.

export function makeLoop(native, realNow) {
  const timers = new Map(); // id -> {due, seq, fn, args, repeat}
  const waiters = new Map(); // host request id -> {deliver}
  let nextTimer = 1;
  let seq = 0;

  // Drop the timers and waiters left over (Map.clear makes a new table even when empty).
  function dropAll() {
    if (timers.size !== 0) timers.clear();
    if (waiters.size !== 0) waiters.clear();
  }

  // The earliest due timer, or null.
  function earliest() {
    let best = null;
    for (const [id, t] of timers) {
      if (best === null || t.due < best.t.due || (t.due === best.t.due && t.seq < best.t.seq)) best = { id, t };
    }
    return best;
  }

  // Fire one timer: an interval is rescheduled first, a timeout forgotten.
  function fire({ id, t }) {
    if (t.repeat === null) timers.delete(id);
    else {
      t.due = realNow() + t.repeat;
      t.seq = seq++;
    }
    const callback = t.fn; // called bare: its stack frame is the user's own
    callback(...t.args);
  }

  // Hand each completion to its waiter; true if any had one.
  function deliver(completions) {
    let any = false;
    for (const c of completions) {
      const w = waiters.get(c.id);
      if (!w) continue;
      waiters.delete(c.id);
      any = true;
      w.deliver(c);
    }
    return any;
  }

  return {
    // A timer (HTML's timer initialisation steps, simplified): delay in ms, >= 0.
    addTimer(fn, delay, args, repeat) {
      let ms = Number(delay);
      if (!Number.isFinite(ms) || ms < 0) ms = 0;
      const id = nextTimer++;
      timers.set(id, { due: realNow() + ms, seq: seq++, fn, args, repeat: repeat ? Math.max(ms, 1) : null });
      return id;
    },

    clearTimer(id) {
      timers.delete(Number(id));
    },

    // Wait for host request `id`: deliver(completion) is called when it completes.
    waitFor(id, deliver) {
      waiters.set(id, { deliver });
    },

    // Stop waiting for host request `id` (an abort); its completion is ignored.
    forget(id) {
      waiters.delete(id);
    },

    // How many host requests the call is waiting on.
    get waiting() {
      return waiters.size;
    },

    // The shim's turn of the loop; false when nothing is left to wait for.
    pump() {
      if (timers.size === 0 && waiters.size === 0) return false;
      const next = earliest();
      if (next !== null && next.t.due <= realNow()) {
        fire(next);
        return true;
      }
      if (waiters.size === 0) {
        // only timers: sleep in the host until the first is due
        native.wait(Math.max(0, next.t.due - realNow()));
        return true;
      }
      const completions = native.wait(next === null ? -1 : Math.max(0, next.t.due - realNow()));
      // null without a timer: the host has nothing in flight for us, so no waiter can ever be answered
      if (completions === null) return next !== null;
      deliver(completions);
      return true;
    },

    // A call begins or ends: what an earlier call left is dropped.
    beginCall() {
      dropAll();
    },
    endCall() {
      dropAll();
    },
  };
}
