// redeploy.sql: version 5, deployed in this session's transaction and rolled back
import { query } from './_generated/server';
export const get = query(() => ({ version: 5 }));
