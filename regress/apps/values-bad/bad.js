// values.sql: results that are not Convex values (Map, cycles, functions, symbols...)
import { query } from './_generated/server';
export const map = query(() => new Map());
export const cyc = query(() => {
  const o = {};
  o.self = o;
  return o;
});
export const fn = query(() => ({ f: () => 1 }));
export const undefInArray = query(() => [1, undefined]);
export const dollar = query(() => ({ $bad: 1 }));
export const sym = query(() => Symbol('s'));
export const big = query(() => 2n ** 64n);
export const cls = query(
  () =>
    new (class Point {
      constructor() {
        this.x = 1;
      }
    })(),
);
export const date = query(() => new Date(0));
