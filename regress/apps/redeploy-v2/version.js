// redeploy.sql: version 2, deployed here; its module state starts afresh
import { query } from './_generated/server';
let calls = 0;
export const get = query(() => ({ version: 2, calls: ++calls }));
