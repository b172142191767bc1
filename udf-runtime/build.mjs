// Bundles src/index.js and the pinned convex package into one script that
// every isolate context runs (dist/runtime.js), with the parts loaded on
// first use (src/lazy/) inside it as text, and writes it as a C array
// (the path given as argv[2]) so the extension carries it inside udf.so.
import * as esbuild from "esbuild";
import { readFileSync, mkdirSync } from "node:fs";
import { embed } from "./embed.mjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist", "runtime.js");
mkdirSync(join(here, "dist"), { recursive: true });
const common = {
  bundle: true,
  format: "iife",
  platform: "neutral",
  mainFields: ["module", "main"],
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
};

// Parts loaded on first use (src/lazy/): bundled apart, each an IIFE that
// sets a local __udfUrl when run as a function body; the runtime imports its
// text as "udf-lazy:NAME" (setup/10_url.js).
const lazy = {};
for (const name of ["url"]) {
  const built = await esbuild.build({
    ...common,
    entryPoints: [join(here, "src", "lazy", `${name}.js`)],
    globalName: `__udf${name[0].toUpperCase()}${name.slice(1)}`,
    write: false,
  });
  lazy[name] = built.outputFiles[0].text;
}
const lazyText = {
  name: "udf-lazy",
  setup(build) {
    build.onResolve({ filter: /^udf-lazy:/ }, (args) => ({ path: args.path.slice("udf-lazy:".length), namespace: "udf-lazy" }));
    build.onLoad({ filter: /.*/, namespace: "udf-lazy" }, (args) => ({
      contents: `export default ${JSON.stringify(lazy[args.path])};`,
      loader: "js",
    }));
  },
};

await esbuild.build({
  ...common,
  entryPoints: [join(here, "src", "index.js")],
  outfile: out,
  plugins: [lazyText],
});

const cFile = process.argv[2];
if (cFile) embed(readFileSync(out), cFile, "udf_runtime_js");
