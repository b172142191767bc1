// commands/cluster.mjs -- `udf cluster start|stop|status`: the embedded
// cluster by hand (every other command starts it on demand).
import { parseArgs } from "../args.mjs";
import { CliError } from "../errors.mjs";
import { clusterStatus, ensureCluster, stopCluster } from "../cluster.mjs";

export const usage = `udf cluster start|stop|status
  The embedded cluster (UDF_CLUSTER_DIR, default ./.udf/cluster; UDF_PORT, default 54321).`;

// Run the command.
export async function run(argv) {
  const a = parseArgs(argv, {}, "cluster");
  const what = a._[0];
  if (what === "status") {
    const st = clusterStatus();
    process.stdout.write(`embedded cluster in ${st.dir}: ${st.running ? "running" : "not running"}\n`);
  } else if (what === "start") {
    const c = ensureCluster({ log: (t) => process.stderr.write(`${t}\n`) });
    process.stdout.write(`embedded cluster running: psql -h ${c.host} -p ${c.port} -U postgres postgres\n`);
  } else if (what === "stop") {
    process.stdout.write(stopCluster() ? "embedded cluster stopped\n" : "embedded cluster was not running\n");
  } else {
    throw new CliError(what ? `unknown cluster action: ${what}` : "udf cluster needs an action", "Use: udf cluster start, udf cluster stop or udf cluster status");
  }
}
