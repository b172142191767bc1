// redeploy.sql: version 6, get is a query (gone.js beside it)
import { query } from './_generated/server';
export const get = query(() => 'query');
