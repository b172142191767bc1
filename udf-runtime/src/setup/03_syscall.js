// The `Convex` global: the ABI the convex npm package calls
// (Convex.syscall / asyncSyscall / jsSyscall, JSON strings in and out).
// Ops the runtime can answer itself are answered here; everything else goes
// to the host through the one native entry point, __udfNative.syscall.

export function setupSyscall(global, native) {
  // What the current call is; set by invoke.js around each call.
  const state = { current: null };

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
    if (handler) return JSON.stringify(handler(JSON.parse(argsJson)));
    if (!state.current) {
      throw new Error(`Can't use ${op} at import time: the database and other functions are only available while a function runs.`);
    }
    return native.syscall(op, argsJson);
  }

  const Convex = {
    syscall(op, argsJson) {
      return run(op, argsJson);
    },
    asyncSyscall(op, argsJson) {
      try {
        return Promise.resolve(run(op, argsJson));
      } catch (e) {
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
