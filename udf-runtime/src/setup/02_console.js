// console.* as Convex has it: levels log/info/warn/error/debug, messages
// formatted like Node's, at most 256 lines per call and 32 KiB per line.
// Lines go to the host, which reports them through PostgreSQL.
import { formatLogArgs, LogBuffer } from "../format.js";

export function setupConsole(global, native) {
  const buffer = new LogBuffer({ maxLines: 256, maxLineLength: 32768 });
  // set by runtime.js so logged errors show cleaned, source-mapped stacks
  let formatError;
  const timers = new Map();
  const counts = new Map();
  const emit = (level, args) => {
    const line = buffer.add(level, formatLogArgs(args, { formatError }));
    if (line !== null) native.console(level, line);
  };
  const console = {
    log: (...a) => emit("log", a),
    info: (...a) => emit("info", a),
    warn: (...a) => emit("warn", a),
    error: (...a) => emit("error", a),
    debug: (...a) => emit("debug", a),
    trace: (...a) => emit("log", [...a, "\n" + (new Error().stack || "").split("\n").slice(2).join("\n")]),
    assert: (cond, ...a) => { if (!cond) emit("error", ["Assertion failed", ...a]); },
    count: (label = "default") => {
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      emit("log", [`${label}: ${n}`]);
    },
    countReset: (label = "default") => { counts.delete(label); },
    time: (label = "default") => {
      if (timers.has(label)) emit("warn", [`Timer '${label}' already exists`]);
      else timers.set(label, Date.now());
    },
    timeLog: (label = "default", ...a) => {
      if (!timers.has(label)) emit("warn", [`Timer '${label}' does not exist`]);
      else emit("log", [`${label}: ${Date.now() - timers.get(label)}ms`, ...a]);
    },
    timeEnd: (label = "default") => {
      if (!timers.has(label)) emit("warn", [`Timer '${label}' does not exist`]);
      else { emit("log", [`${label}: ${Date.now() - timers.get(label)}ms`]); timers.delete(label); }
    },
  };
  Object.defineProperty(global, "console", { value: console, writable: true, configurable: true, enumerable: false });
  return {
    setErrorFormatter(fn) {
      formatError = fn;
    },
    reset() {
      buffer.reset();
      // Map#clear allocates a new table even when empty: skip it then
      if (timers.size) timers.clear();
      if (counts.size) counts.clear();
    },
  };
}
