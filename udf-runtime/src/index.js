// Entry point of the runtime bundle: runs once in every fresh context,
// after the host installed __udfNative (syscall, op, console). The natives
// are taken off the global once the runtime holds them: deployed code
// reaches the host only through the `Convex` global, whose writes are
// checked first.
import * as server from "convex/server";
import * as values from "convex/values";
import { setupAll } from "./setup.js";
import { makeRuntime } from "./runtime.js";
import { builtinModuleSource } from "./builtins.js";

const hidden = (name, value) =>
  Object.defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });

const native = globalThis.__udfNative;
delete globalThis.__udfNative;
const parts = setupAll(globalThis, native);
const builtins = Object.freeze({ "convex/server": server, "convex/values": values });
hidden("__udfBuiltins", builtins);
hidden("__udf", Object.freeze({
  ...makeRuntime(parts),
  builtinModuleSource: (name) => builtinModuleSource(builtins, name),
}));
