// limits.sql: unhandled rejections, unrepresentable results, size limits, missing globals, import()
import { query } from './_generated/server';
export const unhandled = query(() => {
  Promise.reject(new Error('nobody listens'));
  return 1;
});
export const handledLater = query(async () => {
  const p = Promise.reject(new Error('late'));
  await null;
  try {
    await p;
  } catch (e) {
    return 'caught ' + e.message;
  }
});
export const cyc = query(() => {
  const o = {};
  o.self = o;
  return o;
});
export const surrogate = query(() => 'a\ud800b');
export const echo = query((ctx, a) => a);
export const size = query((ctx, a) => JSON.stringify(a).length);
export const big = query(() => 'x'.repeat(1500000));
export const globals = query(() =>
  [
    typeof require,
    typeof process,
    typeof fetch,
    typeof setTimeout,
    typeof setInterval,
    typeof XMLHttpRequest,
    typeof WebAssembly,
    typeof Deno,
    typeof Bun,
    typeof module,
    typeof __dirname,
  ].join(','),
);
export const dynamicImport = query(async () => {
  await import('./bad.js');
  return 1;
});
