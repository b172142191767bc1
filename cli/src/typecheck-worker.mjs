// typecheck-worker.mjs -- the type-checker of `udf dev` on a worker thread, so
// a save is bundled and deployed while the previous check still runs. The
// worker keeps one typeChecker (and so its parsed files) for the session;
// check() resolves with that check's errors. Checks asked for while one runs
// are folded into one more check.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { typeChecker } from "./typecheck.mjs";

// A checker on a worker thread: check() -> Promise<{ checked, errors }>; close() ends it.
export function backgroundChecker(project) {
  const worker = new Worker(new URL(import.meta.url), { workerData: project });
  worker.unref();
  let waiting = [];
  let seq = 0;
  // a reply covers every request up to the one it names
  worker.on("message", ({ upTo, result }) => {
    for (const w of waiting) if (w.seq <= upTo) w.resolve(result);
    waiting = waiting.filter((w) => w.seq > upTo);
  });
  worker.on("error", (e) => { for (const w of waiting.splice(0)) w.reject(e); });
  return {
    check() {
      return new Promise((resolve, reject) => {
        waiting.push({ seq: ++seq, resolve, reject });
        worker.postMessage(seq);
      });
    },
    close() { return worker.terminate(); },
  };
}

if (!isMainThread) {
  const checker = typeChecker(workerData);
  let latest = 0, done = 0, queued = false;
  // Check once for every request received so far.
  const run = () => {
    queued = false;
    const upTo = latest;
    if (upTo <= done) return;
    parentPort.postMessage({ upTo, result: checker.check() });
    done = upTo;
    if (latest > done && !queued) { queued = true; setImmediate(run); }
  };
  parentPort.on("message", (n) => {
    latest = Math.max(latest, n);
    if (!queued) { queued = true; setImmediate(run); }
  });
}
