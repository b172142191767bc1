// redeploy.sql: a module of version 6 that version 7 drops
import { query } from './_generated/server';
export default query(() => 'here');
