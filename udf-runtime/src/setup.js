// The order in which every isolate context is set up. Each file exports one
// setupX(global) that does nothing at import time; index.js calls setupAll once
// when the runtime bundle runs in a fresh context.
//
//   00_web          TextEncoder/TextDecoder, atob/btoa, structuredClone,
//                   queueMicrotask: the web globals user code expects.
//   01_determinism  seeded Math.random and crypto.getRandomValues, frozen
//                   Date.now() for queries and mutations.
//   02_console      console.* formatted and capped, sent to the host.
//   03_syscall      the `Convex` global the convex npm package calls.
import { setupWeb } from "./setup/00_web.js";
import { setupDeterminism } from "./setup/01_determinism.js";
import { setupConsole } from "./setup/02_console.js";
import { setupSyscall } from "./setup/03_syscall.js";

export function setupAll(global, native) {
  setupWeb(global);
  const determinism = setupDeterminism(global);
  const console = setupConsole(global, native);
  const syscall = setupSyscall(global, native, determinism);
  return { determinism, console, syscall };
}
