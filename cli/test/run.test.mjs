// run.test.mjs -- `udf run --watch`: a query's result is printed, then again
// whenever it changes, by new data or by a new deployment; console lines of
// the call go to stderr, the results to stdout; a mutation is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { udf, udfSpawn, scratchApp } from "./helpers.mjs";

test("udf run --watch prints a query's result again when a deploy changes it", async () => {
  const app = scratchApp("runwatch");
  assert.equal(udf(["deploy", app, "--typecheck=disable"]).status, 0);
  const refused = udf(["run", "tasks:add", '{"text": "x"}', "--watch"]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^udf: --watch re-runs queries only, and tasks:add is a mutation\n/);
  const child = udfSpawn(["run", "notes:shout", '{"word": "abcdefghij"}', "--watch"]);
  let out = "", err = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { err += d; });
  const until = async (pred, what, ms = 15000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (pred()) return;
    throw new Error(`no ${what} in ${ms} ms; stdout:\n${out}\nstderr:\n${err}`);
  };
  try {
    await until(() => out.includes('"ABCDEFGHIJ!"'), "first result");
    assert.match(err, /notes:shout \[warn\]: a long word: 10 letters/);
    const notes = join(app, "convex", "notes.ts");
    writeFileSync(notes, readFileSync(notes, "utf8").replace('+ "!"', '+ "?"'));
    assert.equal(udf(["deploy", app, "--typecheck=disable"]).status, 0);
    await until(() => out.includes('"ABCDEFGHIJ?"'), "result after the change");
    assert.equal(out, '"ABCDEFGHIJ!"\n"ABCDEFGHIJ?"\n'); // printed once per distinct result
    assert.equal(err.match(/a long word/g).length, 2); // its console line with each
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.on("exit", r));
  }
});
