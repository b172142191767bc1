// commands/logs.mjs -- `udf logs`: follow the deployment's console lines and
// failed calls as they reach the server log, until Ctrl-C.
import { parseArgs } from "../args.mjs";
import { connect } from "../db.mjs";
import { followLog, formatEvent } from "../logs.mjs";

export const usage = `udf logs [--db URL]
  Follow console lines (udf.log_console and up) and failed calls from the server log.`;

// Run the command.
export async function run(argv) {
  const a = parseArgs(argv, { values: ["db"] }, "logs");
  const client = await connect({ db: a.db });
  const f = await followLog(client, (e) => process.stdout.write(`${e.kind === "problem" ? `udf logs: ${e.text}` : formatEvent(e)}\n`));
  process.stderr.write(`udf logs: following ${client.udfTarget.describe} (Ctrl-C stops)\n`);
  await new Promise((res) => {
    process.once("SIGINT", res);
    process.once("SIGTERM", res);
  });
  f.stop();
  await client.end();
}
