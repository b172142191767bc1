#!/usr/bin/env node
// udf -- the developer command for udf apps: dispatches to one module per
// command under src/commands/, prints a CliError as one line plus detail, and
// exits 1 on any error (2 on a usage error).
import { formatError, CliError } from "../src/errors.mjs";

const COMMANDS = ["dev", "deploy", "run", "logs", "codegen", "bundle", "cluster"];

// The top-level help text.
async function help() {
  const parts = ["udf -- run a Convex-style convex/ folder on PostgreSQL with the udf extension", ""];
  for (const c of COMMANDS) parts.push((await import(`../src/commands/${c}.mjs`)).usage, "");
  parts.push("Database: --db URL, else the PG* variables, else the embedded cluster",
    "(UDF_CLUSTER_DIR, default ./.udf/cluster; UDF_PORT, default 54321).");
  return parts.join("\n");
}

// Run the command line.
async function main(argv) {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(`${await help()}\n`);
    return;
  }
  if (!COMMANDS.includes(cmd)) {
    process.stderr.write(`${formatError(new CliError(`unknown command: ${cmd}`, `Commands: ${COMMANDS.join(", ")}. See: udf --help`))}\n`);
    process.exit(2);
  }
  const mod = await import(`../src/commands/${cmd}.mjs`);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${mod.usage}\n`);
    return;
  }
  await mod.run(rest);
}

// a closed pipe (udf bundle | head) ends the command quietly
process.stdout.on("error", (e) => process.exit(e.code === "EPIPE" ? 0 : 1));

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`${formatError(e)}\n`);
  process.exit(1);
});
