// deploy.mjs -- push a bundled app with udf_deploy, and describe the result.
// The modules travel as one jsonb parameter. A refused deploy (syntax error,
// missing import, a module that throws while loading) comes back as a
// CliError whose position is mapped through that module's source map to the
// convex/*.ts line. The summary compares with the previous push so `udf dev`
// can say which functions changed.
import { fromPgError } from "./errors.mjs";
import { originalPosition } from "./sourcemap.mjs";

// Map 'module "x.js" ... at line L, column C' in a deploy error to the source position.
function mapDeployError(message, modules) {
  const m = /module "([^"]+)".*? at line (\d+), column (\d+)/.exec(message);
  if (!m || !modules[m[1]]) return null;
  const pos = originalPosition(modules[m[1]].sourceMap, Number(m[2]), Number(m[3]));
  return pos ? `${pos.source}:${pos.line}:${pos.column}` : null;
}

// Deploy modules; returns { functions, modules, changed } or throws a CliError.
export async function deploy(client, modules, previous) {
  let summary;
  try {
    const r = await client.query("SELECT udf_deploy($1::jsonb)::text AS summary", [JSON.stringify(modules)]);
    summary = JSON.parse(r.rows[0].summary);
  } catch (e) {
    if (!e.code) throw e;
    const where = mapDeployError(e.message, modules);
    const err = fromPgError(e, "deploying");
    if (where) err.message = `${where}: ${err.message}`;
    throw err;
  }
  return { ...summary, changed: changedFunctions(summary.functions, modules, previous) };
}

// Functions added, removed, or in a module whose text changed since the previous push.
export function changedFunctions(functions, modules, previous) {
  if (!previous) return functions.map((f) => f.name);
  const before = new Map(previous.functions.map((f) => [f.name, f]));
  const now = new Set(functions.map((f) => f.name));
  const changedModules = new Set(Object.keys(modules).filter((p) => previous.pushed[p]?.source !== modules[p].source));
  // a changed shared chunk changes every module that imports it: compare whole text per entry
  const moduleOf = (f) => `${f.name.split(":")[0]}.js`;
  const touched = (f) => changedModules.has(moduleOf(f)) ||
    [...changedModules].some((c) => c.startsWith("_deps/") && modules[moduleOf(f)]?.source.includes(c.slice(6)));
  const out = functions.filter((f) => !before.has(f.name) || touched(f)).map((f) => f.name);
  for (const name of before.keys()) if (!now.has(name)) out.push(`-${name}`);
  return out;
}
