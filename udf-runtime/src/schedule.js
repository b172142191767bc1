// ctx.scheduler, the runtime's part: a job's arguments against its target's
// `args` validator (the deployment's validator JSON, which extension/schedule.c
// hands over), checked when the job is scheduled, as Convex's backend does.
import { jsonToConvex } from "convex/values";
import { validateArgs } from "./validate.js";
import { SQLSTATE, fail } from "./errors.js";

// validateScheduledArgs(name, validatorJson, argsJson): "null", or the
// ArgumentValidationError as a failure object; v.id fields are checked
// against the table registry (ids.js), as in a call.
export function makeValidateScheduledArgs(ids) {
  return function validateScheduledArgs(name, validatorJson, argsJson) {
    let args;
    try {
      args = jsonToConvex(JSON.parse(argsJson));
    } catch (e) {
      return fail(SQLSTATE.argumentValidation, `ArgumentValidationError: arguments of '${name}' are not valid Convex JSON: ${e.message}`);
    }
    const problem = validateArgs(JSON.parse(validatorJson), args, ids);
    return problem ? fail(SQLSTATE.argumentValidation, problem, `Function: ${name}`) : "null";
  };
}
