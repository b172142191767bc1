// logs.mjs -- follow a deployment's console lines and failed calls in the
// server log. The extension writes console lines there as
//   udf console [warn] tasks:add (request 4242-17): the line
// (udf.log_console says from which level; the embedded cluster logs all), and
// PostgreSQL logs every failed statement as ERROR + DETAIL + STATEMENT. The
// log is read straight from the file for the embedded cluster, else through
// pg_current_logfile() and pg_read_binary_file() (logging_collector on, and a
// role allowed to read server files). Only bytes written after the follower
// starts are shown.
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { CliError, fromPgError } from "./errors.mjs";

const HEADER = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.\d+)? \S+ \[(\d+)\] ([A-Z0-9]+):  (.*)$/;
const CONSOLE = /^udf console \[(\w+)\] (.*?) \(request ([\d-]+)\): (.*)$/s;
const ATTACHED = new Set(["DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"]);

// A parser fed chunks of log text; emit(event) gets {time, kind: "console"|"error", ...}.
export function logParser(emit) {
  let rest = "";
  let entry = null; // { time, pid, severity, text, attached: {DETAIL: ...}, lastKey }
  const flush = () => {
    if (!entry) return;
    const e = entry;
    entry = null;
    const m = e.severity === "LOG" && CONSOLE.exec(e.text);
    if (m) return emit({ time: e.time, kind: "console", level: m[1], fn: m[2], request: m[3], text: m[4] });
    if (e.severity !== "ERROR") return;
    const stmt = e.attached.STATEMENT || "";
    if (/\budf_(invoke|deploy|http)\b/.test(stmt) || /^(Uncaught |ArgumentValidationError|Function )/.test(e.text))
      emit({ time: e.time, kind: "error", text: e.text, detail: e.attached.DETAIL, statement: stmt });
  };
  return {
    // Feed more log text; complete entries are emitted once the next one starts.
    push(text) {
      const lines = (rest + text).split("\n");
      rest = lines.pop();
      for (const line of lines) {
        const h = HEADER.exec(line);
        if (!h) {
          // a continuation line (tab-indented) of the last header's text
          const more = `\n${line.replace(/^\t/, "")}`;
          if (entry && entry.lastKey) entry.attached[entry.lastKey] += more;
          else if (entry) entry.text += more;
          continue;
        }
        const [, , time, pid, severity, body] = h;
        if (entry && ATTACHED.has(severity) && pid === entry.pid) {
          entry.attached[severity] = body;
          entry.lastKey = severity;
          continue;
        }
        flush();
        entry = { time, pid, severity, text: body, attached: {}, lastKey: null };
      }
    },
    // Emit the entry still open (when the log has been quiet a while).
    flush,
  };
}

// One line for an event, as `udf logs` and `udf dev` print it.
export function formatEvent(e) {
  if (e.kind === "console") return `${e.time} [${e.level}] ${e.fn}: ${e.text}`;
  const detail = e.detail ? `\n${e.detail.split("\n").map((l) => `    ${l.trim()}`).join("\n")}` : "";
  return `${e.time} failed: ${e.text}${detail}`;
}

// Follow the log of a connection's server; returns { stop }. onEvent gets parsed events.
export async function followLog(client, onEvent, { interval = 200 } = {}) {
  const parser = logParser(onEvent);
  const t = client.udfTarget;
  let read;
  if (t.embedded) {
    const file = t.cluster.log;
    let offset = statSync(file).size;
    read = async () => {
      const size = statSync(file).size;
      if (size < offset) offset = 0; // truncated or replaced
      if (size === offset) return "";
      const fd = openSync(file, "r");
      try {
        const buf = Buffer.alloc(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        offset = size;
        return buf.toString("utf8");
      } finally {
        closeSync(fd);
      }
    };
  } else {
    let file, offset;
    const current = async () => (await client.query("SELECT pg_current_logfile() AS f")).rows[0].f;
    const size = async (f) => Number((await client.query("SELECT (pg_stat_file($1, true)).size AS s", [f])).rows[0].s ?? 0);
    try {
      file = await current();
      if (!file) throw new CliError("this server writes no log file udf can read", "udf logs needs logging_collector = on (or the embedded cluster). Console lines are in the log only from udf.log_console's level up (default warn).");
      offset = await size(file);
    } catch (e) {
      throw e.code ? new CliError(`cannot read the server log: ${e.message}`, "udf logs needs a role that may read server files (superuser or pg_read_server_files), or the embedded cluster.") : e;
    }
    read = async () => {
      const f = await current();
      if (f !== file) { file = f; offset = 0; }
      const r = await client.query("SELECT pg_read_binary_file($1, $2, 1048576, true) AS b", [file, offset]);
      const buf = r.rows[0].b || Buffer.alloc(0);
      offset += buf.length;
      return buf.toString("utf8");
    };
  }
  let quiet = 0, timer, stopped = false;
  const tick = async () => {
    try {
      const text = await read();
      if (text) { parser.push(text); quiet = 0; } else if (++quiet === 2) parser.flush();
    } catch (e) {
      onEvent({ kind: "problem", text: fromPgError(e, "reading the server log").message });
    }
    if (!stopped) timer = setTimeout(tick, interval);
  };
  timer = setTimeout(tick, interval);
  return { stop() { stopped = true; clearTimeout(timer); } };
}
