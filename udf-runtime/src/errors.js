// What a failure looks like to the host: the SQLSTATEs udf answers with, the
// failure object every runtime entry point answers ({code, message, detail,
// hint}), and how a thrown JS value becomes one (a ConvexError keeps its
// data, an uncaught SQL error keeps its SQLSTATE, stacks map through source
// maps to the deployed sources).
import { formatUncaught, cleanStack } from "./stack.js";

// SQLSTATEs; README's error table lists the same.
export const SQLSTATE = {
  javascriptError: "UDF00",
  convexError: "UDF01",
  returnValidation: "UDF02",
  argumentValidation: "22023",
  programLimitExceeded: "54000",
  undefinedFunction: "42883",
  wrongKind: "42809",
};

// A failed answer; a successful one is the result's JSON text itself.
export const fail = (code, message, detail, hint) => ({ code, message, detail, hint });

// An Error carrying a SQLSTATE, thrown to user code as a failed syscall would be.
export function sqlError(code, message) {
  const e = new Error(message);
  Object.defineProperty(e, "code", { value: code, writable: true, configurable: true, enumerable: false });
  return e;
}

// describeError(e) for this deployment's source maps.
export function makeDescribeError(sourceMaps) {
  return function describeError(e) {
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
  };
}

// console.error(e) and friends: the error's head and its mapped frames.
export function makeErrorFormatter(sourceMaps) {
  return (e) => {
    const head = `${e.name || "Error"}${e.message ? ": " + e.message : ""}`;
    const frames = typeof e.stack === "string" ? cleanStack(e.stack, { sourceMaps }) : "";
    return frames ? `${head}\n${frames}` : head;
  };
}
