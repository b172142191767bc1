// deploy.sql: the app deployed in a transaction that is rolled back
import { queryGeneric } from 'convex/server';
export const f = queryGeneric(() => 1);
