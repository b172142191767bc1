// bundle.mjs -- turn a project's convex/ folder into the modules udf_deploy
// takes. One esbuild build with every function module as an entry point and
// code splitting on: each entry becomes <path>.js, and code two or more
// entries share (npm packages, helper modules) goes into _deps/ chunks once,
// so a package is deployed in one copy however many modules import it.
// `convex/server` and `convex/values` stay imports (udf serves them, so
// functions run on the runtime's convex package); `_generated/server` and
// `_generated/api` are compiled in from the same few lines codegen writes, so
// a bundle never depends on codegen having run. Node built-ins are refused
// naming the package (or app file) that wanted one, and so are "use node"
// modules and Convex components (convex.config.ts). Source maps are kept,
// with their sources rewritten relative to the project folder
// (`convex/tasks.ts`, `node_modules/zod/...`), never `../../`.
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import * as esbuild from "esbuild";
import { CliError } from "./errors.mjs";
import { findEntries, modulePath } from "./project.mjs";
import { generatedServerJs, generatedApiJs } from "./codegen.mjs";

const SERVED = new Set(["convex/server", "convex/values"]);
const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));

// The npm package (or project file) a file belongs to, for error messages.
function ownerOf(file, root) {
  const parts = file.split(sep);
  const i = parts.lastIndexOf("node_modules");
  if (i < 0) return relative(root, file).split(sep).join("/");
  const name = parts[i + 1]?.startsWith("@") ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1];
  return `the npm package "${name}"`;
}

// The esbuild plugin that decides what stays an import and what is refused.
function udfResolvePlugin(root, functionsDir) {
  const generated = join(functionsDir, "_generated");
  return {
    name: "udf-resolve",
    setup(build) {
      build.onResolve({ filter: /^convex(\/.*)?$/ }, (args) => {
        if (SERVED.has(args.path)) return { path: args.path, external: true };
        return {
          errors: [{
            text: `udf serves only convex/server and convex/values to functions, not "${args.path}" (imported by ${ownerOf(args.importer, root)})`,
          }],
        };
      });
      build.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.startsWith("node:") ? args.path.slice(5) : args.path;
        const top = bare.split("/")[0];
        if (args.path.startsWith("node:") || NODE_BUILTINS.has(bare) || NODE_BUILTINS.has(top)) {
          return {
            errors: [{
              text: `${ownerOf(args.importer, root)} needs the Node.js built-in "${args.path}", which udf functions do not have`,
              detail: "udf runs functions in a bare V8 isolate inside PostgreSQL (no Node APIs). Use a package without Node built-ins, or call such code from outside the database.",
            }],
          };
        }
        if (args.path.startsWith(".") && args.resolveDir) {
          const target = resolve(args.resolveDir, args.path).replace(/\.(js|ts|mjs)$/, "");
          if (target === join(generated, "server")) return { path: "server", namespace: "udf-generated" };
          if (target === join(generated, "api")) return { path: "api", namespace: "udf-generated" };
        }
        return undefined;
      });
      build.onLoad({ filter: /.*/, namespace: "udf-generated" }, (args) => ({
        contents: args.path === "server" ? generatedServerJs() : generatedApiJs(),
        loader: "js",
      }));
    },
  };
}

// Rewrite a source map's sources to paths relative to the project folder.
function normaliseMap(mapText, mapFile, root) {
  const map = JSON.parse(mapText);
  map.sources = map.sources.map((s) => {
    if (/^[a-z-]+:/.test(s)) return s; // a virtual module (udf-generated:server)
    const rel = relative(root, resolve(dirname(mapFile), s)).split(sep).join("/");
    // a package installed above the project (a monorepo's node_modules)
    const nm = rel.startsWith("../") ? rel.indexOf("node_modules/") : -1;
    return nm >= 0 ? rel.slice(nm) : rel;
  });
  return map;
}

// Turn esbuild's messages into "file:line:col: text" lines.
export function formatMessages(messages) {
  return messages.map((m) => {
    const where = m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1}: ` : "";
    const notes = (m.notes || []).map((n) => n.text).filter(Boolean);
    return `${where}${m.text}${notes.length ? ` (${notes.join("; ")})` : ""}`;
  });
}

// A module file as the user sees it: its path from the project folder.
function shown(root, functionsDir, entry) {
  return relative(root, join(functionsDir, entry)).split(sep).join("/");
}

// Refuse Convex's "use node" modules, which Convex runs in Node.js.
function refuseUseNode(root, functionsDir, entries) {
  for (const e of entries) {
    const head = readFileSync(join(functionsDir, e), "utf8").replace(/^(\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "");
    if (/^["']use node["']/.test(head))
      throw new CliError(`${shown(root, functionsDir, e)} starts with "use node": Convex runs such modules in Node.js, which udf does not have`,
        "udf runs every function in V8 inside PostgreSQL. Remove the directive if the module needs no Node APIs; otherwise keep that code outside the database.");
  }
}

// Refuse an app whose convex.config.ts installs Convex components (as udf_deploy
// refuses convex.config.js): bundled, the component imports would vanish.
function refuseComponents(root, functionsDir) {
  for (const name of ["convex.config.ts", "convex.config.js"]) {
    const file = join(functionsDir, name);
    if (!existsSync(file)) continue;
    const specs = [...readFileSync(file, "utf8").matchAll(/(?:from|import)\s*["']([^"']+)["']/g)].map((m) => m[1])
      .filter((p) => !p.startsWith(".") && !p.startsWith("convex/"));
    if (specs.length)
      throw new CliError(`udf does not support Convex components yet: ${shown(root, functionsDir, name)} installs ${specs.map((p) => `"${p}"`).join(", ")}`,
        `Deploy the app without ${name} and the components it uses.`);
  }
}

// A bundler for a project: bundle() -> { modules: {path: {source, sourceMap}}, entries, warnings }.
// It keeps esbuild's context between calls while the set of modules stays the
// same, so a rebuild (udf dev) parses only what changed; dispose() ends it.
export function createBundler({ root, functionsDir }) {
  let context = null, contextEntries = "";
  const options = (entries) => ({
    absWorkingDir: root,
    entryPoints: entries.map((e) => join(functionsDir, e)),
    outbase: functionsDir,
    outdir: functionsDir,
    entryNames: "[dir]/[name]",
    chunkNames: "_deps/[name]-[hash]",
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["convex", "worker"],
    define: { "process.env.NODE_ENV": '"production"' },
    sourcemap: "external",
    sourcesContent: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [udfResolvePlugin(root, functionsDir)],
  });
  return {
    async bundle() {
      const entries = findEntries(functionsDir);
      const seen = new Map();
      for (const e of entries) {
        const m = modulePath(e);
        if (seen.has(m))
          throw new CliError(`two files make module ${m}: ${shown(root, functionsDir, seen.get(m))} and ${shown(root, functionsDir, e)}`, "Rename or remove one of them.");
        seen.set(m, e);
      }
      refuseUseNode(root, functionsDir, entries);
      refuseComponents(root, functionsDir);
      let result;
      try {
        if (!context || contextEntries !== entries.join("\n")) {
          await context?.dispose();
          context = await esbuild.context(options(entries));
          contextEntries = entries.join("\n");
        }
        result = await context.rebuild();
      } catch (e) {
        if (!e.errors) throw e;
        const lines = formatMessages(e.errors);
        const detail = [...lines.slice(1), ...e.errors.map((m) => m.detail).filter((d) => typeof d === "string")];
        throw new CliError(lines[0] + (lines.length > 1 ? ` (and ${lines.length - 1} more)` : ""), detail.join("\n") || undefined);
      }
      const byPath = new Map(result.outputFiles.map((f) => [f.path, f]));
      const modules = {};
      for (const f of result.outputFiles) {
        if (!f.path.endsWith(".js")) continue;
        const path = relative(functionsDir, f.path).split(sep).join("/");
        const map = byPath.get(f.path + ".map");
        modules[path] = { source: f.text, sourceMap: map ? normaliseMap(map.text, map.path, root) : undefined };
      }
      return { modules, entries, warnings: formatMessages(result.warnings) };
    },
    // Let esbuild's context go.
    async dispose() {
      await context?.dispose();
      context = null;
    },
  };
}

// Bundle a project once.
export async function bundleProject(project) {
  const b = createBundler(project);
  try {
    return await b.bundle();
  } finally {
    await b.dispose();
  }
}
