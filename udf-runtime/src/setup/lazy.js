// Globals whose code is loaded on first use. URL, with tr46's IDNA table,
// and the web streams polyfill were most of the runtime's code and are used
// by few functions; built into every context they made the startup snapshot,
// and so every backend's first call and memory, much larger. Such
// a part is bundled apart (src/lazy/, by build.mjs) and its text embedded in
// udf.so beside the runtime, handed to JS by the shim without a copy
// (__udfNative.lazySource); its globals are accessors until first read, when the bundle
// is evaluated in the context and every global of the part becomes the
// ordinary writable, non-enumerable data property it always was. Assigning
// such a global first replaces it, as before.

// captured before deployed code runs: what it does to the globals changes nothing here
const makeFunction = Function;
const defineProperty = Object.defineProperty;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;

// The exports of a lazy bundle's text (an IIFE that sets the local `name`).
export function evaluateBundle(text, name) {
  return makeFunction(`${text}\nreturn ${name};`)();
}

// Define names on global as loaded on first read: load() answers {name: value} for all of them.
export function defineLazyGlobals(global, names, load) {
  const define = (name, value) =>
    defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  let loaded = false;
  const loadAll = () => {
    if (loaded) return;
    // a load that throws (the call stopped, the heap full) changes nothing: the next read tries again
    const values = load();
    loaded = true;
    // a global assigned before the load keeps its assigned value
    for (const name of names) {
      if (!isPending(global, name)) continue;
      if (values[name] === undefined) delete global[name];
      else define(name, values[name]);
    }
  };
  const accessors = new Set();
  const isPending = (g, name) => {
    const d = getOwnPropertyDescriptor(g, name);
    return d !== undefined && accessors.has(d.get);
  };
  for (const name of names) {
    const get = () => {
      loadAll();
      return global[name];
    };
    accessors.add(get);
    defineProperty(global, name, {
      configurable: true,
      enumerable: false,
      get,
      set(value) {
        define(name, value);
      },
    });
  }
}

// The value of a lazy global if it was loaded, else undefined (for instanceof checks:
// no instance of a class exists before its code is loaded).
export function loadedGlobal(global, name) {
  const d = getOwnPropertyDescriptor(global, name);
  return d !== undefined && "value" in d ? d.value : undefined;
}
