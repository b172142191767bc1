// args.mjs -- command-line parsing: positionals, `--name value`,
// `--name=value` and boolean flags, checked against what a command accepts,
// so a misspelt option is an error rather than silently ignored.
import { CliError } from "./errors.mjs";

// Parse argv for a command: spec = { values: [...names], flags: [...names] }.
export function parseArgs(argv, spec, command) {
  const out = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--") || a === "--") {
      out._.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (spec.flags?.includes(name)) {
      if (eq > 0) throw new CliError(`--${name} takes no value`, `See: udf ${command} --help`);
      out[name] = true;
    } else if (spec.values?.includes(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new CliError(`--${name} needs a value`, `See: udf ${command} --help`);
      out[name] = v;
    } else {
      throw new CliError(`unknown option --${name} for udf ${command}`, `See: udf ${command} --help`);
    }
  }
  return out;
}

// Read an enable/disable option (default when absent).
export function onOff(value, name, dflt) {
  if (value === undefined) return dflt;
  if (value === "enable") return true;
  if (value === "disable") return false;
  throw new CliError(`--${name} must be enable or disable, not "${value}"`, `Example: --${name}=disable`);
}
