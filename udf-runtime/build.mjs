// Bundles src/index.js and the pinned convex package into one script that
// every isolate context runs (dist/runtime.js), and writes it as a C array
// (the path given as argv[2]) so the extension carries it inside udf.so.
import * as esbuild from "esbuild";
import { readFileSync, mkdirSync } from "node:fs";
import { embed } from "./embed.mjs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist", "runtime.js");
mkdirSync(join(here, "dist"), { recursive: true });
await esbuild.build({
  entryPoints: [join(here, "src", "index.js")],
  bundle: true,
  format: "iife",
  platform: "neutral",
  mainFields: ["module", "main"],
  target: "es2022",
  outfile: out,
  legalComments: "none",
  logLevel: "warning",
});

const cFile = process.argv[2];
if (cFile) embed(readFileSync(out), cFile, "udf_runtime_js");
