// The ctx a function gets, as the convex package's invokeQuery /
// invokeMutation / invokeAction build it, from the package's own parts
// (setupReader, setupWriter, setupAuth and the rest, imported from the
// pinned package). The parts are stateless, so those of a kind and
// visibility are made once per context and shared; each call still gets a
// ctx object of its own. Actions' parts carry the call's request id and
// are made per call, as actions are rare and long.
import { convexToJson, jsonToConvex } from "convex/values";
import { setupReader, setupWriter } from "../node_modules/convex/dist/esm/server/impl/database_impl.js";
import { setupAuth, setupMutationAuth } from "../node_modules/convex/dist/esm/server/impl/authentication_impl.js";
import { setupStorageReader, setupStorageWriter, setupStorageActionWriter } from "../node_modules/convex/dist/esm/server/impl/storage_impl.js";
import { setupMutationScheduler, setupActionScheduler } from "../node_modules/convex/dist/esm/server/impl/scheduler_impl.js";
import { setupQueryMeta, setupMutationMeta, setupActionMeta } from "../node_modules/convex/dist/esm/server/impl/meta_impl.js";
import { setupActionCalls } from "../node_modules/convex/dist/esm/server/impl/actions_impl.js";
import { setupActionVectorSearch } from "../node_modules/convex/dist/esm/server/impl/vector_search_impl.js";
import { performAsyncSyscall } from "../node_modules/convex/dist/esm/server/impl/syscall.js";
import { parseArgs } from "../node_modules/convex/dist/esm/common/index.js";
import { validateArg } from "../node_modules/convex/dist/esm/server/impl/validate.js";
import { getFunctionAddress } from "../node_modules/convex/dist/esm/server/components/paths.js";

// ctx.runQuery / runMutation inside a query or mutation: the package's 1.0/runUdf request.
async function runUdf(udfType, reference, args, transactionLimits) {
  const request = { udfType, args: convexToJson(parseArgs(args)), ...getFunctionAddress(reference) };
  if (transactionLimits) request.transactionLimits = transactionLimits;
  return jsonToConvex(await performAsyncSyscall("1.0/runUdf", request));
}

// db.get and db.system.get with the package's own checks, then the typed
// 1.0/get (syscall.dbGet, 05_convex.js): no JSON text either way, no
// decoding of a plain document, and one promise instead of the package's
// three. db.table(name).get keeps the package's way.
function withTypedGet(db, dbGet) {
  const get = async (arg0, arg1) => {
    const table = arg1 !== undefined ? arg0 : undefined;
    const id = arg1 !== undefined ? arg1 : arg0;
    validateArg(id, 1, "get", "id");
    if (typeof id !== "string") {
      throw new Error(`Invalid argument \`id\` for \`db.get\`, expected string but got '${typeof id}': ${id}`);
    }
    return dbGet(table, id);
  };
  db.get = get;
  db.system.get = get;
  return db;
}

// db.insert with the package's own checks, its value checked and sent
// without the JSON round trip of the package's syscall (syscall.dbInsert,
// 05_convex.js). db.table(name).insert keeps the package's way.
function withDirectInsert(db, dbInsert) {
  db.insert = async (tableName, value) => {
    if (tableName.startsWith("_")) {
      throw new Error("System tables (prefixed with `_`) are read-only.");
    }
    validateArg(tableName, 1, "insert", "table");
    validateArg(value, 2, "insert", "value");
    return dbInsert(tableName, convexToJson(value));
  };
  return db;
}

// The shared parts of a query's ctx.
function queryParts(visibility, dbGet) {
  return {
    db: withTypedGet(setupReader(), dbGet),
    auth: setupAuth(""),
    storage: setupStorageReader(""),
    meta: setupQueryMeta(visibility),
    runQuery: (reference, args, options) => {
      if (options?.useStaleSnapshot) {
        throw new Error("`useStaleSnapshot` is only supported in mutations, not queries.");
      }
      return runUdf("query", reference, args, options?.transactionLimits);
    },
  };
}

// The shared parts of a mutation's ctx.
function mutationParts(visibility, dbGet, dbInsert) {
  return {
    db: withDirectInsert(withTypedGet(setupWriter(), dbGet), dbInsert),
    auth: setupMutationAuth(""),
    storage: setupStorageWriter(""),
    scheduler: setupMutationScheduler(),
    meta: setupMutationMeta(visibility),
    runQuery: (reference, args, options) =>
      runUdf(options?.useStaleSnapshot ? "snapshotQuery" : "query", reference, args, options?.transactionLimits),
    runMutation: (reference, args, options) => runUdf("mutation", reference, args, options?.transactionLimits),
  };
}

// syscall: the Convex global's state (05_convex.js), for db.get's typed form.
export function makeCtx(syscall) {
  const dbGet = (table, id) => syscall.dbGet(table, id);
  const dbInsert = (table, jsonValue) => syscall.dbInsert(table, jsonValue);
  // [query, mutation] x [public, internal], made on first use
  const shared = [undefined, undefined, undefined, undefined];

  // The parts of kind for visibility, made on first use.
  function partsOf(kind, visibility) {
    const slot = (kind === "query" ? 0 : 2) + (visibility === "public" ? 0 : 1);
    let parts = shared[slot];
    if (parts === undefined) {
      parts = kind === "query" ? queryParts(visibility, dbGet) : mutationParts(visibility, dbGet, dbInsert);
      shared[slot] = parts;
    }
    return parts;
  }

  return {
    // A fresh ctx for one call of a function of kind ("query" | "mutation" | "action").
    ctxFor(kind, visibility, requestId) {
      if (kind === "action") {
        return {
          ...setupActionCalls(requestId),
          auth: setupAuth(requestId),
          scheduler: setupActionScheduler(requestId),
          storage: setupStorageActionWriter(requestId),
          vectorSearch: setupActionVectorSearch(requestId),
          meta: setupActionMeta(visibility),
        };
      }
      const p = partsOf(kind, visibility);
      return kind === "query"
        ? { db: p.db, auth: p.auth, storage: p.storage, meta: p.meta, runQuery: p.runQuery }
        : { db: p.db, auth: p.auth, storage: p.storage, scheduler: p.scheduler, meta: p.meta, runQuery: p.runQuery, runMutation: p.runMutation };
    },
  };
}
