// app-json.mjs DIR -- print a deployment of every .js module under DIR as the
// JSON object udf_deploy takes ({"path.js": source} or {"path.js": {source,
// sourceMap}} when a .js.map sits beside it). Tests load apps with it:
//   \set app `node regress/app-json.mjs regress/apps/example`
//   SELECT udf_deploy(:'app');
import { readdirSync, readFileSync, existsSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = process.argv[2];
if (!root || !statSync(root).isDirectory()) {
  console.error("usage: node app-json.mjs DIR");
  process.exit(2);
}
const modules = {};
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (name === "_generated" || name === "node_modules") continue;
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith(".js")) {
      const path = relative(root, full).split("\\").join("/");
      const source = readFileSync(full, "utf8");
      modules[path] = existsSync(full + ".map")
        ? { source, sourceMap: readFileSync(full + ".map", "utf8") }
        : source;
    }
  }
};
walk(root);
process.stdout.write(JSON.stringify(modules));
