// bundle.test.mjs -- `udf bundle > app.sql` gives one SQL file that psql runs
// against a real cluster, deploying the app; its functions then answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { udf, psql, scratchApp } from "./helpers.mjs";

test("udf bundle output passes through psql and deploys the app", () => {
  assert.equal(udf(["deploy", scratchApp("bundle-start")]).status, 0); // the embedded cluster is up
  const app = scratchApp("bundle");
  // a module whose text holds the default dollar-quote tag must still quote safely
  writeFileSync(join(app, "convex", "quote.ts"), 'import { query } from "./_generated/server";\nexport const tag = query(async () => "$udf$ and \'quotes\'");\n');
  const b = udf(["bundle", app]);
  assert.equal(b.status, 0, b.stderr);
  const head = b.stdout.slice(0, 200);
  const n = /^-- udf deploy of convex\/ \((\d+) modules\), written by `udf bundle`\n/.exec(head)?.[1];
  assert.ok(n > 7, head);
  assert.ok(head.includes("udf_deploy($udf1$"), head);
  const r = psql([], b.stdout);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${n}\n`);
  assert.equal(psql(["-c", "SELECT udf_invoke('quote:tag')"]).stdout, "\"$udf$ and 'quotes'\"\n");
});
