// commands/run.mjs -- `udf run module:fn '{json}'`: call a public function with
// udf_invoke and print its result (Convex JSON) on stdout; console lines the
// call makes go to stderr. --watch (queries only) runs the query again every
// half second and prints its result whenever it changes, whether data or a
// new deployment (from `udf dev` in another terminal) changed it, as
// `npx convex run --watch` does.
import { parseArgs } from "../args.mjs";
import { connect } from "../db.mjs";
import { CliError, formatError, fromPgError } from "../errors.mjs";

export const usage = `udf run module:fn ['{json args}'] [--db URL] [--watch]
  Call a public function and print its result as JSON (--watch: a query, whenever its result changes).`;

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

// Call once; returns the result as indented JSON text.
async function callOnce(client, name, args) {
  try {
    const r = await client.query("SELECT udf_invoke($1, $2::jsonb)::text AS result", [name, JSON.stringify(args)]);
    return `${JSON.stringify(JSON.parse(r.rows[0].result), null, 2)}\n`;
  } catch (e) {
    throw e.code ? fromPgError(e, `running ${name}`) : e;
  }
}

// Refuse --watch for anything but a query (a mutation would run every half second).
async function checkQuery(client, name) {
  const path = name.includes(":") ? name : `${name}:default`;
  const r = await client.query("SELECT kind FROM udf_functions() WHERE path = $1", [path.replace(/\.(js|ts)(?=:)/, "")]);
  const kind = r.rows[0]?.kind;
  if (kind && kind !== "query")
    throw new CliError(`--watch re-runs queries only, and ${name} is a ${kind}`, "Drop --watch to call it once.");
}

// Run the command.
export async function run(argv) {
  const a = parseArgs(argv, { values: ["db"], flags: ["watch"] }, "run");
  const [name, json = "{}"] = a._;
  if (!name || !/^[^:\s]+(:[A-Za-z_$][\w$]*)?$/.test(name))
    throw new CliError(name ? `not a function name: ${name}` : "udf run needs a function name", "Name it as module:export, e.g. udf run tasks:list '{}'");
  const args = parseFnArgs(json);
  // console lines of a call; with --watch shown only with a changed result
  let notices = [];
  const client = await connect({ db: a.db, onNotice: (n) => (a.watch ? notices.push(n.message) : process.stderr.write(`${n.message}\n`)) });
  try {
    if (!a.watch) return void process.stdout.write(await callOnce(client, name, args));
    await checkQuery(client, name);
    let last;
    let stop = false;
    process.once("SIGINT", () => { stop = true; });
    process.once("SIGTERM", () => { stop = true; });
    while (!stop) {
      // an error is shown once, like a result, until the answer changes
      const now = await callOnce(client, name, args).catch((e) => `${formatError(e)}\n`);
      if (now !== last) {
        for (const n of notices) process.stderr.write(`${n}\n`);
        (now.startsWith("udf: ") ? process.stderr : process.stdout).write(now);
      }
      notices = [];
      last = now;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await client.end();
  }
}
