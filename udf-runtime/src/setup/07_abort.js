// Event, EventTarget, AbortController and AbortSignal: the DOM's small event
// model, as much of it as cancellation needs (fetch's `signal`, and the
// libraries that pass signals around). No capture/bubble phases: nothing
// here has a tree. AbortSignal.timeout runs on setTimeout, so, like every
// timer, it works in actions only; AbortSignal.any follows its sources.

const kStop = Symbol("stopImmediate");

class Event {
  #type;
  #cancelable;
  #defaultPrevented = false;
  constructor(type, init = {}) {
    if (arguments.length === 0) throw new TypeError("Event: the type argument is required");
    this.#type = String(type);
    this.#cancelable = Boolean(init.cancelable);
    this.bubbles = Boolean(init.bubbles);
    this.composed = Boolean(init.composed);
    this.timeStamp = Date.now();
    this.target = null;
    this.currentTarget = null;
    this[kStop] = false;
  }
  get type() {
    return this.#type;
  }
  get cancelable() {
    return this.#cancelable;
  }
  get defaultPrevented() {
    return this.#defaultPrevented;
  }
  preventDefault() {
    if (this.#cancelable) this.#defaultPrevented = true;
  }
  stopPropagation() {}
  stopImmediatePropagation() {
    this[kStop] = true;
  }
}

class EventTarget {
  #listeners = new Map(); // type -> [{fn, once}]

  addEventListener(type, listener, options) {
    if (listener === null || listener === undefined) return;
    const once = typeof options === "object" && options !== null && Boolean(options.once);
    const signal = typeof options === "object" && options !== null ? options.signal : undefined;
    if (signal && signal.aborted) return;
    const list = this.#listeners.get(type) ?? [];
    if (list.some((l) => l.fn === listener)) return;
    list.push({ fn: listener, once });
    this.#listeners.set(type, list);
    if (signal) signal.addEventListener("abort", () => this.removeEventListener(type, listener));
  }

  removeEventListener(type, listener) {
    const list = this.#listeners.get(type);
    if (!list) return;
    const i = list.findIndex((l) => l.fn === listener);
    if (i >= 0) list.splice(i, 1);
  }

  // Call the listeners (and the on<type> handler) in order; false if a listener prevented the default.
  dispatchEvent(event) {
    if (!(event instanceof Event)) throw new TypeError("dispatchEvent: the argument is not an Event");
    event.target = this;
    event.currentTarget = this;
    const handler = this[`on${event.type}`];
    const list = [...(this.#listeners.get(event.type) ?? [])];
    if (typeof handler === "function") list.unshift({ fn: handler, once: false, handler: true });
    for (const l of list) {
      if (l.once) this.removeEventListener(event.type, l.fn);
      try {
        if (typeof l.fn === "function") l.fn.call(this, event);
        else if (l.fn && typeof l.fn.handleEvent === "function") l.fn.handleEvent(event);
      } catch (e) {
        // a listener's error does not stop the others; report it as an unhandled rejection would be
        Promise.reject(e);
      }
      if (event[kStop]) break;
    }
    event.currentTarget = null;
    return !event.defaultPrevented;
  }
}

const kCreate = Symbol("create");

// The reason of an abort without one: a DOMException named AbortError.
function abortError(global, message = "This operation was aborted") {
  return new global.DOMException(message, "AbortError");
}

export function setupAbort(global) {
  class AbortSignal extends EventTarget {
    #aborted = false;
    #reason = undefined;
    constructor(key) {
      super();
      if (key !== kCreate) throw new TypeError("Illegal constructor: use new AbortController().signal");
      this.onabort = null;
    }
    get aborted() {
      return this.#aborted;
    }
    get reason() {
      return this.#reason;
    }
    throwIfAborted() {
      if (this.#aborted) throw this.#reason;
    }
    // Signal the abort once: set the reason, then tell the listeners.
    [kCreate](reason) {
      if (this.#aborted) return;
      this.#aborted = true;
      this.#reason = reason === undefined ? abortError(global) : reason;
      this.dispatchEvent(new Event("abort"));
    }

    static abort(reason) {
      const s = new AbortSignal(kCreate);
      s[kCreate](reason);
      return s;
    }

    static timeout(ms) {
      const s = new AbortSignal(kCreate);
      global.setTimeout(() => s[kCreate](new global.DOMException("The operation timed out.", "TimeoutError")),
        Number(ms));
      return s;
    }

    static any(signals) {
      const s = new AbortSignal(kCreate);
      for (const source of signals) {
        if (source.aborted) {
          s[kCreate](source.reason);
          return s;
        }
      }
      for (const source of signals) source.addEventListener("abort", () => s[kCreate](source.reason), { once: true });
      return s;
    }
  }

  class AbortController {
    #signal = new AbortSignal(kCreate);
    get signal() {
      return this.#signal;
    }
    abort(reason) {
      this.#signal[kCreate](reason);
    }
  }

  const define = (name, value) =>
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  define("Event", Event);
  define("EventTarget", EventTarget);
  define("AbortSignal", AbortSignal);
  define("AbortController", AbortController);
}
