// deploy.test.mjs -- `udf deploy` and `udf run` of the TypeScript fixture (a
// schema with an index, a helper module, zod from npm) on the embedded
// cluster, and the ways a deploy is refused: a Node built-in wanted by an npm
// package or by an app file, a syntax error, a module that throws at import,
// a type error; each a one-line error naming the file, and the live
// deployment left as it was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { udf, scratchApp, fixture, psql, clusterDir } from "./helpers.mjs";

test("udf deploy of the fixture starts the embedded cluster and deploys every module", () => {
  const r = udf(["deploy", fixture]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^deployed 7 modules, 6 functions to the embedded cluster in (\S+) in \d+ ms\n$/);
  assert.equal(/cluster in (\S+)/.exec(r.stdout)[1], clusterDir);
});

test("udf run calls functions: a mutation with zod, a query by index, an action", () => {
  assert.equal(psql(["-c", "TRUNCATE tasks"]).status, 0);
  const add = udf(["run", "tasks:add", '{"text": "  write tests  ", "priority": 2}']);
  assert.equal(add.status, 0, add.stderr);
  const id = JSON.parse(add.stdout);
  assert.equal(typeof id, "string");
  assert.deepEqual(JSON.parse(udf(["run", "tasks:list"]).stdout), ["[ ] write tests (p2)"]);
  assert.equal(JSON.parse(udf(["run", "tasks:open", "{}"]).stdout), 1);
  assert.equal(udf(["run", "tasks:finish", JSON.stringify({ id })]).status, 0);
  assert.deepEqual(JSON.parse(udf(["run", "tasks:list"]).stdout), ["[x] write tests (p2)"]);
  assert.equal(JSON.parse(udf(["run", "tasks:open"]).stdout), 0);
  assert.equal(JSON.parse(udf(["run", "notes:words", '{"text": "ab Cd ef"}']).stdout), 2);
  // the rows are real rows of a real table
  assert.equal(psql(["-c", "SELECT text, done FROM tasks"]).stdout, "write tests|t\n");
});

test("a thrown error's stack maps to convex/... source paths", () => {
  const r = udf(["run", "tasks:add", '{"text": "x", "priority": 9}']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: Uncaught Error: priority 9 is out of range 1\.\.5\n/);
  assert.match(r.stderr, /at checkPriority \(convex\/lib\/format\.ts:12:11\)/);
  assert.match(r.stderr, /at handler \(convex\/tasks\.ts:14:22\)/);
  assert.doesNotMatch(r.stderr, /\.\.\//);
});

test("zod, imported by two modules, is deployed once, in a _deps chunk", () => {
  const b = udf(["bundle", fixture]);
  assert.equal(b.status, 0, b.stderr);
  const modules = JSON.parse(/\$udf\$(.*)\$udf\$/s.exec(b.stdout)[1]);
  const withZod = Object.entries(modules).filter(([, m]) => m.source.includes("ZodError")).map(([p]) => p);
  assert.equal(withZod.length, 1, `zod in ${withZod}`);
  assert.match(withZod[0], /^_deps\/chunk-[A-Z0-9]+\.js$/);
  for (const m of ["tasks.js", "notes.js"]) assert.ok(modules[m].source.includes(`../${withZod[0]}`) || modules[m].source.includes(`./${withZod[0]}`), m);
  const sources = modules[withZod[0]].sourceMap.sources;
  assert.ok(sources.every((s) => !s.startsWith("../")), sources.slice(0, 3).join());
  assert.ok(sources.some((s) => s.startsWith("node_modules/zod/")));
});

test("a module re-exporting another's functions: listed under the modules, never under _deps/", () => {
  const app = scratchApp("reexport");
  writeFileSync(join(app, "convex", "again.ts"), 'import { list } from "./tasks";\nexport { list };\n');
  const r = udf(["deploy", app, "--typecheck=disable"]);
  assert.equal(r.status, 0, r.stderr);
  const paths = psql(["-c", "SELECT path FROM udf_functions() ORDER BY 1"]).stdout.trim().split("\n");
  assert.deepEqual(paths, ["again:list", "notes:shout", "notes:words", "tasks:add", "tasks:finish", "tasks:list", "tasks:open"]);
  assert.deepEqual(JSON.parse(udf(["run", "again:list"]).stdout), JSON.parse(udf(["run", "tasks:list"]).stdout));
});

test("an npm package that needs a Node built-in is refused, naming the package and the built-in", () => {
  const app = scratchApp("nodey");
  const pkg = join(app, "node_modules", "needs-fs");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "needs-fs", version: "1.0.0", main: "index.js" }));
  writeFileSync(join(pkg, "index.js"), 'const fs = require("fs");\nexports.read = (p) => fs.readFileSync(p, "utf8");\n');
  writeFileSync(join(app, "convex", "files.ts"), 'import { read } from "needs-fs";\nimport { query } from "./_generated/server";\nexport const f = query(async () => read("/etc/hostname"));\n');
  const r = udf(["deploy", app, "--typecheck=disable"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: node_modules\/needs-fs\/index\.js:1:20: the npm package "needs-fs" needs the Node\.js built-in "fs", which udf functions do not have\n/);
  assert.match(r.stderr, /bare V8 isolate/);
});

test("an app file that imports a Node built-in is refused, naming the file", () => {
  const app = scratchApp("nodey2");
  writeFileSync(join(app, "convex", "hash.ts"), 'import { createHash } from "node:crypto";\nexport const h = () => createHash("sha1");\n');
  const r = udf(["deploy", app, "--typecheck=disable"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: convex\/hash\.ts:1:28: convex\/hash\.ts needs the Node\.js built-in "node:crypto"/);
});

test("a \"use node\" module is refused, naming it", () => {
  const app = scratchApp("usenode");
  writeFileSync(join(app, "convex", "mailer.ts"), '// sends mail\n"use node";\nexport const x = 1;\n');
  const r = udf(["deploy", app, "--typecheck=disable"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: convex\/mailer\.ts starts with "use node": Convex runs such modules in Node\.js, which udf does not have\n/);
});

test("an app that installs Convex components is refused, naming them", () => {
  const app = scratchApp("components");
  writeFileSync(join(app, "convex", "convex.config.ts"), 'import { defineApp } from "convex/server";\nimport rateLimiter from "@convex-dev/rate-limiter/convex.config";\nconst app = defineApp();\napp.use(rateLimiter);\nexport default app;\n');
  const r = udf(["deploy", app, "--typecheck=disable"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: udf does not support Convex components yet: convex\/convex\.config\.ts installs "@convex-dev\/rate-limiter\/convex\.config"\n/);
  // one without components is no obstacle
  writeFileSync(join(app, "convex", "convex.config.ts"), 'import { defineApp } from "convex/server";\nexport default defineApp();\n');
  assert.equal(udf(["deploy", app, "--typecheck=disable"]).status, 0);
});

test("convex.json's functions folder is where udf looks", () => {
  const app = scratchApp("convexjson");
  renameSync(join(app, "convex"), join(app, "backend"));
  writeFileSync(join(app, "convex.json"), JSON.stringify({ functions: "backend/" }));
  let r = udf(["codegen", app]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(app, "backend", "_generated", "api.d.ts")));
  writeFileSync(join(app, "convex.json"), JSON.stringify({ functions: "nowhere/" }));
  r = udf(["codegen", app]);
  assert.match(r.stderr, /^udf: convex\.json names a functions folder that does not exist: nowhere\/\n/);
});

test("a syntax error is refused with convex/file.ts:line:col and the old deployment stays", () => {
  const app = scratchApp("syntax");
  appendFileSync(join(app, "convex", "notes.ts"), "\nexport const broken = ;\n");
  const r = udf(["deploy", app, "--typecheck=disable"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: convex\/notes\.ts:21:23: Unexpected ";"\n/);
  assert.equal(JSON.parse(udf(["run", "notes:shout", '{"word": "still"}']).stdout), "STILL!");
});

test("a module that throws while loading is refused at its .ts line", () => {
  const app = scratchApp("throws");
  writeFileSync(join(app, "convex", "boom.ts"), '// a module that cannot load\nconst table: Record<string, number> = {};\nif (!table.x) {\n  throw new Error("boom at import");\n}\nexport const x = 1;\n');
  const r = udf(["deploy", app, "--typecheck=disable"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: convex\/boom\.ts:4:\d+: module "boom\.js" failed to load at line \d+, column \d+: .*boom at import/);
});

test("a type error stops udf deploy, naming file:line:col", () => {
  const app = scratchApp("typeerr");
  appendFileSync(join(app, "convex", "notes.ts"), '\nexport const n: number = "not a number";\n');
  const r = udf(["deploy", app]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: convex\/notes\.ts:21:14: error TS2322: Type 'string' is not assignable to type 'number'\.\n/);
  assert.match(r.stderr, /--typecheck=disable/);
});

test("bad command lines get one clear line", () => {
  let r = udf(["deploy", "/nonexistent/app"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: no such folder: \/nonexistent\/app\n  Give the folder/);
  r = udf(["deploy", fixture, "--typo"]);
  assert.match(r.stderr, /^udf: unknown option --typo for udf deploy\n/);
  r = udf(["run", "tasks:add", "{not json"]);
  assert.match(r.stderr, /^udf: the arguments are not JSON: /);
  r = udf(["run", "tasks:add", "[1]"]);
  assert.match(r.stderr, /^udf: the arguments must be a JSON object\n/);
  r = udf(["run", "tasks:nope"]);
  assert.match(r.stderr, /^udf: Could not find public function for 'tasks:nope'/);
  r = udf(["frobnicate"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^udf: unknown command: frobnicate\n/);
  r = udf(["run", "tasks:list", "--db", "postgresql://nobody@127.0.0.1:1/none"]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^udf: cannot connect to postgresql:\/\/nobody@127\.0\.0\.1:1\/none: /);
});
