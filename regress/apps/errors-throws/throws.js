// errors.sql: every kind of thrown value, rejection and ConvexError, and how each reaches SQL
import { query } from './_generated/server';
import { ConvexError } from 'convex/values';
export const num = query(() => {
  throw 42;
});
export const str = query(() => {
  throw 'a string';
});
export const nul = query(() => {
  throw null;
});
export const undef = query(() => {
  throw undefined;
});
export const obj = query(() => {
  throw { reason: 'plain object' };
});
export const type = query(() => null.property);
export const range = query(() => new Array(-1));
class AppError extends Error {
  constructor(m) {
    super(m);
    this.name = 'AppError';
  }
}
export const custom = query(() => {
  throw new AppError('custom class');
});
export const empty = query(() => {
  throw new Error();
});
export const rejected = query(() => Promise.reject(new Error('rejected promise')));
export const later = query(async () => {
  await null;
  await null;
  throw new Error('after awaits');
});
export const convexString = query(() => {
  throw new ConvexError('just a string');
});
export const convexNested = query(() => {
  throw new ConvexError({ list: [1, 2n], nested: { ok: false } });
});
export const never = query(() => new Promise(() => {}));
export const caught = query(() => {
  try {
    throw new Error('inner');
  } catch (e) {
    return 'recovered from ' + e.message;
  }
});
