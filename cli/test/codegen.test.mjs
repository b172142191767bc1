// codegen.test.mjs -- `udf codegen` writes convex/_generated/ offline, and
// `tsc --noEmit` (a real TypeScript process) type-checks the fixture with it:
// the fixture passes, and type errors against Doc<"tasks">, Id<"...">,
// api.tasks.add and ctx.db.insert are caught at their lines, which they would
// not be if the generated types were `any`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { udf, scratchApp, cliDir } from "./helpers.mjs";

const tsc = join(cliDir, "node_modules", "typescript", "bin", "tsc");

// Run tsc --noEmit on an app's convex/ folder.
function typecheck(app) {
  return spawnSync(process.execPath, [tsc, "--noEmit", "-p", join(app, "convex")], { cwd: app, encoding: "utf8" });
}

test("udf codegen writes the five _generated files offline, and tsc accepts the fixture", () => {
  const app = scratchApp("codegen");
  const r = udf(["codegen", app], { env: { UDF_CLUSTER_DIR: "/nonexistent/no-cluster-needed" } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "codegen: 5 files written\n");
  for (const f of ["api.d.ts", "api.js", "server.d.ts", "server.js", "dataModel.d.ts"])
    assert.ok(existsSync(join(app, "convex", "_generated", f)), f);
  assert.match(readFileSync(join(app, "convex", "_generated", "api.d.ts"), "utf8"), /"lib\/format": typeof lib_format;/);
  // a second run changes nothing (a watcher must not see its own output)
  assert.equal(udf(["codegen", app]).stdout, "codegen: 0 files written\n");
  const t = typecheck(app);
  assert.equal(t.status, 0, t.stdout + t.stderr);
});

test("type errors against the generated types are caught at their lines", () => {
  const app = scratchApp("codegen-errors");
  assert.equal(udf(["codegen", app]).status, 0);
  writeFileSync(join(app, "convex", "wrong.ts"), [
    'import type { FunctionArgs } from "convex/server";',
    'import type { Doc, Id } from "./_generated/dataModel";',
    'import { api } from "./_generated/api";',
    'import { mutation } from "./_generated/server";',
    'declare const task: Doc<"tasks">;',
    "export const n: number = task.text;",
    'export type Bad = Id<"no_such_table">;',
    "export const a: FunctionArgs<typeof api.tasks.add> = { text: 1 };",
    "export const b = api.tasks.nope;",
    'export const m = mutation(async (ctx) => { await ctx.db.insert("tasks", { text: "x" }); });',
    "",
  ].join("\n"));
  const t = typecheck(app);
  assert.equal(t.status, 2);
  const lines = t.stdout.split("\n").filter((l) => l.startsWith("convex/wrong.ts"));
  const at = (n) => lines.filter((l) => l.startsWith(`convex/wrong.ts(${n},`));
  assert.equal(at(6).length, 1, `Doc<"tasks">.text is a string: ${t.stdout}`);
  assert.equal(at(7).length, 1, "Id of an unknown table");
  assert.equal(at(8).length, 1, "api.tasks.add takes text: string");
  assert.equal(at(9).length, 1, "api.tasks.nope does not exist");
  assert.equal(at(10).length, 1, "insert without done and priority");
  assert.equal(lines.length, 5, t.stdout);
});
