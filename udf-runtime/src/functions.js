// Registered functions as the convex package makes them: their kind, their
// display name, and their validators (parsed once per function).

// "query" | "mutation" | "action" | "httpAction", or null for anything else.
export function kindOf(fn) {
  if (typeof fn !== "function") return null;
  if (fn.isQuery) return "query";
  if (fn.isMutation) return "mutation";
  if (fn.isAction) return "action";
  if (fn.isHttp) return "httpAction";
  return null;
}

// "messages.js" + "send" -> "messages:send"; default exports drop ":default"
export function displayName(modulePath, exportName) {
  const mod = modulePath.replace(/\.js$/, "");
  return exportName === "default" ? mod : `${mod}:${exportName}`;
}

// validatorsOf(fn): {args, returns}, the parsed exportArgs/exportReturns JSON.
export function makeValidatorsOf() {
  const validatorCache = new WeakMap();
  return function validatorsOf(fn) {
    let v = validatorCache.get(fn);
    if (!v) {
      // HTTP actions have no exportArgs/exportReturns: they take a Request
      v = fn.isHttp
        ? { args: null, returns: null }
        : { args: JSON.parse(fn.exportArgs()), returns: JSON.parse(fn.exportReturns()) };
      validatorCache.set(fn, v);
    }
    return v;
  };
}
