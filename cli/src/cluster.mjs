// cluster.mjs -- the embedded default database: a throwaway PostgreSQL cluster
// the CLI starts and reuses when no --db and no PG* variable names one, the
// same machinery as `make demo` (scripts/cluster.sh) in JavaScript. It lives
// in UDF_CLUSTER_DIR (default ./.udf/cluster), listens only on a Unix socket
// in that folder, on port UDF_PORT (default 54321), with trust auth for the
// `postgres` role, udf preloaded, and every console line in its log
// (udf.log_console = all, for `udf logs` and `udf dev`). The PostgreSQL programs come from PGBIN,
// else `pg_config --bindir` (PG_CONFIG or the PATH's pg_config). PostgreSQL
// refuses to run as root, so as root the cluster belongs to the `postgres`
// user (runuser), as the project's own scripts do.
import { execFileSync, spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CliError } from "./errors.mjs";

const isRoot = process.getuid && process.getuid() === 0;

// Where the embedded cluster lives and listens.
export function clusterSettings(env = process.env) {
  const dir = resolve(env.UDF_CLUSTER_DIR || join(process.cwd(), ".udf", "cluster"));
  const port = Number(env.UDF_PORT || 54321);
  if (!Number.isInteger(port) || port < 1024 || port > 65535)
    throw new CliError(`UDF_PORT is not a port number: ${env.UDF_PORT}`, "Set UDF_PORT to a free TCP port number between 1024 and 65535 (or unset it for 54321).");
  const socketDir = join(dir, "sock");
  if (join(socketDir, `.s.PGSQL.${port}`).length > 100)
    throw new CliError(`the cluster folder's path is too long for a Unix socket: ${dir}`, "Set UDF_CLUSTER_DIR to a shorter path (a socket path must stay under 108 bytes).");
  return { dir, data: join(dir, "data"), socketDir, port };
}

// The folder of PostgreSQL's programs (initdb, pg_ctl).
function pgBin(env = process.env) {
  if (env.PGBIN) return env.PGBIN;
  const pgConfig = env.PG_CONFIG || "pg_config";
  try {
    return execFileSync(pgConfig, ["--bindir"], { encoding: "utf8" }).trim();
  } catch {
    const debian = "/usr/lib/postgresql/15/bin";
    if (existsSync(join(debian, "initdb"))) return debian;
    throw new CliError("PostgreSQL 15 was not found for the embedded cluster",
      "Put PostgreSQL 15's pg_config on PATH (or set PGBIN or PG_CONFIG), install udf into it (make install), or name a database with --db URL.");
  }
}

// Run one of PostgreSQL's programs as the cluster's owner; throw on failure.
function runPg(bin, prog, args, what) {
  const cmd = isRoot ? "runuser" : join(bin, prog);
  const argv = isRoot ? ["-u", "postgres", "--", join(bin, prog), ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: "utf8" });
  if (r.status !== 0)
    throw new CliError(`the embedded cluster could not ${what}`, `${prog} ${args.join(" ")} said:\n${(r.stderr || r.stdout || r.error?.message || "").trim()}`);
  return r.stdout;
}

// Is the postmaster of this data folder running?
function running(bin, data) {
  if (!existsSync(join(data, "postmaster.pid"))) return false;
  const argv = ["-D", data, "status"];
  const r = isRoot
    ? spawnSync("runuser", ["-u", "postgres", "--", join(bin, "pg_ctl"), ...argv], { encoding: "utf8" })
    : spawnSync(join(bin, "pg_ctl"), argv, { encoding: "utf8" });
  return r.status === 0;
}

// Make a folder the postgres user can own and reach (as root).
function prepareDir(dir) {
  mkdirSync(dir, { recursive: true });
  if (!isRoot) return;
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  chownSync(dir, uid, gid);
  // the postgres user must reach it (o+x on every folder above, as cluster.sh does)
  for (let d = dirname(dir); d !== "/"; d = dirname(d)) {
    try { chmodSync(d, statSync(d).mode | 0o001); } catch { /* not ours to change */ }
  }
}

// Start (or reuse) the embedded cluster; returns pg connection settings.
export function ensureCluster({ env = process.env, log = () => {} } = {}) {
  const s = clusterSettings(env);
  const bin = pgBin(env);
  const pkglib = (() => {
    try { return execFileSync(join(bin, "pg_config"), ["--pkglibdir"], { encoding: "utf8" }).trim(); } catch { return null; }
  })();
  if (pkglib && !existsSync(join(pkglib, "udf.so")))
    throw new CliError(`udf is not installed in the PostgreSQL at ${bin}`,
      `There is no ${join(pkglib, "udf.so")}. Build and install it first (make && make install in the udf checkout), or name a database with --db URL.`);
  if (!existsSync(join(s.data, "PG_VERSION"))) {
    log(`creating the embedded cluster in ${s.dir}`);
    prepareDir(s.dir);
    prepareDir(s.data);
    prepareDir(s.socketDir);
    runPg(bin, "initdb", ["-D", s.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], "be created");
    appendFileSync(join(s.data, "postgresql.conf"), [
      "", "# written by the udf CLI (embedded cluster)",
      `port = ${s.port}`, "listen_addresses = ''", `unix_socket_directories = '${s.socketDir}'`,
      "shared_preload_libraries = 'udf'", "fsync = off", "synchronous_commit = off",
      "udf.log_console = 'all'  # every console line reaches the log, for udf logs and udf dev", "",
    ].join("\n"));
  }
  let conf = readFileSync(join(s.data, "postgresql.conf"), "utf8");
  if (!/^udf\.log_console/m.test(conf)) {
    // a cluster made by an older udf CLI: give it the console setting too
    appendFileSync(join(s.data, "postgresql.conf"), "\nudf.log_console = 'all'\n");
    conf = readFileSync(join(s.data, "postgresql.conf"), "utf8");
    if (running(bin, s.data)) runPg(bin, "pg_ctl", ["-D", s.data, "reload"], "reload its settings");
  }
  const m = [...conf.matchAll(/^port = (\d+)/gm)].pop();
  const port = m ? Number(m[1]) : s.port;
  if (!running(bin, s.data)) {
    log(`starting the embedded cluster (${s.dir}, port ${port})`);
    runPg(bin, "pg_ctl", ["-D", s.data, "-l", join(s.dir, "server.log"), "-w", "-o", `-p ${port}`, "start"], "start");
  }
  return { host: s.socketDir, port, user: "postgres", database: "postgres", embedded: true, dir: s.dir, log: join(s.dir, "server.log") };
}

// Stop the embedded cluster if it runs; true when it did.
export function stopCluster({ env = process.env } = {}) {
  const s = clusterSettings(env);
  const bin = pgBin(env);
  if (!running(bin, s.data)) return false;
  runPg(bin, "pg_ctl", ["-D", s.data, "-m", "fast", "-w", "stop"], "stop");
  return true;
}

// Is the embedded cluster running? { running, dir }.
export function clusterStatus({ env = process.env } = {}) {
  const s = clusterSettings(env);
  return { running: running(pgBin(env), s.data), dir: s.dir };
}
