// logs.test.mjs -- `udf logs` as a real background process on the embedded
// cluster (udf.log_console = all there): console lines of calls made by other
// clients, with level and function, and a failed call with its stack, both
// read from the server log as they are written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { udf, udfSpawn, fixture, psql } from "./helpers.mjs";

test("udf logs follows console lines and failed calls", async () => {
  assert.equal(udf(["deploy", fixture, "--typecheck=disable"]).status, 0);
  const child = udfSpawn(["logs"]);
  let out = "", err = "";
  child.stdout.on("data", (d) => { out += d; });
  child.stderr.on("data", (d) => { err += d; });
  const until = async (re, ms = 15000) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100)))
      if (re.test(out)) return;
    throw new Error(`udf logs printed no ${re} in ${ms} ms:\n${out}\nstderr: ${err}`);
  };
  try {
    await until(/^/); // started
    for (let i = 0; i < 50 && !/following/.test(err); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(err, /^udf logs: following the embedded cluster in /);
    assert.equal(udf(["run", "notes:shout", '{"word": "extraordinary"}']).status, 0);
    await until(/\[warn\] notes:shout: a long word: 13 letters\n/);
    assert.equal(psql(["-c", "SELECT udf_invoke('tasks:add', '{\"text\": \"logged\"}') IS NOT NULL"]).status, 0);
    await until(/\[log\] tasks:add: adding logged\n/);
    assert.equal(udf(["run", "tasks:add", '{"text": "x", "priority": 0}']).status, 1);
    await until(/failed: Uncaught Error: priority 0 is out of range 1\.\.5\n +at checkPriority \(convex\/lib\/format\.ts:12:11\)/);
    assert.match(out, /^\d\d:\d\d:\d\d \[warn\] notes:shout: a long word: 13 letters$/m);
    // udf.log_console = warn (the server default) keeps log lines out; off keeps all out
    assert.equal(psql([], `SET udf.log_console = 'off';
      SELECT udf_invoke('notes:shout', '{"word": "silentsilent"}');
      SET udf.log_console = 'warn';
      SELECT udf_invoke('tasks:add', '{"text": "not in the log"}');
      SELECT udf_invoke('notes:shout', '{"word": "unquietness"}');`).status, 0);
    await until(/\[warn\] notes:shout: a long word: 11 letters\n/);
    assert.doesNotMatch(out, /not in the log|12 letters/);
  } finally {
    child.kill("SIGTERM");
    assert.equal(await new Promise((r) => child.on("exit", r)), 0, err);
  }
});
