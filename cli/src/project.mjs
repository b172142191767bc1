// project.mjs -- where an app's parts are. A project is a folder holding a
// `convex/` folder of function modules (as `npx convex dev` expects); `udf`
// commands take the project folder (default: the current one) or the
// `convex/` folder itself; a convex.json with "functions" names another
// folder, as it does for Convex. Entry points are found the way Convex finds them:
// every .ts/.tsx/.js/.jsx/.mjs file under convex/ except _generated/, _deps/,
// node_modules/, declaration files, tests and dot- or #-files.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { CliError } from "./errors.mjs";

const SOURCE = /\.(ts|tsx|js|jsx|mjs)$/;
const SKIP_DIRS = new Set(["_generated", "_deps", "node_modules"]);

// Resolve a command's [dir] argument to { root, functionsDir }.
export function findProject(dir = ".") {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory())
    throw new CliError(`no such folder: ${dir}`, "Give the folder that holds your convex/ folder (default: the current folder).");
  const config = join(abs, "convex.json");
  if (existsSync(config)) {
    let functions;
    try {
      functions = JSON.parse(readFileSync(config, "utf8")).functions;
    } catch (e) {
      throw new CliError(`${config} is not JSON: ${e.message}`, "Fix convex.json, or remove it to use ./convex.");
    }
    if (functions !== undefined) {
      const dirOf = resolve(abs, String(functions));
      if (!existsSync(dirOf) || !statSync(dirOf).isDirectory())
        throw new CliError(`convex.json names a functions folder that does not exist: ${functions}`, `Create ${dirOf}, or fix "functions" in ${config}.`);
      return { root: abs, functionsDir: dirOf };
    }
  }
  if (existsSync(join(abs, "convex")) && statSync(join(abs, "convex")).isDirectory())
    return { root: abs, functionsDir: join(abs, "convex") };
  if (basename(abs) === "convex") return { root: resolve(abs, ".."), functionsDir: abs };
  throw new CliError(`no convex/ folder in ${abs}`,
    "udf looks for your functions in DIR/convex (as `npx convex dev` does). Run udf in the project folder or pass it: udf deploy path/to/project");
}

// Is this file (path relative to convex/) a function module?
export function isEntry(rel) {
  const parts = rel.split("/");
  const name = parts[parts.length - 1];
  if (parts.slice(0, -1).some((p) => SKIP_DIRS.has(p) || p.startsWith("."))) return false;
  if (!SOURCE.test(name) || name.endsWith(".d.ts")) return false;
  if (name.startsWith(".") || name.startsWith("#")) return false;
  if (/\.(test|spec)\.[^.]+$/.test(name)) return false;
  if (name.split(".").length > 2) return false; // Convex refuses module names with extra dots
  return true;
}

// Every function module of the project, as paths relative to convex/ (sorted).
export function findEntries(functionsDir) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = relative(functionsDir, full).split("\\").join("/");
      if (statSync(full).isDirectory()) {
        if (!SKIP_DIRS.has(name) && !name.startsWith(".")) walk(full);
      } else if (isEntry(rel)) out.push(rel);
    }
  };
  walk(functionsDir);
  if (out.length === 0)
    throw new CliError(`no function modules in ${functionsDir}`, "Add a .ts or .js file that exports a query, mutation or action.");
  return out;
}

// The module path a deployment uses for an entry: "lib/util.ts" -> "lib/util.js".
export function modulePath(rel) {
  return rel.replace(SOURCE, ".js");
}
