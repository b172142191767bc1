// Deploy analysis: what udf_deploy learns of a module (its functions, their
// kinds, visibility and validators) and of schema.js (its export's JSON).
import { kindOf, displayName } from "./functions.js";
import { SQLSTATE, fail } from "./errors.js";

export function makeDeploy({ validatorsOf, describeError }) {
  // Describe a module's exported functions for udf_deploy / udf_functions.
  function analyze(namespace, modulePath) {
    const functions = [];
    for (const exportName of Object.keys(namespace).sort()) {
      const fn = namespace[exportName];
      const kind = kindOf(fn);
      if (!kind) continue;
      let validators;
      try {
        validators = validatorsOf(fn);
      } catch (e) {
        const d = describeError(e);
        return fail(d.code, `${displayName(modulePath, exportName)}: ${d.message}`, d.detail);
      }
      functions.push({
        name: displayName(modulePath, exportName),
        module: modulePath,
        export: exportName,
        kind,
        visibility: fn.isPublic || kind === "httpAction" ? "public" : "internal",
        args: validators.args,
        returns: validators.returns,
      });
    }
    return JSON.stringify(functions);
  }

  // schema.js: the JSON of its default export, defineSchema(...).export()
  function schema(namespace) {
    const definition = namespace.default;
    if (!definition || typeof definition.export !== "function") {
      return fail(SQLSTATE.argumentValidation,
        "schema.js must `export default defineSchema({...})` (from \"convex/server\")");
    }
    try {
      return String(definition.export());
    } catch (e) {
      const d = describeError(e);
      return fail(d.code, `schema.js: ${d.message}`, d.detail);
    }
  }

  return { analyze, schema };
}
