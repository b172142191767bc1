// packaging.test.mjs -- the release files agree with each other: META.json is
// valid PGXN meta (the fields the spec requires), and its version, the
// extension's default_version, the Makefile's EXTVERSION, the CLI's version,
// the CHANGELOG's newest entry and the Debian package's upstream version are
// one version; LICENSE is the license META.json, the CLI and debian/copyright
// name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repo, cliDir } from "./helpers.mjs";

const read = (f) => readFileSync(join(repo, f), "utf8");

test("META.json, udf.control, Makefile, cli/package.json, CHANGELOG.md and debian/changelog name one version", () => {
  const meta = JSON.parse(read("META.json"));
  for (const k of ["name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"]) assert.ok(meta[k], `META.json lacks ${k}`);
  assert.equal(meta["meta-spec"].version, "1.0.0");
  const v = meta.version;
  assert.match(v, /^\d+\.\d+\.\d+$/);
  assert.equal(meta.provides.udf.version, v);
  assert.ok(existsSync(join(repo, meta.provides.udf.file)), meta.provides.udf.file);
  assert.equal(/default_version = '([^']+)'/.exec(read("udf.control"))[1], v);
  assert.equal(/^EXTVERSION += (\S+)/m.exec(read("Makefile"))[1], v);
  assert.equal(JSON.parse(readFileSync(join(cliDir, "package.json"), "utf8")).version, v);
  assert.equal(/^## (\S+)/m.exec(read("CHANGELOG.md"))[1], v);
  // the newest entry's version, less a Debian revision
  assert.equal(/^postgresql-udf \(([^)-]+)(-[^)]*)?\)/.exec(read("debian/changelog"))[1], v);
});

test("LICENSE is the PostgreSQL License that META.json and the CLI declare", () => {
  assert.match(read("LICENSE"), /^PostgreSQL License\n/);
  assert.equal(JSON.parse(read("META.json")).license, "postgresql");
  assert.equal(JSON.parse(readFileSync(join(cliDir, "package.json"), "utf8")).license, "PostgreSQL");
  assert.match(read("debian/copyright"), /^Files: \*\nCopyright: [^\n]+\nLicense: PostgreSQL$/m);
});
