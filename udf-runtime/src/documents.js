// Documents before a write, as Convex's backend checks them: field names,
// the document limits (size, nesting, fields, array length) and the
// deployment's schema. Every check runs here, in the writing function's own
// runtime and before the write's syscall is made, so the host never calls
// back into V8 from inside a syscall and the rules live in one place.
//
// The host says what a write addresses through one typed op (writeTarget:
// the table, whether udf manages it, and for a patch the stored document,
// locked FOR UPDATE, as values); a patch is merged here and the whole new
// document checked. Only managed tables (made from schema.js) get the
// underscore rule, the limits and the schema; any other table only refuses
// '$' field names, and PostgreSQL's own constraints do the rest.
import { jsonToConvex } from "convex/values";
import { validateValue } from "./validate.js";
import { SQLSTATE, sqlError } from "./errors.js";

// Convex's document limits (value.ts, document.rs).
const MAX_DOCUMENT_BYTES = 1 << 20;
const MAX_NESTING = 16;
const MAX_FIELDS = 1024;
const MAX_ARRAY = 8192;

// The write syscalls checked here, and the ctx.db method each one is.
const WRITES = { "1.0/insert": "insert", "1.0/shallowMerge": "patch", "1.0/replace": "replace" };

// A top-level field of a written document: null, or what is wrong with its name.
export function fieldNameProblem(name, managed) {
  if (name.startsWith("$")) return `Field name ${name} starts with a '$', which is reserved.`;
  if (managed && name.startsWith("_") && name !== "_id" && name !== "_creationTime") {
    return `Field '${name}' starts with an underscore, which is only allowed for system fields like '_id'`;
  }
  return null;
}

// Nesting, fields, arrays and nested field names of a Convex value: null or the problem.
export function documentProblem(doc) {
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

// UTF-8 length of a string, counted only when it could pass the limit.
function utf8Bytes(s, limit) {
  if (s.length > limit) return s.length;
  if (s.length * 3 <= limit) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

// Is a patch field {"$undefined": null}, the package's "remove this field"?
const isRemoval = (v) =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "$undefined" in v;

// The documents part of the runtime; ops is the host's typed ops (ops.js),
// ids the resolver of v.id (ids.js).
export function makeDocuments(ops, ids) {
  let schemaTables = Object.create(null);
  let schemaValidation = true;
  // insert targets by table name, for the running call only (cleared by endCall)
  const insertTargets = new Map();

  // The deployment's schema (schema.js export, as JSON text), for writes to come.
  function registerSchema(json) {
    const parsed = JSON.parse(json);
    schemaTables = Object.create(null);
    for (const t of parsed.tables ?? []) schemaTables[t.tableName] = t.documentType;
    schemaValidation = parsed.schemaValidation !== false;
    return "null";
  }

  // The whole new document of a managed table (Convex JSON, system fields
  // included) against the limits and the table's schema; throws the refusal.
  function checkManaged(table, json) {
    const bytes = utf8Bytes(JSON.stringify(json), MAX_DOCUMENT_BYTES);
    if (bytes > MAX_DOCUMENT_BYTES) {
      throw sqlError(SQLSTATE.programLimitExceeded, `Document is too large (${bytes} bytes; maximum ${MAX_DOCUMENT_BYTES})`);
    }
    const doc = jsonToConvex(json);
    for (const k of Object.keys(doc)) {
      const problem = fieldNameProblem(k, true);
      if (problem) throw sqlError(SQLSTATE.argumentValidation, problem);
    }
    const limit = documentProblem(doc);
    if (limit) throw sqlError(SQLSTATE.programLimitExceeded, limit);
    const documentType = schemaTables[table];
    if (documentType && schemaValidation) {
      const { _id, _creationTime, ...fields } = doc;
      const problem = validateValue(documentType, fields, "", ids);
      if (problem) {
        throw sqlError(SQLSTATE.argumentValidation,
          `Failed to insert or update a document in table "${table}" because it does not match the schema: ${problem}`);
      }
    }
  }

  // The table an insert writes to, asked of the host once per name and call.
  function insertTarget(table) {
    let target = insertTargets.get(table);
    if (!target) {
      target = ops.writeTarget("insert", table, null, false);
      insertTargets.set(table, target);
    }
    return target;
  }

  // Before a write syscall: check what it writes, or throw as the write would.
  // Arguments the host itself refuses (not JSON, a value that is no object,
  // an id that is no string) are left for the write to refuse.
  function beforeWrite(op, argsJson) {
    const method = WRITES[op];
    if (method === undefined) return;
    let args;
    try {
      args = JSON.parse(argsJson);
    } catch {
      return;
    }
    checkWrite(method, args);
  }

  // The same check of a write's arguments, already parsed ({table, id, value}
  // as the package's syscall writes them; method insert, patch or replace).
  function checkWrite(method, args) {
    const value = args === null || typeof args !== "object" ? undefined : args.value;
    if (value === null || typeof value !== "object" || Array.isArray(value)) return;
    const table = typeof args.table === "string" ? args.table : null;
    let target;
    if (method === "insert") {
      if (table === null) return;
      target = insertTarget(table);
    } else {
      if (typeof args.id !== "string") return;
      target = ops.writeTarget(method, table, args.id, method === "patch");
    }
    if (!target.managed) {
      for (const k of Object.keys(value)) {
        const problem = fieldNameProblem(k, false);
        if (problem) throw sqlError(SQLSTATE.argumentValidation, problem);
      }
      return;
    }
    if (method !== "patch") return checkManaged(target.table, value);
    const merged = Object.assign({}, target.document);
    for (const k of Object.keys(value)) {
      if (isRemoval(value[k])) delete merged[k];
      else merged[k] = value[k];
    }
    checkManaged(target.table, merged);
  }

  // The running call ended: what it learnt about tables is forgotten.
  function endCall() {
    if (insertTargets.size !== 0) insertTargets.clear();
  }

  return { registerSchema, beforeWrite, checkWrite, endCall };
}
