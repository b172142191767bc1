// redeploy.sql: version 1, deployed here; counts its calls in module state
import { query } from './_generated/server';
let calls = 0;
export const get = query(() => ({ version: 1, calls: ++calls }));
