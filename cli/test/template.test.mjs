// template.test.mjs -- the out-of-tree pg_regress template (cli/template/pg_regress)
// laid over a copy of the fixture app: `make installcheck` with PGXS, against
// the embedded cluster, builds app.sql with `udf bundle` and passes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { udf, scratchApp, cliDir, clusterDir, port, udfBin } from "./helpers.mjs";

test("the pg_regress template runs an app's suite with make installcheck", () => {
  assert.equal(udf(["cluster", "start"]).status, 0);
  const app = scratchApp("template");
  cpSync(join(cliDir, "template", "pg_regress"), app, { recursive: true });
  const r = spawnSync("make", ["-s", "installcheck", `UDF=${process.execPath} ${udfBin}`, `PG_CONFIG=${process.env.PG_CONFIG || "pg_config"}`], {
    cwd: app, encoding: "utf8",
    env: { ...process.env, PGHOST: join(clusterDir, "sock"), PGPORT: port, PGUSER: "postgres" },
  });
  const diffs = join(app, "regression.diffs");
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}\n${existsSync(diffs) ? readFileSync(diffs, "utf8").slice(0, 3000) : ""}`);
  assert.match(r.stdout, /test tasks +\.\.\. ok/);
  assert.ok(existsSync(join(app, "app.sql")));
});
