// The order in which every isolate context is set up. Each setup file
// patches one global and exports one setupX(global, ...) that does nothing
// at import time; index.js calls setupAll once when the runtime bundle runs
// in a fresh context.
//
//   00_web          TextEncoder/TextDecoder, atob/btoa, structuredClone,
//                   queueMicrotask: the web globals user code expects.
//   01_determinism  seeded Math.random and crypto.getRandomValues, frozen
//                   Date.now() for queries and mutations.
//   02_console      console.* formatted and capped, sent to the host.
//   03_error        Error, so a failed syscall's error keeps its SQL code.
//   04_json         JSON.parse, so host values reach the convex package.
//   05_convex       the `Convex` global the convex npm package calls.
import { setupWeb } from "./setup/00_web.js";
import { setupDeterminism } from "./setup/01_determinism.js";
import { setupConsole } from "./setup/02_console.js";
import { setupError } from "./setup/03_error.js";
import { setupJson } from "./setup/04_json.js";
import { setupConvex } from "./setup/05_convex.js";
import { makeOps } from "./ops.js";
import { makeDocuments } from "./documents.js";
import { makeIds } from "./ids.js";
import { makeAuth } from "./auth.js";
import { makeStreams } from "./streams.js";
import { installBatchedCollect } from "./collect.js";

export function setupAll(global, native) {
  setupWeb(global);
  const determinism = setupDeterminism(global);
  const console = setupConsole(global, native);
  const errors = setupError(global);
  const json = setupJson(global);
  const ops = makeOps(native);
  const ids = makeIds(ops);
  const documents = makeDocuments(ops, ids);
  const auth = makeAuth(ops);
  const streams = makeStreams(ops);
  installBatchedCollect(streams);
  const syscall = setupConvex(global, { native, determinism, errors, json, documents, ids, auth, streams, ops });
  return { determinism, console, syscall, documents, ids, streams };
}
