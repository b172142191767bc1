// push.mjs -- one push of an app, the steps `udf deploy` and every `udf dev`
// change run: codegen, type-check, bundle, deploy. A failing step throws a
// CliError naming file:line:col; nothing is deployed after a failure, so the
// live deployment stays what it was. The bundler keeps esbuild's context
// between pushes, so a push after a save parses only the changed files.
import { CliError } from "./errors.mjs";
import { codegen } from "./codegen.mjs";
import { typeChecker } from "./typecheck.mjs";
import { createBundler } from "./bundle.mjs";
import { deploy } from "./deploy.mjs";

// A pusher for a project; push(client, previous) -> deploy summary with .modules.
export function pusher(project, { typecheck = true, generate = true, step = (_l, f) => f() } = {}) {
  const checker = typeChecker(project);
  const bundler = createBundler(project);
  return {
    checker,
    // Let the bundler's esbuild context go (the process can then exit).
    close: () => bundler.dispose(),
    async push(client, previous) {
      if (generate) await step("codegen", async () => codegen(project));
      if (typecheck) {
        const r = await step("type-check", async () => checker.check());
        if (r.errors.length)
          throw new CliError(`${r.errors[0]}${r.errors.length > 1 ? ` (and ${r.errors.length - 1} more)` : ""}`,
            [...r.errors.slice(1, 20), "Fix the type errors, or pass --typecheck=disable to deploy anyway."].join("\n"));
      }
      const bundle = await step("bundle", () => bundler.bundle());
      const summary = await step("deploy", () => deploy(client, bundle.modules, previous));
      return { ...summary, pushed: bundle.modules, warnings: bundle.warnings };
    },
  };
}
