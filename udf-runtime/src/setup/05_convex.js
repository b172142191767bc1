// The `Convex` global: the ABI the convex npm package calls
// (Convex.syscall / asyncSyscall / jsSyscall, JSON strings in and out).
// Ops the runtime can answer itself are answered here; a nested call goes
// to the host as a typed op (ops.js); a write is checked first (documents.js);
// everything else goes to the host through __udfNative.syscall.

export function setupConvex(global, { native, determinism, errors, json, documents, ids, auth, streams, ops }) {
  // What the current call is; set by call.js around each call.
  const state = {
    current: null,
    handOver: json.handOver,
    // the call ended: drop what it left behind
    endCall() {
      json.dropHostValues();
      documents.endCall();
      ids.endCall();
      streams.endCall();
    },
  };

  // an action's ctx.runQuery / runMutation / runAction: the kind each one runs
  const actionCalls = { "1.0/actions/query": "query", "1.0/actions/mutation": "mutation", "1.0/actions/action": "action" };

  const local = {
    "1.0/getFunctionMetadata": () => {
      if (!state.current) throw new Error("getFunctionMetadata() can only be called inside a function");
      return { name: state.current.name, componentPath: "" };
    },
    // the session's identity (auth.js); none for a call made without one
    "1.0/getUserIdentity": () => auth.userIdentity(state.current?.anonymous === true),
  };

  // The queryId of a stream syscall's arguments ({"queryId":n}, as the package writes them).
  function queryIdOf(argsJson) {
    const m = /^\{"queryId":(\d+)\}$/.exec(argsJson);
    if (m) return Number(m[1]);
    const id = JSON.parse(argsJson)?.queryId;
    return typeof id === "number" ? id : -1;
  }

  // One syscall: answered here, or by the host (text, or a host value's token).
  function run(op, argsJson) {
    const handler = local[op];
    if (handler) return JSON.stringify(handler(JSON.parse(argsJson)));
    if (!state.current) {
      throw new Error(`Can't use ${op} at import time: the database and other functions are only available while a function runs.`);
    }
    // a nested call runs in a context of its own: hand it this call's clock
    // and a seed drawn from this call's PRNG, so it stays deterministic
    if (op === "1.0/runUdf") return ops.runUdf(argsJson, determinism.childSeed(), Date.now());
    const calls = actionCalls[op];
    if (calls !== undefined) {
      if (state.current.kind !== "action") {
        throw new Error(`${op} is only available in actions, and ${state.current.name} is a ${state.current.kind}.`);
      }
      return ops.runUdf(argsJson, determinism.childSeed(), Date.now(), calls);
    }
    // query rows come in batches (streams.js)
    if (op === "1.0/queryStreamNext") return json.handOver(streams.next(queryIdOf(argsJson)));
    if (op === "1.0/queryCleanup") argsJson = streams.cleanupArgs(queryIdOf(argsJson));
    documents.beforeWrite(op, argsJson);
    const result = native.syscall(op, argsJson);
    return typeof result === "string" ? result : json.handOver(result);
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
        errors.carry(e);
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
