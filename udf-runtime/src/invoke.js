// What Convex's backend does around a function, for udf: find the
// registered function by path, validate its arguments, run it through the
// package's own invoke protocol (invokeQuery / invokeMutation /
// invokeAction with a JSON array of arguments), validate the return value,
// and turn failures into {code, message, detail, hint} for the host.
//
// Every entry point the host calls answers in one form: the result's JSON
// text on success, or a failure object {code, message, detail, hint}
// (extension/v8shim/call.cc, ReadAnswer). invoke, the hot one, thus answers
// a success with the text the convex package's invoke protocol made, and
// builds no object for it. Only bugs and terminations escape as exceptions.
import { jsonToConvex, v } from "convex/values";
import { mutationGeneric, queryGeneric } from "convex/server";
import { validateArgs, validateReturns, validateValue } from "./validate.js";
import { formatUncaught, cleanStack } from "./stack.js";
import { parseSourceMap } from "./sourcemap.js";

// SQLSTATEs; README's error table lists the same.
export const SQLSTATE = {
  javascriptError: "UDF00",
  convexError: "UDF01",
  returnValidation: "UDF02",
  argumentValidation: "22023",
  undefinedFunction: "42883",
  wrongKind: "42809",
};

export function kindOf(fn) {
  if (typeof fn !== "function") return null;
  if (fn.isQuery) return "query";
  if (fn.isMutation) return "mutation";
  if (fn.isAction) return "action";
  if (fn.isHttp) return "httpAction";
  return null;
}

// "messages.js" + "send" -> "messages:send"; default exports drop ":default"
export function displayName(modulePath, exportName) {
  const mod = modulePath.replace(/\.js$/, "");
  return exportName === "default" ? mod : `${mod}:${exportName}`;
}

// invoke's flags; the host (extension/udf_v8.h) uses the same bits
export const INVOKE_ALLOW_INTERNAL = 1;
export const INVOKE_TRIGGER = 2;
export const INVOKE_NESTED = 4;
export const INVOKE_ARGS_BUILT = 8; // args is the value itself, not JSON text

// a failed answer; a successful one is the result's JSON text itself
const fail = (code, message, detail, hint) => ({ code, message, detail, hint });
const title = (kind) => kind.charAt(0).toUpperCase() + kind.slice(1);

export function makeRuntime({ determinism, console, syscall }) {
  const sourceMaps = Object.create(null);
  const validatorCache = new WeakMap();

  function validatorsOf(fn) {
    let v = validatorCache.get(fn);
    if (!v) {
      // HTTP actions have no exportArgs/exportReturns: they take a Request
      v = fn.isHttp
        ? { args: null, returns: null }
        : { args: JSON.parse(fn.exportArgs()), returns: JSON.parse(fn.exportReturns()) };
      validatorCache.set(fn, v);
    }
    return v;
  }

  function describeError(e) {
    const isObj = typeof e === "object" && e !== null;
    if (isObj && (e.ConvexErrorSymbol === Symbol.for("ConvexError") || e[Symbol.for("ConvexError")])) {
      // invokeFunction already replaced .data by its Convex JSON text
      const data = typeof e.data === "string" ? e.data : JSON.stringify(e.data ?? null);
      return {
        code: SQLSTATE.convexError,
        message: formatUncaught(e),
        detail: data,
      };
    }
    let stack = isObj && typeof e.stack === "string"
      ? cleanStack(e.stack, { sourceMaps })
      : "";
    // only builtin frames left (e.g. "at Array.map (<anonymous>)"): say nothing
    if (!/\([^()<>]+:\d+:\d+\)|^\s*at [^()<>\s]+:\d+:\d+$/m.test(stack)) stack = "";
    // an uncaught SQL error keeps its SQLSTATE (40001 stays retryable), detail and hint
    const sqlCode = isObj && typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) &&
      !e.code.startsWith("UDF") ? e.code : undefined;
    // an error that already is an uncaught-error report (from a trigger or a
    // nested call below) keeps its one "Uncaught" prefix
    const already = isObj && typeof e.message === "string" && /^Uncaught /.test(e.message);
    return {
      code: sqlCode ?? SQLSTATE.javascriptError,
      message: already ? e.message : formatUncaught(e),
      detail: [sqlCode ? e.detail : undefined, stack].filter(Boolean).join("\n") || undefined,
      hint: sqlCode ? e.hint : undefined,
    };
  }

  console.setErrorFormatter((e) => {
    const head = `${e.name || "Error"}${e.message ? ": " + e.message : ""}`;
    const frames = typeof e.stack === "string" ? cleanStack(e.stack, { sourceMaps }) : "";
    return frames ? `${head}\n${frames}` : head;
  });

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

  // A trigger must tell "return null" (skip the row) from "return undefined"
  // (keep it), which the invoke protocol folds together: it runs the same
  // handler through a wrapper that tags the result, made once per function.
  const taggedByFunction = new WeakMap();
  function taggedMutation(fn) {
    let tagged = taggedByFunction.get(fn);
    if (!tagged) {
      tagged = mutationGeneric(async (ctx, a) => {
        const r = await fn._handler(ctx, a);
        return r === undefined ? { keep: true } : r === null ? { skip: true } : { row: r };
      });
      taggedByFunction.set(fn, tagged);
    }
    return tagged;
  }

  // The host's call: typed arguments, no options object to parse.
  //   flags: INVOKE_ALLOW_INTERNAL | INVOKE_TRIGGER | INVOKE_NESTED | INVOKE_ARGS_BUILT
  //   expectKind: the kind the caller requires, or null
  // Answers the result's Convex JSON text, or a failure object.
  //   args: the argument object as Convex JSON text, or (INVOKE_ARGS_BUILT) the value
  async function invoke(namespace, exportName, args, module, seed, now, flags, expectKind, requestId) {
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
      convexArgs = jsonToConvex(argsValue);
    } catch (e) {
      return fail(SQLSTATE.argumentValidation, `ArgumentValidationError: arguments of '${name}' are not valid Convex JSON: ${e.message}`);
    }
    let validators;
    try {
      validators = validatorsOf(fn);
    } catch (e) {
      return describeError(e);
    }
    const argsProblem = validateArgs(validators.args, convexArgs);
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
    syscall.current = { name, kind };
    let resultJson;
    try {
      // the package parses its JSON argument array again: give it the one parsed here
      const argsStr = syscall.handOver([argsValue]);
      if (trigger) resultJson = await taggedMutation(fn).invokeMutation(argsStr);
      else if (kind === "query") resultJson = await fn.invokeQuery(argsStr);
      else if (kind === "mutation") resultJson = await fn.invokeMutation(argsStr);
      else resultJson = await fn.invokeAction(requestId ?? "", argsStr);
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
      syscall.dropHostValues();
      determinism.end();
    }
    if (validators.returns !== null && !trigger) {
      const problem = validateReturns(validators.returns, jsonToConvex(JSON.parse(resultJson)), name);
      if (problem) return fail(SQLSTATE.returnValidation, problem);
    }
    return resultJson;
  }

  // Describe a module's exported functions for udf_deploy / udf_functions.
  function analyze(namespace, modulePath) {
    const functions = [];
    for (const exportName of Object.keys(namespace).sort()) {
      const fn = namespace[exportName];
      const kind = kindOf(fn);
      if (!kind) continue;
      let validators;
      try {
        validators = validatorsOf(fn);
      } catch (e) {
        const d = describeError(e);
        return fail(d.code, `${displayName(modulePath, exportName)}: ${d.message}`, d.detail);
      }
      functions.push({
        name: displayName(modulePath, exportName),
        module: modulePath,
        export: exportName,
        kind,
        visibility: fn.isPublic || kind === "httpAction" ? "public" : "internal",
        args: validators.args,
        returns: validators.returns,
      });
    }
    return JSON.stringify(functions);
  }

  // schema.js: the JSON of its default export, defineSchema(...).export()
  function schema(namespace) {
    const definition = namespace.default;
    if (!definition || typeof definition.export !== "function") {
      return fail(SQLSTATE.argumentValidation,
        "schema.js must `export default defineSchema({...})` (from \"convex/server\")");
    }
    try {
      return String(definition.export());
    } catch (e) {
      const d = describeError(e);
      return fail(d.code, `schema.js: ${d.message}`, d.detail);
    }
  }

  // The deployment's schema (schema.js export), for validating writes.
  let schemaTables = Object.create(null);
  let schemaValidation = true;
  function registerSchema(json) {
    const parsed = JSON.parse(json);
    schemaTables = Object.create(null);
    for (const t of parsed.tables ?? []) schemaTables[t.tableName] = t.documentType;
    schemaValidation = parsed.schemaValidation !== false;
    return "null";
  }

  // Convex's document limits (value.ts, document.rs), checked on every write to a managed table.
  const MAX_DOCUMENT_BYTES = 1 << 20;
  const MAX_NESTING = 16;
  const MAX_FIELDS = 1024;
  const MAX_ARRAY = 8192;
  function documentProblem(doc) {
    const walk = (v, depth, path) => {
      if (depth > MAX_NESTING) return `Document is too nested (maximum depth ${MAX_NESTING}) at ${path || "the top level"}`;
      if (Array.isArray(v)) {
        if (v.length > MAX_ARRAY) return `Array at ${path} has ${v.length} elements (maximum ${MAX_ARRAY})`;
        for (let i = 0; i < v.length; i++) {
          const p = walk(v[i], depth + 1, `${path}[${i}]`);
          if (p) return p;
        }
      } else if (v !== null && typeof v === "object" && !(v instanceof ArrayBuffer)) {
        const keys = Object.keys(v);
        if (keys.length > MAX_FIELDS) return `Object at ${path || "the top level"} has ${keys.length} fields (maximum ${MAX_FIELDS})`;
        for (const k of keys) {
          if (k.startsWith("$")) return `Field name ${k} starts with a '$', which is reserved.`;
          if (!/^[\x20-\x7e]*$/.test(k) || k.length > 1024) return `Field name ${JSON.stringify(k)} must be at most 1024 printable ASCII characters`;
          const p = walk(v[k], depth + 1, `${path}.${k}`);
          if (p) return p;
        }
      }
      return null;
    };
    return walk(doc, 1, "");
  }

  // Before a write: the whole new document (system fields included) against
  // the table's schema and the document limits.
  function validateDocument(table, docJson) {
    if (docJson.length > MAX_DOCUMENT_BYTES) {
      return fail("54000", `Document is too large (${docJson.length} bytes; maximum ${MAX_DOCUMENT_BYTES})`);
    }
    const doc = jsonToConvex(JSON.parse(docJson));
    for (const k of Object.keys(doc)) {
      if (k.startsWith("_") && k !== "_id" && k !== "_creationTime") {
        return fail(SQLSTATE.argumentValidation,
          `Field '${k}' starts with an underscore, which is only allowed for system fields like '_id'`);
      }
    }
    const limit = documentProblem(doc);
    if (limit) return fail("54000", limit);
    const documentType = schemaTables[table];
    if (documentType && schemaValidation) {
      const { _id, _creationTime, ...fields } = doc;
      const problem = validateValue(documentType, fields, "");
      if (problem) {
        return fail(SQLSTATE.argumentValidation,
          `Failed to insert or update a document in table "${table}" because it does not match the schema: ${problem}`);
      }
    }
    return "null";
  }

  // crons.js: its cronJobs() default export as [{name, function, args,
  // schedule}], the schedule an interval in ms or a 5-field UTC cron expression.
  const DAYS_OF_WEEK = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
  function crons(namespace) {
    const c = namespace.default;
    if (!c || c.isCrons !== true || typeof c.crons !== "object") {
      return fail(SQLSTATE.argumentValidation,
        "crons.js must `export default` a cronJobs() object (from \"convex/server\")");
    }
    const list = [];
    for (const [name, cron] of Object.entries(c.crons)) {
      const s = cron.schedule;
      const m = s.minuteUTC ?? 0;
      let schedule;
      if (s.type === "interval") {
        schedule = { type: "interval", ms: (s.seconds ?? 0) * 1000 + (s.minutes ?? 0) * 60000 + (s.hours ?? 0) * 3600000 };
      } else if (s.type === "hourly") schedule = { type: "cron", expr: `${m} * * * *` };
      else if (s.type === "daily") schedule = { type: "cron", expr: `${m} ${s.hourUTC} * * *` };
      else if (s.type === "weekly") schedule = { type: "cron", expr: `${m} ${s.hourUTC} * * ${DAYS_OF_WEEK.indexOf(s.dayOfWeek)}` };
      else if (s.type === "monthly") schedule = { type: "cron", expr: `${m} ${s.hourUTC} ${s.day} * *` };
      else if (s.type === "cron") schedule = { type: "cron", expr: String(s.cron) };
      else return fail(SQLSTATE.argumentValidation, `crons.js: cron "${name}" has an unknown schedule ${JSON.stringify(s)}`);
      list.push({ name, function: cron.name, args: cron.args[0] ?? {}, schedule });
    }
    return JSON.stringify(list);
  }

  // ctx.scheduler: a job's arguments against its target's `args` validator
  // (the deployment's validator JSON), checked when it is scheduled.
  function validateScheduledArgs(name, validatorJson, argsJson) {
    let args;
    try {
      args = jsonToConvex(JSON.parse(argsJson));
    } catch (e) {
      return fail(SQLSTATE.argumentValidation, `ArgumentValidationError: arguments of '${name}' are not valid Convex JSON: ${e.message}`);
    }
    const problem = validateArgs(JSON.parse(validatorJson), args);
    return problem ? fail(SQLSTATE.argumentValidation, problem, `Function: ${name}`) : "null";
  }

  // Module top-level code runs in its own deterministic phase (Convex: fixed per deploy).
  function beginImport(seed, now) {
    determinism.begin({ seed, now, deterministic: true });
    console.reset();
    return "null";
  }
  function endImport() {
    determinism.end();
    return "null";
  }

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

  return { invoke, analyze, schema, registerSchema, validateDocument, validateScheduledArgs, crons, beginImport, endImport, describeError, registerSourceMap, warmUp };
}
