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
// gets a plain result as host values instead, a Uint8Array (plain.js); one
// that reads a float8 (INVOKE_RESULT_NUMBER) gets a number as the number. A
// trigger's mutation answers its outcome: the returned row's JSON text,
// "null" to skip the row, or "" (no value: undefined) to keep it. Only bugs
// and terminations escape as exceptions.
//
// The fast path: invoke is not async. Once the handler returns, the host's
// settle runs the context's microtasks (what an await would let run: every
// ctx.db op answers at once, so a query or mutation has finished by then)
// and hands back a fulfilled promise's value; invoke then answers at once,
// and the host finds no promise to settle. Only a handler still pending
// (an action's fetch or timer), rejected or throwing takes the async way
// (answerLater), with the package's invokeFunction as before.
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
export const INVOKE_RESULT_NUMBER = 128; // a number result is answered as the number (a float8 result)

// A trigger's answer when its mutation returned undefined: keep the row.
export const TRIGGER_KEEP = "";

const title = (kind) => kind.charAt(0).toUpperCase() + kind.slice(1);

// settle's answer for a value that is not settled yet: a unique marker
const PENDING = Object.freeze({ pending: true });
// answerLater's `thrown` when the handler did not throw
const NOT_THROWN = Object.freeze({ thrown: false });

export function makeCall({ determinism, console, syscall, ids, ctxs, loop, validatorsOf, describeError, writePlain, settle }) {
  // the "Could not find" answer, as Convex words it
  function notFound(name) {
    return fail(SQLSTATE.undefinedFunction, `Could not find public function for '${name}'.`, undefined,
      "SELECT * FROM udf_functions() lists the deployed functions.");
  }

  // A module's exported functions, looked up once per (namespace, export).
  // The entry is rebuilt if the binding changed (an `export let` reassigned).
  const entriesByNamespace = new WeakMap();
  // the last call's entry: most calls name the function the one before named
  let last = { namespace: null, module: null, exportName: null, entry: null };
  function functionEntry(namespace, module, exportName) {
    const hit = last.entry;
    if (last.namespace === namespace && last.exportName === exportName && last.module === module &&
        namespace[exportName] === hit.fn) return hit;
    const entry = lookUpEntry(namespace, module, exportName);
    last = { namespace, module, exportName, entry };
    return entry;
  }
  function lookUpEntry(namespace, module, exportName) {
    let entries = entriesByNamespace.get(namespace);
    if (!entries) entriesByNamespace.set(namespace, (entries = new Map()));
    let entry = entries.get(exportName);
    if (entry && namespace[exportName] === entry.fn && entry.module === module) return entry;
    const fn = Object.prototype.hasOwnProperty.call(namespace, exportName) ? namespace[exportName] : undefined;
    entry = { fn, module, kind: kindOf(fn), name: displayName(module, exportName), validators: undefined };
    entries.set(exportName, entry);
    return entry;
  }

  // The host's call: typed arguments, no options object to parse.
  //   flags: INVOKE_ALLOW_INTERNAL | INVOKE_TRIGGER | INVOKE_NESTED | INVOKE_ARGS_BUILT
  //   expectKind: the kind the caller requires, or null
  //   args: the argument object as Convex JSON text, or (INVOKE_ARGS_BUILT) the value
  //   resultBudget: INVOKE_RESULT_VALUES: the host values a result may take at most
  function invoke(namespace, exportName, args, module, seed, now, flags, expectKind, requestId, resultBudget) {
    const entry = functionEntry(namespace, module, exportName);
    const { fn, kind, name } = entry;
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
    let validators = entry.validators;
    if (validators === undefined) {
      try {
        validators = entry.validators = validatorsOf(fn);
      } catch (e) {
        return describeError(e);
      }
    }
    // what an earlier call learnt of ids is not this one's (it may have failed before its end)
    ids.endCall();
    const argsProblem = validateArgs(validators.args, convexArgs, ids);
    if (argsProblem) return fail(SQLSTATE.argumentValidation, argsProblem, `Function: ${name}`);

    const trigger = (flags & INVOKE_TRIGGER) !== 0;
    if (expectKind && expectKind !== kind) {
      return fail(SQLSTATE.wrongKind,
        `Trying to execute ${name} as ${title(expectKind)}, but it is defined as ${title(kind)}.`);
    }
    // A nested call (ctx.runQuery/runMutation) runs in a context of its own,
    // with its caller's clock and a seed from its caller's PRNG (both passed in).
    const deterministic = kind !== "action";
    determinism.begin({ seed, now, deterministic });
    console.reset();
    loop.beginCall();
    syscall.current = { name, kind, anonymous: (flags & INVOKE_NO_IDENTITY) !== 0 };
    const call = { name, kind, flags, trigger, validators, resultBudget };
    // as the package's invokeQuery / invokeMutation / invokeAction: the handler with
    // its ctx and the decoded arguments (invokeFunction serializes a ConvexError's data)
    let ctx;
    let ran;
    try {
      ctx = ctxs.ctxFor(kind, fn.isPublic ? "public" : "internal", requestId ?? "");
    } catch (e) {
      return failed(call, e);
    }
    try {
      const handler = fn._handler; // called as the package calls it: no `this`
      ran = handler(ctx, convexArgs);
    } catch (thrown) {
      return answerLater(call, ctx, undefined, thrown);
    }
    // the fast path: the handler's promise fulfilled once the microtasks ran
    // (every ctx.db op is answered at once), so no await is needed to go on
    const result = settle(ran, PENDING);
    return result === PENDING ? answerLater(call, ctx, ran, NOT_THROWN) : answer(call, result);
  }

  // A handler that threw, or whose promise is not fulfilled yet (an action
  // waiting on fetch or a timer, a rejection): invokeFunction's own steps,
  // its handler's value awaited (as its `await Promise.resolve(...)`), a
  // throw serialized by the package itself.
  async function answerLater(call, ctx, ran, thrown) {
    let result;
    try {
      try {
        if (thrown !== NOT_THROWN) throw thrown;
        result = await ran;
      } catch (e) {
        await invokeFunction(() => { throw e; }, ctx, []);
      }
    } catch (e) {
      return failed(call, e);
    }
    return answer(call, result);
  }

  // The handler's value as the call's answer: checked by the package's
  // validateReturnValue, encoded, the call ended, the returns validator run.
  function answer(call, result) {
    let resultJson;
    try {
      if (call.kind !== "action") validateReturnValue(result);
      resultJson = encode(call, result);
    } catch (e) {
      return failed(call, e);
    }
    endCall();
    // the value itself, not its JSON text parsed again (validate.js takes undefined fields as missing)
    if (call.validators.returns !== null && !call.trigger) {
      const problem = validateReturns(call.validators.returns, result, call.name, ids);
      if (problem) return fail(SQLSTATE.returnValidation, problem);
    }
    return resultJson;
  }

  // A trigger tells undefined (keep the row) from null (skip it); a host that
  // reads a float8 takes any number as it is (NaN, the infinities and -0
  // too); a finite number (not -0) is its own Convex JSON, whose text is
  // String's; a plain value goes to a host that stores jsonb as host values
  // (no copy, no text).
  function encode({ trigger, flags, resultBudget }, result) {
    if (trigger && result === undefined) return TRIGGER_KEEP;
    if (typeof result === "number") {
      if (flags & INVOKE_RESULT_NUMBER) return result;
      if (Number.isFinite(result) && !Object.is(result, -0)) return String(result);
    }
    const value = result === undefined ? null : result;
    return ((flags & INVOKE_RESULT_VALUES) && writePlain(value, resultBudget)) || JSON.stringify(convexToJson(value));
  }

  // A failed call's answer, described before the call ends.
  function failed({ name, flags }, e) {
    const d = describeError(e);
    // convexToJson recursing forever: say what it means
    if (e instanceof RangeError && typeof e.stack === "string" && e.stack.includes("convexToJson")) {
      d.message = `Uncaught Error: ${name} returned a value that is not a Convex value: it is cyclic or nested too deeply.`;
    }
    // the caller rethrows it: give it the error's own message, not "Uncaught ..."
    if ((flags & INVOKE_NESTED) !== 0 && typeof e === "object" && e !== null && typeof e.message === "string") d.message = e.message;
    endCall();
    return d;
  }

  // What invoke began for the call, ended.
  function endCall() {
    syscall.current = null;
    loop.endCall();
    syscall.endCall();
    determinism.end();
  }

  return { invoke };
}
