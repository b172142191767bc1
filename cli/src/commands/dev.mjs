// commands/dev.mjs -- `udf dev [dir]`: push once, then watch convex/ and push
// again on every change, printing one status line per push:
//   12:03:04 pushed: 2 functions changed (tasks:add, tasks:list), 7 modules, 180 ms
//   12:03:05 type-check: no errors
//   12:03:09 error: convex/tasks.ts:14:7: Unexpected "}"
//   12:03:12 type errors: convex/tasks.ts:14:7: error TS2322: ...
// A push deploys as soon as the bundle builds; the type-check runs after it
// on a worker thread and adds a line when it finds errors (`udf deploy`
// instead refuses to deploy with type errors), so a save reaches the database
// in well under a second even while a slow check is still running. A failed
// push leaves the last good deployment live. Changes that arrive
// during a push are folded into one more push after it. The deployment's
// console lines and failed calls are printed as they reach the server log
// (logs.mjs). Ctrl-C stops.
import { watch } from "node:fs";
import { parseArgs, onOff } from "../args.mjs";
import { connect } from "../db.mjs";
import { CliError } from "../errors.mjs";
import { findProject } from "../project.mjs";
import { pusher } from "../push.mjs";
import { backgroundChecker } from "../typecheck-worker.mjs";
import { followLog, formatEvent } from "../logs.mjs";

export const usage = `udf dev [dir] [--db URL] [--typecheck=enable|disable] [--once]
  Push dir/convex, then watch it and push again on every change.`;

// HH:MM:SS of now, local time.
function clock() {
  return new Date().toTimeString().slice(0, 8);
}

// The status line of a good push.
function okLine(r, ms) {
  const n = r.changed.length;
  const names = n ? ` (${r.changed.slice(0, 6).join(", ")}${n > 6 ? ", ..." : ""})` : "";
  return `${clock()} pushed: ${n} function${n === 1 ? "" : "s"} changed${names}, ${r.modules.length} modules, ${ms} ms`;
}

// Run the command.
export async function run(argv) {
  const a = parseArgs(argv, { values: ["db", "typecheck"], flags: ["once"] }, "dev");
  const project = findProject(a._[0]);
  const typecheck = onOff(a.typecheck, "typecheck", true);
  const push = pusher(project, { typecheck: false });
  const checker = typecheck && push.checker.config ? backgroundChecker(project) : null;
  let pushes = 0, typesOk;
  // Type-check after push n; report only if no newer push has happened since,
  // and a clean check only when it is news (the first one, or errors fixed).
  const typeCheckAfter = (n) => checker?.check().then((tc) => {
    if (n !== pushes) return;
    if (!tc.errors.length) {
      if (typesOk !== true) process.stdout.write(`${clock()} type-check: no errors\n`);
      typesOk = true;
      return;
    }
    typesOk = false;
    failed = true;
    const more = tc.errors.length > 1 ? ` (and ${tc.errors.length - 1} more)` : "";
    process.stdout.write(`${clock()} type errors: ${tc.errors[0]}${more}\n${tc.errors.slice(1, 20).map((l) => `  ${l}\n`).join("")}`);
  });
  const client = await connect({ db: a.db, log: (t) => process.stderr.write(`${t}\n`) });
  process.stdout.write(`${clock()} udf dev: watching ${project.functionsDir} (${client.udfTarget.describe})\n`);
  let previous, busy = false, again = false, failed = false, follower = null;
  if (!a.once) {
    try {
      follower = await followLog(client, (e) => process.stdout.write(`${e.kind === "problem" ? `${clock()} logs: ${e.text}` : formatEvent(e)}\n`));
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      process.stdout.write(`${clock()} console lines not shown: ${e.message}\n`);
    }
  }
  const once = async () => {
    if (busy) return void (again = true);
    busy = true;
    const start = Date.now();
    try {
      const r = await push.push(client, previous);
      previous = r;
      failed = false;
      process.stdout.write(`${okLine(r, Date.now() - start)}\n`);
      const tc = typeCheckAfter(++pushes);
      if (a.once && tc) await tc;
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      failed = true;
      process.stdout.write(`${clock()} error: ${e.message}\n`);
      if (e.detail) process.stdout.write(`${e.detail.split("\n").map((l) => `  ${l}`).join("\n")}\n`);
    } finally {
      busy = false;
    }
    if (again) {
      again = false;
      await once();
    }
  };
  // watch before the first push, so a save during it is not missed
  let timer;
  const watcher = a.once ? null : watch(project.functionsDir, { recursive: true }, (_ev, file) => {
    const f = String(file || "");
    if (f.startsWith("_generated") || f.split("/").some((p) => p.startsWith(".") || p === "node_modules")) return;
    clearTimeout(timer);
    timer = setTimeout(() => once().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); }), 50);
  });
  await once();
  if (a.once) {
    await push.close();
    await client.end();
    await checker?.close();
    if (failed) process.exitCode = 1;
    return;
  }
  await new Promise((res) => {
    const stop = () => { watcher.close(); checker?.close(); follower?.stop(); res(); };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await push.close();
  await client.end();
}
