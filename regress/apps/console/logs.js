// console.sql: console.* levels and formatting, counters and timers, the line cap and cut
import { query, mutation } from './_generated/server';
import { v } from 'convex/values';
console.log('at import time');
export const levels = query(() => {
  console.log('log', 1, 'two', { three: [3] });
  console.info('info');
  console.warn('warn');
  console.error('error', new Error('shown with its message'));
  console.debug('debug');
  return null;
});
export const formats = query(() => {
  console.log('%s is %d years and %i days; %o', 'Ada', 36.5, 7.9, { a: 1 });
  console.log(
    null,
    undefined,
    true,
    5n,
    -0,
    NaN,
    [1, [2, [3, [4, [5]]]]],
    new Map([[1, 2]]),
    new Set(['x']),
    Symbol('s'),
    function named() {},
  );
  return null;
});
export const many = mutation({
  args: { n: v.number() },
  handler: (ctx, { n }) => {
    for (let i = 1; i <= n; i++) console.log('line', i);
    return n;
  },
});
export const long = query(() => {
  console.log('x'.repeat(40000));
  return null;
});
export const counters = query(() => {
  console.count();
  console.count();
  console.count('k');
  console.time('t');
  console.timeEnd('t');
  console.timeEnd('none');
  console.assert(1 === 2, 'assertion message');
  return null;
});
