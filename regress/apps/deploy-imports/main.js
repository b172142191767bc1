// deploy.sql: imports by relative path with and without .js, namespace and default imports
import { query } from './_generated/server';
import * as cyc from './cycle/a';
import { viaA } from './cycle/b.js';
import def from './lib/def';
export const run = query(() => [cyc.a(), viaA(), def]);
