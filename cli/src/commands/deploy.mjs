// commands/deploy.mjs -- `udf deploy [dir]`: codegen, type-check, bundle and
// deploy once; prints one summary line and exits non-zero on any error (CI).
import { parseArgs, onOff } from "../args.mjs";
import { connect } from "../db.mjs";
import { findProject } from "../project.mjs";
import { progress } from "../progress.mjs";
import { pusher } from "../push.mjs";

export const usage = `udf deploy [dir] [--db URL] [--typecheck=enable|disable] [--codegen=enable|disable]
  Bundle dir/convex (default: ./convex) and replace the deployment with it.`;

// Run the command.
export async function run(argv) {
  const a = parseArgs(argv, { values: ["db", "typecheck", "codegen"] }, "deploy");
  const project = findProject(a._[0]);
  const p = progress();
  const push = pusher(project, { typecheck: onOff(a.typecheck, "typecheck", true), generate: onOff(a.codegen, "codegen", true), step: p.step });
  const client = await connect({ db: a.db, log: p.note });
  try {
    const start = Date.now();
    const r = await push.push(client);
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stdout.write(`deployed ${r.modules.length} modules, ${r.functions.length} functions to ${client.udfTarget.describe} in ${Date.now() - start} ms\n`);
  } finally {
    await push.close();
    await client.end();
  }
}
