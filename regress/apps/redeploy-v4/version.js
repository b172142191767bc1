// redeploy.sql: version 4, deployed and committed by the other session
import { query } from './_generated/server';
export const get = query(() => ({ version: 4 }));
