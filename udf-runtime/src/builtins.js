// Source text of the builtin modules that deployed code may import.
// Each is a small ES module that re-exports objects of the runtime bundle,
// so every context shares one copy of the convex package.

const GENERATED_SERVER = {
  query: "queryGeneric",
  internalQuery: "internalQueryGeneric",
  mutation: "mutationGeneric",
  internalMutation: "internalMutationGeneric",
  action: "actionGeneric",
  internalAction: "internalActionGeneric",
  httpAction: "httpActionGeneric",
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function reexport(specifier, namespace) {
  const names = Object.keys(namespace).filter((k) => k !== "default" && IDENTIFIER.test(k)).sort();
  let src = `const m = globalThis.__udfBuiltins[${JSON.stringify(specifier)}];\n`;
  src += `export const { ${names.join(", ")} } = m;\n`;
  if ("default" in namespace) src += "export default m.default;\n";
  return src;
}

export function builtinModuleSource(builtins, name) {
  switch (name) {
    case "convex/server":
    case "convex/values":
      return reexport(name, builtins[name]);
    case "_generated/server": {
      let src = 'const s = globalThis.__udfBuiltins["convex/server"];\n';
      for (const [ours, theirs] of Object.entries(GENERATED_SERVER)) src += `export const ${ours} = s.${theirs};\n`;
      return src;
    }
    case "_generated/api":
      return (
        'const s = globalThis.__udfBuiltins["convex/server"];\n' +
        "export const api = s.anyApi;\n" +
        "export const internal = s.anyApi;\n" +
        "export const components = s.componentsGeneric();\n"
      );
    default:
      return undefined;
  }
}
