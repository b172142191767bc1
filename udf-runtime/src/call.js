// One call of a deployed function, as Convex's backend runs it: find the
// registered function by its module and export, check its visibility and
// kind, validate its arguments, run its handler as the package's own
// invokeQuery / invokeMutation / invokeAction do (the same ctx, built from
// the package's parts by ctx.js, and its invokeFunction and
// validateReturnValue) with the call's seed and clock, and validate its
// return value. The arguments, decoded once for validation, are handed to
// the handler as they are, and the result is validated as the value it is:
// no JSON text is made or parsed on the way but the result's.
//
// invoke answers in the one form of every runtime entry point: the result's
// JSON text on success (the text the package's invoke protocol made; no
// object is built for it), or a failure object {code, message, detail,
// hint}. A caller that stores the result as jsonb (INVOKE_RESULT_VALUES)
// gets a plain result as host values instead, a Uint8Array (plain.js). A trigger's mutation answers its outcome: the returned row's JSON
// text, "null" to skip the row, or "" (no value: undefined) to keep it.
// Only bugs and terminations escape as exceptions.
import { jsonToConvex, convexToJson } from "convex/values";
import { invokeFunction, validateReturnValue } from "../node_modules/convex/dist/esm/server/impl/registration_impl.js";
import { validateArgs, validateReturns } from "./validate.js";
import { SQLSTATE, fail } from "./errors.js";
import { kindOf, displayName } from "./functions.js";

// invoke's flags; the host (extension/v8shim/udf_v8.h) uses the same bits
export const INVOKE_ALLOW_INTERNAL = 1;
export const INVOKE_TRIGGER = 2;
export const INVOKE_NESTED = 4;
export const INVOKE_ARGS_BUILT = 8; // args is the value itself, not JSON text
export const INVOKE_NO_IDENTITY = 16; // the call has no auth identity (a scheduled function)
export const INVOKE_ARGS_PLAIN = 32; // the built args need no decoding: valid field names, no tagged values
export const INVOKE_RESULT_VALUES = 64; // a plain result may be answered as host values (plain.js)

// A trigger's answer when its mutation returned undefined: keep the row.
export const TRIGGER_KEEP = "";

const title = (kind) => kind.charAt(0).toUpperCase() + kind.slice(1);

export function makeCall({ determinism, console, syscall, ids, ctxs, loop, validatorsOf, describeError, writePlain }) {
  // the "Could not find" answer, as Convex words it
  function notFound(name) {
    return fail(SQLSTATE.undefinedFunction, `Could not find public function for '${name}'.`, undefined,
      "SELECT * FROM udf_functions() lists the deployed functions.");
  }

  // A module's exported functions, looked up once per (namespace, export).
  // The entry is rebuilt if the binding changed (an `export let` reassigned).
  const entriesByNamespace = new WeakMap();
  function functionEntry(namespace, module, exportName) {
    let entries = entriesByNamespace.get(namespace);
    if (!entries) entriesByNamespace.set(namespace, (entries = new Map()));
    let entry = entries.get(exportName);
    if (entry && namespace[exportName] === entry.fn && entry.module === module) return entry;
    const fn = Object.prototype.hasOwnProperty.call(namespace, exportName) ? namespace[exportName] : undefined;
    entry = { fn, module, kind: kindOf(fn), name: displayName(module, exportName) };
    entries.set(exportName, entry);
    return entry;
  }

  // The host's call: typed arguments, no options object to parse.
  //   flags: INVOKE_ALLOW_INTERNAL | INVOKE_TRIGGER | INVOKE_NESTED | INVOKE_ARGS_BUILT
  //   expectKind: the kind the caller requires, or null
  //   args: the argument object as Convex JSON text, or (INVOKE_ARGS_BUILT) the value
  //   resultBudget: INVOKE_RESULT_VALUES: the host values a result may take at most
  async function invoke(namespace, exportName, args, module, seed, now, flags, expectKind, requestId, resultBudget) {
    const { fn, kind, name } = functionEntry(namespace, module, exportName);
    // httpActionGeneric sets no isPublic, so check the kind first
    if (kind === "httpAction") {
      return fail(SQLSTATE.wrongKind, `'${name}' is an HTTP action; HTTP actions are called through the HTTP router, not by name.`);
    }
    if (!kind || (!fn.isPublic && !(flags & INVOKE_ALLOW_INTERNAL))) return notFound(name);

    let argsValue;
    let convexArgs;
    try {
      argsValue = flags & INVOKE_ARGS_BUILT ? args : JSON.parse(args);
      convexArgs = flags & INVOKE_ARGS_PLAIN ? argsValue : jsonToConvex(argsValue);
    } catch (e) {
      return fail(SQLSTATE.argumentValidation, `ArgumentValidationError: arguments of '${name}' are not valid Convex JSON: ${e.message}`);
    }
    let validators;
    try {
      validators = validatorsOf(fn);
    } catch (e) {
      return describeError(e);
    }
    // what an earlier call learnt of ids is not this one's (it may have failed before its end)
    ids.endCall();
    const argsProblem = validateArgs(validators.args, convexArgs, ids);
    if (argsProblem) return fail(SQLSTATE.argumentValidation, argsProblem, `Function: ${name}`);

    // A nested call (ctx.runQuery/runMutation) runs in a context of its own,
    // with its caller's clock and a seed from its caller's PRNG (both passed in).
    const nested = (flags & INVOKE_NESTED) !== 0;
    const trigger = (flags & INVOKE_TRIGGER) !== 0;
    if (expectKind && expectKind !== kind) {
      return fail(SQLSTATE.wrongKind,
        `Trying to execute ${name} as ${title(expectKind)}, but it is defined as ${title(kind)}.`);
    }
    const deterministic = kind !== "action";
    determinism.begin({ seed, now, deterministic });
    console.reset();
    loop.beginCall();
    syscall.current = { name, kind, anonymous: (flags & INVOKE_NO_IDENTITY) !== 0 };
    let result;
    let resultJson;
    try {
      // as the package's invokeQuery / invokeMutation / invokeAction: the handler with
      // its ctx and the decoded arguments (invokeFunction serializes a ConvexError's data)
      const visibility = fn.isPublic ? "public" : "internal";
      const ctx = ctxs.ctxFor(kind, visibility, requestId ?? "");
      // invokeFunction's own steps with one await fewer: the handler's value awaited
      // (as its `await Promise.resolve(...)`), a throw serialized by the package itself
      const handler = fn._handler; // called as the package calls it: no `this`
      try {
        result = await handler(ctx, convexArgs);
      } catch (thrown) {
        await invokeFunction(() => { throw thrown; }, ctx, []);
      }
      if (kind !== "action") validateReturnValue(result);
      // a trigger tells undefined (keep the row) from null (skip it); a finite
      // number (not -0) is its own Convex JSON, whose text is String's; a plain
      // value goes to a host that stores jsonb as host values (no copy, no text)
      resultJson = trigger && result === undefined ? TRIGGER_KEEP
        : typeof result === "number" && Number.isFinite(result) && !Object.is(result, -0) ? String(result)
        : ((flags & INVOKE_RESULT_VALUES) && writePlain(result === undefined ? null : result, resultBudget))
          || JSON.stringify(convexToJson(result === undefined ? null : result));
    } catch (e) {
      const d = describeError(e);
      // convexToJson recursing forever: say what it means
      if (e instanceof RangeError && typeof e.stack === "string" && e.stack.includes("convexToJson")) {
        d.message = `Uncaught Error: ${name} returned a value that is not a Convex value: it is cyclic or nested too deeply.`;
      }
      // the caller rethrows it: give it the error's own message, not "Uncaught ..."
      if (nested && typeof e === "object" && e !== null && typeof e.message === "string") d.message = e.message;
      return d;
    } finally {
      syscall.current = null;
      loop.endCall();
      syscall.endCall();
      determinism.end();
    }
    // the value itself, not its JSON text parsed again (validate.js takes undefined fields as missing)
    if (validators.returns !== null && !trigger) {
      const problem = validateReturns(validators.returns, result, name, ids);
      if (problem) return fail(SQLSTATE.returnValidation, problem);
    }
    return resultJson;
  }

  return { invoke };
}
