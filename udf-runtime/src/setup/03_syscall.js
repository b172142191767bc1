// The `Convex` global: the ABI the convex npm package calls
// (Convex.syscall / asyncSyscall / jsSyscall, JSON strings in and out).
// Ops the runtime can answer itself are answered here; everything else goes
// to the host through the one native entry point, __udfNative.syscall.

export function setupSyscall(global, native, determinism) {
  // What the current call is; set by invoke.js around each call. pendingError
  // is a failed syscall's error until the convex package rethrows it.
  const state = { current: null, pendingError: null };

  // The convex package rethrows a failed async syscall as `new Error(e.message)`,
  // which would drop the SQL error's code, detail and hint. Error is wrapped so
  // that this one construction gets them back; everything else is unchanged
  // (same prototype, so instanceof and subclasses work as before).
  const RealError = global.Error;
  function Error(...args) {
    const e = Reflect.construct(RealError, args, new.target ?? Error);
    const pending = state.pendingError;
    if (pending && args[0] === pending.message) {
      state.pendingError = null;
      for (const key of ["code", "detail", "hint"]) {
        if (pending[key] !== undefined) {
          Object.defineProperty(e, key, { value: pending[key], writable: true, configurable: true, enumerable: false });
        }
      }
    }
    return e;
  }
  Object.setPrototypeOf(Error, RealError);
  Object.defineProperty(Error, "prototype", { value: RealError.prototype, writable: false });
  Object.defineProperty(Error, "name", { value: "Error" });
  Object.defineProperty(RealError.prototype, "constructor", { value: Error, writable: true, configurable: true });
  Object.defineProperty(global, "Error", { value: Error, writable: true, configurable: true, enumerable: false });

  // Host values: the host answers the hot database ops (get, query rows,
  // pages) with values it built directly, not JSON text. The convex package
  // JSON.parses every syscall answer, so such a value travels as a token, a
  // string that is not JSON, and JSON.parse hands back the value for it.
  // Tokens left unparsed are dropped when the call ends.
  // One value usually waits at a time: a slot for it, a Map for the rest.
  let slotToken = null;
  let slotValue;
  const hostValues = new Map();
  let nextToken = 0;
  function handOver(value) {
    const token = "\u0000udf-value-" + nextToken++;
    if (slotToken === null) {
      slotToken = token;
      slotValue = value;
    } else hostValues.set(token, value);
    return token;
  }
  function takeOver(text) {
    if (text === slotToken) {
      const value = slotValue;
      slotToken = null;
      slotValue = undefined;
      return value;
    }
    if (hostValues.has(text)) {
      const value = hostValues.get(text);
      hostValues.delete(text);
      return value;
    }
    return undefined;
  }
  const realParse = global.JSON.parse;
  const parse = {
    parse(text, reviver) {
      if ((slotToken !== null || hostValues.size !== 0) && reviver === undefined && typeof text === "string") {
        const value = takeOver(text);
        if (value !== undefined) return value;
      }
      return realParse(text, reviver);
    },
  }.parse;
  Object.defineProperty(global.JSON, "parse", { value: parse, writable: true, configurable: true, enumerable: false });
  state.handOver = handOver;
  state.dropHostValues = () => {
    slotToken = null;
    slotValue = undefined;
    hostValues.clear();
  };

  const local = {
    "1.0/getFunctionMetadata": () => {
      if (!state.current) throw new Error("getFunctionMetadata() can only be called inside a function");
      return { name: state.current.name, componentPath: "" };
    },
    // udf_invoke runs as a database role, not as an authenticated Convex user
    "1.0/getUserIdentity": () => null,
  };

  function run(op, argsJson) {
    const handler = local[op];
    // a nested call runs in a context of its own: hand it this call's clock
    // and a seed drawn from this call's PRNG, so it stays deterministic
    if (op === "1.0/runUdf" && determinism && state.current) {
      const args = JSON.parse(argsJson);
      args.udfSeed = determinism.childSeed();
      args.udfNow = Date.now();
      argsJson = JSON.stringify(args);
    }
    if (handler) return JSON.stringify(handler(JSON.parse(argsJson)));
    if (!state.current) {
      throw new Error(`Can't use ${op} at import time: the database and other functions are only available while a function runs.`);
    }
    const result = native.syscall(op, argsJson);
    return typeof result === "string" ? result : handOver(result);
  }

  const Convex = {
    syscall(op, argsJson) {
      return run(op, argsJson);
    },
    asyncSyscall(op, argsJson) {
      try {
        return Promise.resolve(run(op, argsJson));
      } catch (e) {
        // a nested call's ConvexError: the convex package rethrows an error
        // carrying `data` as a ConvexError with that data
        if (e && e.code === "UDF01" && typeof e.detail === "string") {
          try {
            e.data = JSON.parse(e.detail);
          } catch {
            // not JSON: leave it a plain error
          }
        }
        state.pendingError = e;
        return Promise.reject(e);
      }
    },
    jsSyscall(op) {
      throw new Error(`udf does not implement the JS syscall "${op}"`);
    },
  };
  Object.defineProperty(global, "Convex", { value: Object.freeze(Convex), writable: false, configurable: false });
  return state;
}
