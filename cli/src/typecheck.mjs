// typecheck.mjs -- `tsc --noEmit` for the app, in process, through the
// TypeScript compiler API. The app's own `typescript` is used when it has
// one, else the CLI's. The tsconfig is convex/tsconfig.json (Convex's place)
// or the project's tsconfig.json; with neither, nothing is checked. A checker
// keeps parsed files (by mtime) and a builder program, so the next check
// (udf dev) re-parses and re-checks only what changed.
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";

// Load typescript, preferring the project's copy.
function loadTypeScript(root) {
  for (const from of [join(root, "package.json"), import.meta.url]) {
    try { return createRequire(from)("typescript"); } catch { /* next */ }
  }
  return null;
}

// A type-checker for a project: check() -> { checked, errors: ["file:line:col: error TSn: text"] }.
export function typeChecker({ root, functionsDir }) {
  const config = [join(functionsDir, "tsconfig.json"), join(root, "tsconfig.json")].find((f) => existsSync(f));
  const ts = config ? loadTypeScript(root) : null;
  let builder;
  const files = new Map(); // fileName -> { mtime, sourceFile }
  // A compiler host that parses a file again only when its mtime changed.
  const cachingHost = (options) => {
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, fresh) => {
      let mtime = 0;
      try { mtime = statSync(fileName).mtimeMs; } catch { /* missing: let TypeScript say */ }
      const hit = files.get(fileName);
      if (hit && hit.mtime === mtime && !fresh) return hit.sourceFile;
      const sourceFile = read(fileName, languageVersion, onError, fresh);
      if (sourceFile) {
        sourceFile.version = String(mtime);
        files.set(fileName, { mtime, sourceFile });
      }
      return sourceFile;
    };
    return host;
  };
  return {
    config,
    check() {
      if (!config || !ts) return { checked: false, errors: [] };
      const parsed = ts.getParsedCommandLineOfConfigFile(config, { noEmit: true }, {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: () => {},
      });
      if (!parsed) return { checked: true, errors: [`${relative(root, config)}: cannot be read`] };
      builder = ts.createSemanticDiagnosticsBuilderProgram(parsed.fileNames, parsed.options, cachingHost(parsed.options), builder, parsed.errors);
      const diagnostics = [
        ...parsed.errors,
        ...builder.getConfigFileParsingDiagnostics(),
        ...builder.getOptionsDiagnostics(),
        ...builder.getGlobalDiagnostics(),
        ...builder.getSyntacticDiagnostics(),
        ...builder.getSemanticDiagnostics(),
      ];
      const errors = diagnostics
        .filter((d) => d.category === ts.DiagnosticCategory.Error)
        .map((d) => {
          const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
          if (!d.file) return `error TS${d.code}: ${text}`;
          const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
          return `${relative(root, d.file.fileName).split(sep).join("/")}:${line + 1}:${character + 1}: error TS${d.code}: ${text}`;
        });
      return { checked: true, errors };
    },
  };
}
