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
//   06_timers       setTimeout/setInterval on the context's event loop (loop.js).
//   07_abort        Event, EventTarget, AbortController, AbortSignal.
//   08_fetch        fetch, Headers, Request, Response, Blob, File (actions only).
//   09_crypto       crypto.subtle, and real randomness for crypto in actions.
//   10_url          URL, URLSearchParams (whatwg-url).
//   11_streams      ReadableStream & co. (web-streams-polyfill), TextEncoderStream/TextDecoderStream.
//   12_web_fallbacks Blob, when no fuller one is installed (runs last).
import { setupWeb } from "./setup/00_web.js";
import { setupDeterminism } from "./setup/01_determinism.js";
import { setupConsole } from "./setup/02_console.js";
import { setupError } from "./setup/03_error.js";
import { setupJson } from "./setup/04_json.js";
import { setupConvex } from "./setup/05_convex.js";
import { setupTimers } from "./setup/06_timers.js";
import { setupAbort } from "./setup/07_abort.js";
import { setupFetch } from "./setup/08_fetch.js";
import { setupCrypto } from "./setup/09_crypto.js";
import { setupUrl } from "./setup/10_url.js";
import { setupStreams } from "./setup/11_streams.js";
import { setupWebFallbacks } from "./setup/12_web_fallbacks.js";
import { makeOps } from "./ops.js";
import { makeDocuments } from "./documents.js";
import { makeIds } from "./ids.js";
import { makeAuth } from "./auth.js";
import { makeStreams } from "./streams.js";
import { installBatchedCollect } from "./collect.js";
import { makeLoop } from "./loop.js";
import { makePlainWriter } from "./plain.js";

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
  // plain values as host values, for db.insert's documents and the call's result (plain.js)
  const writePlain = makePlainWriter();
  const syscall = setupConvex(global, { native, determinism, errors, json, documents, ids, auth, streams, ops, writePlain });
  const loop = makeLoop(native, determinism.realNow);
  // Convex's async ops (timers, fetch) exist only in actions
  const asyncAllowed = (what) => {
    const current = syscall.current;
    if (current && current.kind === "action") return;
    if (current) throw new Error(`Can't use ${what} in queries and mutations. Please consider using an action.`);
    throw new Error(`Can't use ${what} at import time: it is only available while an action runs.`);
  };
  setupTimers(global, { loop, asyncAllowed });
  setupAbort(global);
  setupFetch(global, { loop, ops, asyncAllowed });
  setupCrypto(global, { ops, inAction: () => syscall.current?.kind === "action" });
  setupUrl(global, native);
  setupStreams(global, native);
  setupWebFallbacks(global);
  // a handler's value settled now if it can be (call.js's fast path)
  const settle = native.settle;
  return { determinism, console, syscall, documents, ids, streams, loop, ops, writePlain, settle };
}
