// redeploy.sql: version 7, gone.js is gone and get came back as a mutation
import { mutation } from './_generated/server';
export const get = mutation(() => 'mutation');
