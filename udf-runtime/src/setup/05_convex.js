// The `Convex` global: the ABI the convex npm package calls
// (Convex.syscall / asyncSyscall / jsSyscall, JSON strings in and out).
// Ops the runtime can answer itself are answered here; a nested call goes
// to the host as a typed op (ops.js); a write is checked first (documents.js);
// everything else goes to the host through __udfNative.syscall.

import { jsonToConvex } from "convex/values";
import { bytesToBase64, base64ToBytes } from "../base64.js";

// A document sent as host values is at most this many bytes (a larger one goes as text).
const INSERT_VALUES_BUDGET = 1 << 24;

export function setupConvex(global, { native, determinism, errors, json, documents, ids, auth, streams, ops, writePlain }) {
  // What the current call is; set by call.js around each call.
  const state = {
    current: null,
    handOver: json.handOver,
    // db.get's syscall in its typed form (table or null, id): the document as a
    // value, decoded only when it holds Convex-encoded values. Refused and
    // failing as the package's 1.0/get is.
    dbGet(table, id) {
      const answer = typedSyscall("1.0/get", () => native.op("1.0/get", typeof table === "string" ? table : null, id));
      return answer[1] ? answer[0] : jsonToConvex(answer[0]);
    },
    // db.insert's syscall without its JSON text parsed twice: the value (in
    // Convex JSON) checked as it is, then sent to the host in 1.0/insert's typed
    // form; the new _id back.
    // Refused and failing as the package's 1.0/insert is.
    dbInsert(table, jsonValue) {
      return typedSyscall("1.0/insert", () => {
        documents.checkWrite("insert", { table, value: jsonValue });
        // 1.0/insert's typed form: the table apart, the value as host values when
        // they can carry it (form 1: no text written or parsed; plain.js gives up on
        // "$" fields, NUL and lone surrogates), else as its JSON text (form 0); the
        // host answers {_id} as a value, the id a string (or null), never Convex-encoded
        const values = writePlain(jsonValue, INSERT_VALUES_BUDGET);
        return values !== null
          ? native.op("1.0/insert", table, values, 1)._id
          : native.op("1.0/insert", table, JSON.stringify(jsonValue), 0)._id;
      });
    },
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

  // store and get move bytes: actions only, as in Convex
  const actionOnlyStorage = { "1.0/storageStore": "store", "1.0/storageGet": "get" };

  const jsSyscalls = {
    "storage/storeBlob": async ({ blob, options }) => {
      if (!(blob instanceof Blob)) {
        throw new Error("store() expects a Blob. If you are trying to store a Request, `await request.blob()` will give you the correct input.");
      }
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const args = { blob: bytesToBase64(bytes), contentType: blob.type || undefined, sha256: options?.sha256 };
      return JSON.parse(run("1.0/storageStore", JSON.stringify(args)));
    },
    "storage/getBlob": async ({ storageId }) => {
      const result = JSON.parse(run("1.0/storageGet", JSON.stringify({ storageId })));
      if (result === null) return null;
      return new Blob([base64ToBytes(result.blob)], { type: result.contentType ?? "" });
    },
  };

  // The queryId of a stream syscall's arguments ({"queryId":n}, as the package writes them).
  function queryIdOf(argsJson) {
    const m = /^\{"queryId":(\d+)\}$/.exec(argsJson);
    if (m) return Number(m[1]);
    const id = JSON.parse(argsJson)?.queryId;
    return typeof id === "number" ? id : -1;
  }

  // Host syscalls exist only while a function runs.
  function refuseOutsideCall(op) {
    if (!state.current) {
      throw new Error(`Can't use ${op} at import time: the database and other functions are only available while a function runs.`);
    }
  }

  // A syscall in its typed form (work), refused and failing as the package's own
  // call of it: a failure is rethrown as the package rethrows a failed async
  // syscall, a plain Error with its message (code and detail carried).
  function typedSyscall(op, work) {
    try {
      refuseOutsideCall(op);
      return work();
    } catch (e) {
      errors.carry(e);
      throw new Error(e.message);
    }
  }

  // One syscall: answered here, or by the host (text, or a host value's token).
  function run(op, argsJson) {
    const handler = local[op];
    if (handler) return JSON.stringify(handler(JSON.parse(argsJson)));
    refuseOutsideCall(op);
    // a nested call runs in a context of its own: hand it this call's clock
    // and a seed drawn from this call's PRNG, so it stays deterministic
    if (op === "1.0/runUdf") return ops.runUdf(argsJson, determinism.childSeed(), Date.now());
    const storageMethod = actionOnlyStorage[op];
    if (storageMethod !== undefined && state.current.kind !== "action") {
      throw new Error(`Can't use storage.${storageMethod}() in queries and mutations. Please consider using an action.`);
    }
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
    // the action storage writer's store/get: Blobs in and out, bytes to the host in base64
    jsSyscall(op, args) {
      const handler = jsSyscalls[op];
      if (handler === undefined) throw new Error(`udf does not implement the JS syscall "${op}"`);
      return handler(args ?? {});
    },
  };
  Object.defineProperty(global, "Convex", { value: Object.freeze(Convex), writable: false, configurable: false });
  return state;
}
