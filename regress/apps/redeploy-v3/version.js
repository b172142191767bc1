// redeploy.sql: version 3, deployed by the other session and rolled back
import { query } from './_generated/server';
export const get = query(() => ({ version: 3 }));
