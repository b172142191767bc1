// typed SQL functions from validators (sql/sql_api.sql), the redeploy: add takes int64 now, gone is gone
import { v } from 'convex/values';
import { query } from './_generated/server';
export const add = query({ args: { a: v.int64(), b: v.int64() }, handler: (_ctx, { a, b }) => a + b });
export const fresh = query({ args: { s: v.string() }, returns: v.string(), handler: (_ctx, { s }) => `fresh ${s}` });
