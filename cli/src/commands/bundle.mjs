// commands/bundle.mjs -- `udf bundle [dir] > app.sql`: the deploy as one SQL
// file, for pg_regress suites and migrations. The modules are one jsonb
// literal in dollar quotes whose tag is chosen so the text cannot end it
// (the way pg_dump quotes function bodies); the file runs in psql or any
// client and prints one row (the number of modules deployed).
import { parseArgs } from "../args.mjs";
import { bundleProject } from "../bundle.mjs";
import { codegen } from "../codegen.mjs";
import { findProject } from "../project.mjs";

export const usage = `udf bundle [dir]
  Print the deploy of dir/convex as SQL: udf bundle > app.sql; psql -f app.sql`;

// A dollar-quote tag that does not occur in text.
export function dollarTag(text) {
  let tag = "$udf$";
  for (let n = 1; text.includes(tag); n++) tag = `$udf${n}$`;
  return tag;
}

// The SQL text of a deployment.
export function deploySql(modules, from) {
  const json = JSON.stringify(modules);
  const tag = dollarTag(json);
  return `-- udf deploy of ${from} (${Object.keys(modules).length} modules), written by \`udf bundle\`\n` +
    `SELECT jsonb_array_length(udf_deploy(${tag}${json}${tag}::jsonb)->'modules') AS modules_deployed;\n`;
}

// Run the command.
export async function run(argv) {
  const a = parseArgs(argv, {}, "bundle");
  const project = findProject(a._[0]);
  codegen(project);
  const { modules } = await bundleProject(project);
  process.stdout.write(deploySql(modules, "convex/"));
}
