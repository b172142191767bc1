// commands/run.mjs -- `udf run module:fn '{json}'`: call a public function with
// udf_invoke and print its result (Convex JSON) on stdout; console lines the
// call makes go to stderr. --watch re-runs it whenever convex/ changes
// (without deploying: combine with `udf dev` in another terminal).
import { watch } from "node:fs";
import { parseArgs } from "../args.mjs";
import { connect } from "../db.mjs";
import { CliError, formatError, fromPgError } from "../errors.mjs";
import { findProject } from "../project.mjs";

export const usage = `udf run module:fn ['{json args}'] [--db URL] [--watch] [--dir DIR]
  Call a public function and print its result as JSON.`;

// Parse the arguments object, refusing anything but a JSON object.
function parseFnArgs(text) {
  let v;
  try { v = JSON.parse(text); } catch (e) {
    throw new CliError(`the arguments are not JSON: ${e.message}`, `Give them as one JSON object, quoted for the shell: udf run tasks:add '{"text": "hi"}'`);
  }
  if (v === null || typeof v !== "object" || Array.isArray(v))
    throw new CliError("the arguments must be a JSON object", `Example: udf run tasks:add '{"text": "hi"}'`);
  return v;
}

// Call once and print the result.
async function callOnce(client, name, args) {
  try {
    const r = await client.query("SELECT udf_invoke($1, $2::jsonb)::text AS result", [name, JSON.stringify(args)]);
    process.stdout.write(`${JSON.stringify(JSON.parse(r.rows[0].result), null, 2)}\n`);
    return true;
  } catch (e) {
    throw e.code ? fromPgError(e, `running ${name}`) : e;
  }
}

// Run the command.
export async function run(argv) {
  const a = parseArgs(argv, { values: ["db", "dir"], flags: ["watch"] }, "run");
  const [name, json = "{}"] = a._;
  if (!name || !/^[^:\s]+(:[A-Za-z_$][\w$]*)?$/.test(name))
    throw new CliError(name ? `not a function name: ${name}` : "udf run needs a function name", "Name it as module:export, e.g. udf run tasks:list '{}'");
  const args = parseFnArgs(json);
  const client = await connect({ db: a.db, onNotice: (n) => process.stderr.write(`${n.message}\n`) });
  try {
    if (!a.watch) return void (await callOnce(client, name, args));
    const { functionsDir } = findProject(a.dir);
    let timer;
    const again = () => callOnce(client, name, args).catch((e) => process.stderr.write(`${formatError(e)}\n`));
    await again();
    await new Promise(() => {
      watch(functionsDir, { recursive: true }, (_ev, file) => {
        if (file && String(file).startsWith("_generated")) return;
        clearTimeout(timer);
        timer = setTimeout(again, 300);
      });
    });
  } finally {
    await client.end();
  }
}
