// The runtime's entry points, the functions the host calls on
// globalThis.__udf: a call (call.js), an HTTP action (http.js), deploy
// analysis and crons (deploy.js),
// scheduled arguments (schedule.js), the
// schema for writes (documents.js), the import phase, source maps, and the
// build-time warm-up. Each answers JSON text or a failure object.
import { v } from "convex/values";
import { queryGeneric } from "convex/server";
import { parseSourceMap } from "./sourcemap.js";
import { SQLSTATE, fail, makeDescribeError, makeErrorFormatter } from "./errors.js";
import { makeValidatorsOf } from "./functions.js";
import { makeCall, INVOKE_ARGS_BUILT } from "./call.js";
import { makeDeploy } from "./deploy.js";
import { makeCtx } from "./ctx.js";
import { makeValidateScheduledArgs } from "./schedule.js";
import { makeHttp } from "./http.js";

export function makeRuntime({ determinism, console, syscall, documents, ids, loop, ops, writePlain, settle }) {
  const sourceMaps = Object.create(null);
  const describeError = makeDescribeError(sourceMaps);
  const validatorsOf = makeValidatorsOf();
  console.setErrorFormatter(makeErrorFormatter(sourceMaps));
  const { invoke } = makeCall({ determinism, console, syscall, ids, ctxs: makeCtx(syscall), loop, validatorsOf, describeError, writePlain, settle });
  const { analyze, schema, crons } = makeDeploy({ validatorsOf, describeError });
  const validateScheduledArgs = makeValidateScheduledArgs(ids);
  const { httpAction } = makeHttp({ determinism, console, syscall, describeError, ops });

  // Module top-level code runs in its own deterministic phase (Convex: fixed per deploy).
  function beginImport(seed, now) {
    determinism.begin({ seed, now, deterministic: true });
    console.reset();
    return "null";
  }

  // The import phase ended.
  function endImport() {
    determinism.end();
    return "null";
  }

  // A deployed module's source map, for stack traces of its code.
  function registerSourceMap(path, mapText) {
    const map = parseSourceMap(mapText);
    if (map) sourceMaps[path] = map;
    return map ? "true" : "false";
  }

  // Build time, before the startup snapshot is taken: run the call path once
  // (both argument forms, validation both ways) so the snapshot keeps its
  // compiled bytecode and a backend's first call does not compile it lazily.
  async function warmUp() {
    const ns = {
      f: queryGeneric({ args: { x: v.number() }, returns: v.object({ r: v.number() }), handler: async (ctx, { x }) => ({ r: x + 1 }) }),
    };
    const fromText = await invoke(ns, "f", '{"x":1}', "warmup.js", "00", 0, 0, null, "");
    const fromValue = await invoke(ns, "f", { x: 2 }, "warmup.js", "00", 0, INVOKE_ARGS_BUILT, null, "");
    if (fromText !== '{"r":2}' || fromValue !== '{"r":3}') {
      return fail(SQLSTATE.javascriptError, `warm-up call gave ${JSON.stringify([fromText, fromValue])}`);
    }
    return "true";
  }

  // The shim's turn of the event loop while a call's promise is pending (loop.js).
  function pump() {
    return loop.pump();
  }

  return {
    invoke, httpAction, analyze, pump, schema, crons, validateScheduledArgs, registerSchema: documents.registerSchema,
    beginImport, endImport, describeError, registerSourceMap, warmUp,
  };
}
