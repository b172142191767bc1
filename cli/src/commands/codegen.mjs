// commands/codegen.mjs -- `udf codegen [dir]`: write convex/_generated/ offline.
import { parseArgs } from "../args.mjs";
import { codegen } from "../codegen.mjs";
import { findProject } from "../project.mjs";

export const usage = `udf codegen [dir]
  Write dir/convex/_generated/{api,server,dataModel}.d.ts and the .js beside them.`;

// Run the command.
export async function run(argv) {
  const a = parseArgs(argv, {}, "codegen");
  const changed = codegen(findProject(a._[0]));
  process.stdout.write(`codegen: ${changed.length} file${changed.length === 1 ? "" : "s"} written\n`);
}
