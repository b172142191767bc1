import { query } from './_generated/server';
export const hello = query(() => 'hi');
