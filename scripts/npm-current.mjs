// npm-current.mjs DIR -- exit 0 when DIR/node_modules holds exactly what
// DIR/package-lock.json pins, 1 when `npm ci` must run again (no install yet,
// or the lock changed since). It compares the lock's packages with the copy
// npm keeps of the installed tree (node_modules/.package-lock.json), so it
// needs no stamp file of its own and writes nothing.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const lockFile = join(dir, "package-lock.json");
const installedFile = join(dir, "node_modules", ".package-lock.json");
if (!existsSync(lockFile)) {
  console.error(`npm-current.mjs: no ${lockFile}`);
  process.exit(2);
}
if (!existsSync(installedFile)) process.exit(1);
const wanted = JSON.parse(readFileSync(lockFile, "utf8")).packages || {};
const have = JSON.parse(readFileSync(installedFile, "utf8")).packages || {};
// every installed package is pinned at that version, and every pinned one that
// is not optional (esbuild's other-platform binaries) is installed
const installedOk = Object.keys(have).every((k) => wanted[k] && wanted[k].version === have[k].version && existsSync(join(dir, k)));
const pinnedOk = Object.keys(wanted).every((k) => k === "" || wanted[k].optional || wanted[k].link || have[k]);
process.exit(installedOk && pinnedOk ? 0 : 1);
