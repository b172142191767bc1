// helpers.mjs -- what the CLI tests share: the `udf` command run as a real
// process against the embedded cluster (a real PostgreSQL with udf, in
// <repo>/.run/cli-test on port UDF_TEST_PORT, default 56210, with every PG*
// variable removed so the embedded default is what gets used), scratch copies
// of the fixture app under cli/.scratch (inside cli/, so node_modules
// resolution finds cli/node_modules), and psql against that cluster.
import { spawn, spawnSync, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const repo = resolve(cliDir, "..");
export const fixture = join(cliDir, "test", "fixture");
export const udfBin = join(cliDir, "bin", "udf.mjs");
export const clusterDir = process.env.UDF_TEST_CLUSTER_DIR || join(repo, ".run", "cli-test");
export const port = process.env.UDF_TEST_PORT || "56210";

// The environment the CLI runs in: no PG* connection variables, our cluster.
export function cliEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^PG(HOST|PORT|DATABASE|USER|SERVICE|PASSWORD)$/.test(k)) delete env[k];
  return { ...env, UDF_CLUSTER_DIR: clusterDir, UDF_PORT: port, UDF_PROGRESS: "0", ...extra };
}

// Run `udf args...` to completion: { status, stdout, stderr }.
export function udf(args, { cwd = repo, env = {}, input } = {}) {
  const r = spawnSync(process.execPath, [udfBin, ...args], { cwd, env: cliEnv(env), encoding: "utf8", input, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Start `udf args...` in the background (udf dev); returns the child process.
export function udfSpawn(args, { cwd = repo, env = {} } = {}) {
  return spawn(process.execPath, [udfBin, ...args], { cwd, env: cliEnv(env), stdio: ["ignore", "pipe", "pipe"] });
}

// A fresh copy of the fixture app as cli/.scratch/<name>; returns its folder.
export function scratchApp(name, from = fixture) {
  const dir = join(cliDir, ".scratch", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dirname(dir), { recursive: true });
  cpSync(from, dir, { recursive: true, filter: (src) => !src.includes(`${join("convex", "_generated")}`) });
  return dir;
}

// The folder of PostgreSQL's programs, as the CLI finds it.
function pgBin() {
  return process.env.PGBIN || execFileSync(process.env.PG_CONFIG || "pg_config", ["--bindir"], { encoding: "utf8" }).trim();
}

// Run SQL through psql on the test cluster; { status, stdout, stderr }.
export function psql(args, input) {
  const r = spawnSync(join(pgBin(), "psql"), ["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", join(clusterDir, "sock"), "-p", port, "-U", "postgres", "postgres", ...args],
    { encoding: "utf8", input, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
