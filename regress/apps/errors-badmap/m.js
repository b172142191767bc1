// errors.sql: a module whose source map (m.js.map) is broken: the stack keeps the plain positions
import { query } from './_generated/server';
export const f = query(() => {
  throw new Error('unmapped');
});
