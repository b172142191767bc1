// Deploy analysis: what udf_deploy learns of a module (its functions, their
// kinds, visibility and validators), of schema.js (its export's JSON) and
// of crons.js (its crons, for extension/crons.c).
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

  // crons.js: its cronJobs() default export as [{name, function, args,
  // schedule}], the schedule an interval in ms or a 5-field UTC cron expression.
  function crons(namespace) {
    const c = namespace.default;
    if (!c || c.isCrons !== true || typeof c.crons !== "object") {
      return fail(SQLSTATE.argumentValidation,
        "crons.js must `export default` a cronJobs() object (from \"convex/server\")");
    }
    const list = [];
    for (const [name, cron] of Object.entries(c.crons)) {
      const schedule = cronSchedule(cron.schedule);
      if (!schedule) {
        return fail(SQLSTATE.argumentValidation, `crons.js: cron "${name}" has an unknown schedule ${JSON.stringify(cron.schedule)}`);
      }
      list.push({ name, function: cron.name, args: cron.args[0] ?? {}, schedule });
    }
    return JSON.stringify(list);
  }

  return { analyze, schema, crons };
}

const DAYS_OF_WEEK = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

// One of the package's cron schedules as an interval or a cron expression, or null.
function cronSchedule(s) {
  const m = s.minuteUTC ?? 0;
  switch (s.type) {
    case "interval":
      return { type: "interval", ms: (s.seconds ?? 0) * 1000 + (s.minutes ?? 0) * 60000 + (s.hours ?? 0) * 3600000 };
    case "hourly": return { type: "cron", expr: `${m} * * * *` };
    case "daily": return { type: "cron", expr: `${m} ${s.hourUTC} * * *` };
    case "weekly": return { type: "cron", expr: `${m} ${s.hourUTC} * * ${DAYS_OF_WEEK.indexOf(s.dayOfWeek)}` };
    case "monthly": return { type: "cron", expr: `${m} ${s.hourUTC} ${s.day} * *` };
    case "cron": return { type: "cron", expr: String(s.cron) };
    default: return null;
  }
}
