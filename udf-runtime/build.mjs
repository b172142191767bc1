// Bundles src/index.js and the pinned convex package into one script that
// every isolate context runs (dist/runtime.js), with the parts loaded on
// first use (src/lazy/) inside it as text, and writes it as a C array
// (the path given as argv[2]) so the extension carries it inside udf.so.
import * as esbuild from "esbuild";
import { readFileSync, mkdirSync } from "node:fs";
import { embed, embedMany } from "./embed.mjs";
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

await esbuild.build({
  ...common,
  entryPoints: [join(here, "src", "index.js")],
  outfile: out,
});

// Parts loaded on first use (src/lazy/): bundled apart, each an IIFE that
// sets a local __udfNAME when run as a function body (setup/lazy.js), and
// embedded in udf.so beside the runtime (the path given as argv[3]), whence
// the shim hands their text to JS without copying it (natives.cc).
const lazy = [];
for (const name of ["url", "streams"]) {
  const built = await esbuild.build({
    ...common,
    entryPoints: [join(here, "src", "lazy", `${name}.js`)],
    globalName: `__udf${name[0].toUpperCase()}${name.slice(1)}`,
    write: false,
  });
  const bytes = built.outputFiles[0].contents;
  // an external one-byte string holds Latin-1: esbuild's ASCII output is that
  if (bytes.some((b) => b > 127)) throw new Error(`src/lazy/${name}.js: the bundle is not ASCII`);
  lazy.push({ symbol: `udf_lazy_${name}`, bytes });
}

const cFile = process.argv[2];
if (cFile) embed(readFileSync(out), cFile, "udf_runtime_js");
const lazyCFile = process.argv[3];
if (lazyCFile) embedMany(lazy, lazyCFile);
