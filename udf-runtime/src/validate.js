// Validation of Convex values against exported validator JSON.
//
// This runs inside a bare V8 isolate: plain ES2020 only, no Node APIs, and the
// only import allowed is "convex/values".
//
// The validator JSON is what a registered function's `exportArgs()` /
// `exportReturns()` produce (see convex/dist/esm/values/validators.js):
//
//   {type: "any"} | {type: "null"} | {type: "number"} (float64) |
//   {type: "bigint"} (int64) | {type: "commitTs"} (int64) |
//   {type: "boolean"} | {type: "string"} | {type: "bytes"} |
//   {type: "id", tableName} |
//   {type: "literal", value: <Convex JSON of a string/number/boolean/bigint>} |
//   {type: "array", value: <validator>} |
//   {type: "object", value: {[field]: {fieldType: <validator>, optional: bool}}} |
//   {type: "record", keys: <validator>, values: {fieldType: <validator>, optional: false}} |
//   {type: "union", value: [<validator>, ...]}
//
// The checks and messages follow the Convex backend
// (crates/common/src/schemas/validator.rs `check_value_internal` and
// `ValidationError`), including the order in which problems are found:
// object validator fields in sorted order, then extra fields in sorted order.

import { jsonToConvex, CommitTsPlaceholder } from "convex/values";

const MIN_INT64 = -(BigInt(2) ** BigInt(63));
const MAX_INT64 = BigInt(2) ** BigInt(63) - BigInt(1);

const MAX_VALUE_CHARS = 200;
const MAX_VALIDATOR_CHARS = 500;

// ---------------------------------------------------------------------------
// Public API

/**
 * Check `value` (an already-decoded Convex JS value) against `validatorJson`.
 *
 * `path` is the path of `value` within the outermost value, in Convex's style
 * (`""` for the root, `.a.b[2]` below it).
 *
 * Returns `null` when the value conforms, otherwise the error message.
 * Throws if `validatorJson` itself is malformed (that is a bug in the
 * deployed code, not a bad value).
 */
export function validateValue(validatorJson, value, path, ids) {
  const outer = enterIds(ids);
  try {
    return check(validatorJson, value, typeof path === "string" ? path : "");
  } finally {
    idTables = outer;
  }
}

/**
 * Validate the args object of a function call.
 *
 * `validatorJson` is the parsed `exportArgs()` JSON; `null`/`undefined` and
 * `{type: "any"}` mean "no validation". Returns `null` or
 * `"ArgumentValidationError: <detail>"`.
 */
export function validateArgs(validatorJson, argsObject, ids) {
  const outer = enterIds(ids);
  try {
    return checkArgs(validatorJson, argsObject);
  } finally {
    idTables = outer;
  }
}

function checkArgs(validatorJson, argsObject) {
  if (validatorJson === null || validatorJson === undefined) {
    return null;
  }
  if (validatorJson.type === "any") {
    return null;
  }
  if (validatorJson.type === "object" && !isSimpleObject(argsObject)) {
    return (
      "ArgumentValidationError: Expected to receive an object as the " +
      `function's argument. Instead received: ${formatValue(argsObject)}`
    );
  }
  const error = check(validatorJson, argsObject, "");
  return error === null ? null : `ArgumentValidationError: ${error}`;
}

/**
 * Validate a function's return value.
 *
 * `validatorJson` is the parsed `exportReturns()` JSON; `null` means the
 * function has no returns validator, so anything passes. A handler that
 * returns `undefined` returns `null` to its caller (registration_impl.ts), so
 * `undefined` is validated as `null`. Returns `null` or
 * `"Function <functionName> return value invalid: <detail>"`.
 */
export function validateReturns(validatorJson, value, functionName, ids) {
  if (validatorJson === null || validatorJson === undefined) {
    return null;
  }
  const outer = enterIds(ids);
  let error;
  try {
    error = check(validatorJson, value === undefined ? null : value, "");
  } finally {
    idTables = outer;
  }
  return error === null
    ? null
    : `Function ${functionName} return value invalid: ${error}`;
}

// ---------------------------------------------------------------------------
// Ids

// What v.id asks of the database: ids.tableOf(id, table) -> null when the
// string may stand for a document of `table`, else {table, system}, table
// null when the string is no id of any table (ids.js). Without it (no
// database, as at deploy time) any string passes.
let idTables = null;

// Make `ids` the id resolver; returns the one before, for the caller to restore
// (in a finally: no closure per check).
function enterIds(ids) {
  const outer = idTables;
  idTables = ids ?? null;
  return outer;
}

// v.id(table): a string that is an id of that table.
function checkId(validator, value, path) {
  if (typeof value !== "string") return noMatch(validator, value, path);
  if (idTables === null) return null;
  const other = idTables.tableOf(value, String(validator.tableName));
  if (other === null) return null;
  if (other.table === null) return noMatch(validator, value, path);
  const v = formatValidator(validator);
  if (other.system) {
    return `Found ID ${JSON.stringify(value)} from a system table, which does not match the table name in validator \`${v}\`.` + pathLine(path);
  }
  return `Found ID ${JSON.stringify(value)} from table \`${other.table}\`, which does not match the table name in validator \`${v}\`.` + pathLine(path);
}

// ---------------------------------------------------------------------------
// Checking

function check(validator, value, path) {
  if (validator === null || typeof validator !== "object") {
    throw new Error(`Invalid validator JSON: ${safeJson(validator)}`);
  }
  switch (validator.type) {
    case "any":
      return null;
    case "null":
      return value === null ? null : noMatch(validator, value, path);
    case "number":
      return typeof value === "number" ? null : noMatch(validator, value, path);
    case "bigint":
    case "commitTs":
      // Both are Convex Int64. The commit-timestamp placeholder
      // (`db.vars.commitTs`) resolves to an int64 when the mutation commits.
      if (isCommitTsPlaceholder(value)) {
        return null;
      }
      return typeof value === "bigint" && value >= MIN_INT64 && value <= MAX_INT64
        ? null
        : noMatch(validator, value, path);
    case "boolean":
      return typeof value === "boolean" ? null : noMatch(validator, value, path);
    case "string":
      return typeof value === "string" ? null : noMatch(validator, value, path);
    case "bytes":
      return isArrayBuffer(value) ? null : noMatch(validator, value, path);
    case "id":
      return checkId(validator, value, path);
    case "literal":
      return checkLiteral(validator, value, path);
    case "array":
      return checkArray(validator, value, path);
    case "object":
      return checkObject(validator, value, path);
    case "record":
      return checkRecord(validator, value, path);
    case "union":
      return checkUnion(validator, value, path);
    default:
      throw new Error(
        `Invalid validator JSON: unknown validator type ${safeJson(validator.type)}`,
      );
  }
}

function checkLiteral(validator, value, path) {
  const literal = decodeLiteral(validator);
  if (convexLiteralEquals(literal, value)) {
    return null;
  }
  return (
    `\`${formatValue(value)}\` does not match literal validator ` +
    `\`${formatValidator(validator)}\`.` +
    pathLine(path)
  );
}

function checkArray(validator, value, path) {
  if (!Array.isArray(value)) {
    return noMatch(validator, value, path);
  }
  for (let i = 0; i < value.length; i++) {
    if (matchesScalar(validator.value, value[i])) continue;
    const error = check(validator.value, value[i], `${path}[${i}]`);
    if (error !== null) {
      return error;
    }
  }
  return null;
}

function checkObject(validator, value, path) {
  if (!isSimpleObject(value)) {
    return noMatch(validator, value, path);
  }
  const fields = validator.value || {};
  const names = fieldNamesOf(fields);
  for (let i = 0; i < names.length; i++) {
    const fieldName = names[i];
    const field = fields[fieldName];
    // A field set to `undefined` is the same as a missing field: Convex drops
    // such fields when it serializes an object.
    const fieldValue = hasOwn(value, fieldName) ? value[fieldName] : undefined;
    if (fieldValue !== undefined) {
      // a scalar that matches needs no path: make the field's only on the way down
      if (matchesScalar(field.fieldType, fieldValue)) continue;
      const error = check(field.fieldType, fieldValue, `${path}.${fieldName}`);
      if (error !== null) {
        return error;
      }
    } else if (!field.optional) {
      return (
        `Object is missing the required field \`${fieldName}\`. Consider ` +
        "wrapping the field validator in `v.optional(...)` if this is expected.\n" +
        `${pathText(path)}\n` +
        `Object: ${formatValue(value)}\n` +
        `Validator: ${formatValidator(validator)}`
      );
    }
  }
  // an extra field is rare: look for one unsorted, and sort only to name the first
  let extra = false;
  for (const key in value) {
    if (hasOwn(value, key) && value[key] !== undefined && !hasOwn(fields, key)) {
      extra = true;
      break;
    }
  }
  if (!extra) return null;
  for (const key of sortedKeys(value)) {
    if (value[key] === undefined) {
      continue;
    }
    if (!hasOwn(fields, key)) {
      return (
        `Object contains extra field \`${key}\` that is not in the validator.\n` +
        `${pathText(path)}\n` +
        `Object: ${formatValue(value)}\n` +
        `Validator: ${formatValidator(validator)}`
      );
    }
  }
  return null;
}

// Does value match a number, string, boolean or any validator? false: check it in full.
function matchesScalar(validator, value) {
  if (validator === null || typeof validator !== "object") return false;
  switch (validator.type) {
    case "any":
      return true;
    case "number":
      return typeof value === "number";
    case "string":
      return typeof value === "string";
    case "boolean":
      return typeof value === "boolean";
    default:
      return false;
  }
}

function checkRecord(validator, value, path) {
  if (!isSimpleObject(value)) {
    return noMatch(validator, value, path);
  }
  const valueValidator = validator.values && validator.values.fieldType;
  // Convex reports a bad key at `<path>.keys()` and a bad value at
  // `<path>.values()` (validator.rs), not at the key itself.
  for (const key of sortedKeys(value)) {
    const fieldValue = value[key];
    if (fieldValue === undefined) {
      continue;
    }
    const keyError = check(validator.keys, key, `${path}.keys()`);
    if (keyError !== null) {
      return keyError;
    }
    const valueError = check(valueValidator, fieldValue, `${path}.values()`);
    if (valueError !== null) {
      return valueError;
    }
  }
  return null;
}

function checkUnion(validator, value, path) {
  const members = validator.value || [];
  if (members.length === 1) {
    // Like the backend: a one-member union reports its member's error.
    return check(members[0], value, path);
  }
  for (const member of members) {
    if (check(member, value, path) === null) {
      return null;
    }
  }
  return noMatch(validator, value, path);
}

function noMatch(validator, value, path) {
  return (
    "Value does not match validator.\n" +
    `${pathText(path)}\n` +
    `Value: ${formatValue(value)}\n` +
    `Validator: ${formatValidator(validator)}`
  );
}

// Convex prints "Path: <path>" only below the root; at the root the line is
// empty (ValidationContext's Display writes nothing).
function pathText(path) {
  return path ? `Path: ${path}` : "";
}

function pathLine(path) {
  return path ? `\nPath: ${path}` : "";
}

// ---------------------------------------------------------------------------
// Literals

function decodeLiteral(validator) {
  const decoded = jsonToConvex(validator.value);
  const t = typeof decoded;
  if (t !== "string" && t !== "number" && t !== "boolean" && t !== "bigint") {
    throw new Error(
      `Invalid validator JSON: literal must be a string, number, boolean or bigint, got ${safeJson(validator.value)}`,
    );
  }
  return decoded;
}

// Convex value equality for literal types: the type must match (so `1n` is not
// `1`), and float64 compares by IEEE total order (NaN equals NaN, 0 is not -0).
function convexLiteralEquals(literal, value) {
  if (typeof literal !== typeof value) {
    return false;
  }
  if (typeof literal === "number") {
    return Object.is(literal, value);
  }
  return literal === value;
}

// ---------------------------------------------------------------------------
// Value kinds

function hasOwn(obj, key) {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

function sortedKeys(obj) {
  // Field names are ASCII, so UTF-16 order equals the backend's byte order.
  return Object.keys(obj).sort();
}

// A validator's field names, sorted once: validator JSON is never changed once made.
const fieldNames = new WeakMap();
function fieldNamesOf(fields) {
  let names = fieldNames.get(fields);
  if (names === undefined) {
    names = sortedKeys(fields);
    fieldNames.set(fields, names);
  }
  return names;
}

// Same rule as convex/common `isSimpleObject`: a plain object, possibly from
// another realm.
function isSimpleObject(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  // the common case first: an object literal, which only a toStringTag could
  // make look like an ArrayBuffer
  if (proto === Object.prototype && value[Symbol.toStringTag] === undefined) {
    return true;
  }
  if (isArrayBuffer(value) || isCommitTsPlaceholder(value)) {
    return false;
  }
  return (
    proto === null ||
    proto === Object.prototype ||
    (proto !== undefined &&
      proto.constructor !== undefined &&
      proto.constructor !== null &&
      proto.constructor.name === "Object")
  );
}

function isArrayBuffer(value) {
  return (
    value instanceof ArrayBuffer ||
    (value !== null &&
      typeof value === "object" &&
      Object.prototype.toString.call(value) === "[object ArrayBuffer]")
  );
}

function isCommitTsPlaceholder(value) {
  return (
    typeof CommitTsPlaceholder === "function" && value instanceof CommitTsPlaceholder
  );
}

// ---------------------------------------------------------------------------
// Formatting

/**
 * A short, JSON-like rendering of a (possibly invalid) Convex value for error
 * messages: `123n` for int64, `NaN`/`Infinity`/`-0` for special floats,
 * `ArrayBuffer(3 bytes)` for bytes, `undefined`, objects as `{a: 1}` with
 * sorted keys. Output longer than ~200 characters is cut and ends in `...`.
 */
export function formatValue(value, maxChars = MAX_VALUE_CHARS) {
  const out = { text: "", limit: maxChars };
  renderValue(value, out);
  return truncate(out.text, maxChars);
}

// Appends to out.text; returns false once the text is past its limit so that
// huge (or cyclic) values stop rendering early.
function emit(out, s) {
  out.text += s;
  return out.text.length <= out.limit;
}

function renderValue(value, out) {
  if (value === undefined) return emit(out, "undefined");
  if (value === null) return emit(out, "null");
  switch (typeof value) {
    case "bigint":
      return emit(out, `${value}n`);
    case "number":
      return emit(out, Object.is(value, -0) ? "-0" : String(value));
    case "boolean":
      return emit(out, String(value));
    case "string":
      // Only the start of a huge string can be shown anyway.
      return emit(out, JSON.stringify(value.slice(0, out.limit + 1)));
    case "symbol":
      return emit(out, String(value));
    case "function":
      return emit(out, `[Function${value.name ? ` ${value.name}` : ""}]`);
    default:
      break;
  }
  if (isArrayBuffer(value)) {
    return emit(out, `ArrayBuffer(${value.byteLength} bytes)`);
  }
  if (isCommitTsPlaceholder(value)) {
    return emit(out, "[unresolved commit timestamp]");
  }
  if (Array.isArray(value)) {
    if (!emit(out, "[")) return false;
    for (let i = 0; i < value.length; i++) {
      if (i > 0 && !emit(out, ", ")) return false;
      if (!renderValue(value[i], out)) return false;
    }
    return emit(out, "]");
  }
  if (isSimpleObject(value)) {
    if (!emit(out, "{")) return false;
    let first = true;
    for (const key of sortedKeys(value)) {
      const v = value[key];
      if (v === undefined) continue;
      if (!first && !emit(out, ", ")) return false;
      first = false;
      if (!emit(out, `${renderKey(key)}: `)) return false;
      if (!renderValue(v, out)) return false;
    }
    return emit(out, "}");
  }
  let name = "Object";
  try {
    const ctor = value.constructor;
    if (ctor && typeof ctor.name === "string" && ctor.name) name = ctor.name;
  } catch (e) {
    // Exotic objects (proxies) may throw; keep the generic name.
  }
  return emit(out, `[object ${name}]`);
}

function renderKey(key) {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
}

function truncate(text, maxChars) {
  if (text.length <= maxChars) {
    return text;
  }
  let end = maxChars;
  // Don't split a surrogate pair.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) {
    end -= 1;
  }
  return `${text.slice(0, end)}...`;
}

/**
 * Renders validator JSON the way the backend prints validators:
 * `v.object({a: v.float64(), b: v.optional(v.string())})`, `v.int64()`,
 * `v.id("users")`, `v.union(v.float64(), v.string())`, ...
 */
export function formatValidator(validator, maxChars = MAX_VALIDATOR_CHARS) {
  return truncate(renderValidator(validator), maxChars);
}

function renderValidator(validator) {
  if (validator === null || typeof validator !== "object") {
    return `<invalid validator ${safeJson(validator)}>`;
  }
  switch (validator.type) {
    case "any":
      return "v.any()";
    case "null":
      return "v.null()";
    case "number":
      return "v.float64()";
    case "bigint":
      return "v.int64()";
    case "commitTs":
      return "v.commitTs()";
    case "boolean":
      return "v.boolean()";
    case "string":
      return "v.string()";
    case "bytes":
      return "v.bytes()";
    case "id":
      return `v.id(${JSON.stringify(String(validator.tableName))})`;
    case "literal": {
      let literal;
      try {
        literal = formatValue(jsonToConvex(validator.value));
      } catch (e) {
        literal = safeJson(validator.value);
      }
      return `v.literal(${literal})`;
    }
    case "array":
      return `v.array(${renderValidator(validator.value)})`;
    case "object": {
      const fields = validator.value || {};
      const parts = sortedKeys(fields).map((name) => {
        const field = fields[name] || {};
        const inner = renderValidator(field.fieldType);
        return `${renderKey(name)}: ${field.optional ? `v.optional(${inner})` : inner}`;
      });
      return `v.object({${parts.join(", ")}})`;
    }
    case "record":
      return `v.record(${renderValidator(validator.keys)}, ${renderValidator(
        validator.values && validator.values.fieldType,
      )})`;
    case "union":
      return `v.union(${(validator.value || []).map(renderValidator).join(", ")})`;
    default:
      return `<unknown validator ${safeJson(validator)}>`;
  }
}

function safeJson(x) {
  try {
    const s = JSON.stringify(x);
    return s === undefined ? String(x) : truncate(s, MAX_VALUE_CHARS);
  } catch (e) {
    return String(x);
  }
}
