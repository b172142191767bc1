// deploy.sql: an args validator that is undefined, refused when the function is defined
import { query } from './_generated/server';
export const q = query({ args: { x: undefined }, handler: () => 1 });
