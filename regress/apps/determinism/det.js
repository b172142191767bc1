// determinism.sql: frozen Date.now in queries and mutations, seeded Math.random and crypto
import { query, mutation, action } from './_generated/server';
const importedAt = Date.now();
const importRandom = Math.random();
function spin(ms) {
  let x = 0;
  for (let i = 0; i < ms * 1000000; i++) x += i % 7;
  return x;
}
export const time = query(() => {
  const a = Date.now();
  spin(30);
  const b = Date.now();
  const d = new Date();
  return {
    frozen: a === b,
    sameAsNewDate: d.getTime() === a,
    dateString: Date() === new Date(a).toString(),
    isDate: d instanceof Date,
    parsed: new Date(0).toISOString(),
    utc: Date.UTC(2020, 0, 1),
  };
});
export const mtime = mutation(() => {
  const a = Date.now();
  spin(30);
  return a === Date.now();
});
export const atime = action(async () => {
  const a = Date.now();
  let b = a;
  const until = a + 20;
  while (b < until) b = Date.now();
  return b > a;
});
export const now = query(() => Date.now());
export const rand = query(() => {
  const r = [Math.random(), Math.random(), Math.random()];
  return { inRange: r.every((x) => x >= 0 && x < 1), distinct: new Set(r).size === 3, values: r };
});
export const bytes = query(() => Array.from(crypto.getRandomValues(new Uint8Array(8))));
export const uuid = query(() =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
);
export const badBytes = query(() => crypto.getRandomValues(new Float64Array(2)));
export const tooMany = query(() => crypto.getRandomValues(new Uint8Array(65537)));
export const imported = query(() => ({ importedAt, importRandom }));
