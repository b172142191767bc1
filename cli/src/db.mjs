// db.mjs -- which database a command talks to, and the connection to it.
// Order: --db URL; else the usual libpq variables (PGHOST, PGPORT, PGDATABASE,
// PGUSER, PGSERVICE) when any is set, read by the `pg` client; else the
// embedded cluster (cluster.mjs), started on demand. Every value reaches SQL
// as a bound parameter; the CLI never builds SQL from names or values.
import pg from "pg";
import { CliError, fromPgError } from "./errors.mjs";
import { ensureCluster } from "./cluster.mjs";

const PG_VARS = ["PGHOST", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"];

// Connection settings for a command: { config, embedded, describe }.
export function target({ db, env = process.env, log } = {}) {
  if (db) return { config: { connectionString: db }, embedded: false, describe: db.replace(/:[^:@/]*@/, ":***@") };
  if (PG_VARS.some((v) => env[v])) return { config: {}, embedded: false, describe: "the database named by PG* variables" };
  const c = ensureCluster({ env, log });
  return { config: { host: c.host, port: c.port, user: c.user, database: c.database }, embedded: true, cluster: c, describe: `the embedded cluster in ${c.dir}` };
}

// Open a client on the target; the embedded cluster gets CREATE EXTENSION udf.
export async function connect(opts = {}) {
  const t = target(opts);
  const client = new pg.Client(t.config);
  try {
    await client.connect();
  } catch (e) {
    throw new CliError(`cannot connect to ${t.describe}: ${e.message}`,
      "Check --db (a postgres:// URL) or the PG* variables; unset them all to use the embedded cluster.");
  }
  try {
    const has = async () => (await client.query("SELECT 1 FROM pg_extension WHERE extname = $1", ["udf"])).rows.length > 0;
    if (t.embedded && !(await has())) await client.query("CREATE EXTENSION udf");
    if (!(await has()))
      throw new CliError(`udf is not installed in ${t.describe}`, "Run CREATE EXTENSION udf; in that database (as a user allowed to), then try again.");
  } catch (e) {
    await client.end().catch(() => {});
    throw e.code ? fromPgError(e, "checking for the udf extension") : e;
  }
  if (opts.onNotice) client.on("notice", opts.onNotice);
  client.udfTarget = t;
  return client;
}
