-- The type mapping of ctx.db, both ways, for the common column types: what
-- SQL stored, JS reads; what JS writes, SQL reads.
CREATE TABLE typed (
  id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric,
  t text, vc varchar(10), u uuid, d date, ts timestamp, tstz timestamptz, by bytea,
  j json, jb jsonb, ai int[], at text[]);
INSERT INTO typed VALUES (1, true, 2, 4, 9007199254740993, 1.5, 'NaN', 12.25,
  'text', 'varchar', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2024-02-29', '2024-01-01 00:00:00',
  '2024-01-01 00:00:00+00', '\x00ff', '{"a": [1, 2]}', '{"b": null}', '{1,2,3}', '{x,y}');
INSERT INTO typed (id) VALUES (2);
SELECT udf_deploy($${"types.js": "import { query, mutation } from './_generated/server';\nimport { v } from 'convex/values';\nconst describe = (x) => x === null ? 'null' : x instanceof ArrayBuffer ? 'bytes:' + new Uint8Array(x).join(',') : typeof x === 'number' ? 'number:' + (Number.isNaN(x) ? 'NaN' : x) : typeof x === 'bigint' ? 'bigint:' + x : Array.isArray(x) ? 'array:' + JSON.stringify(x) : typeof x === 'object' ? 'object:' + JSON.stringify(x) : typeof x + ':' + x;\nexport const read = query({ args: { id: v.string() }, handler: async (ctx, { id }) => { const row = await ctx.db.get('typed', id); return Object.fromEntries(Object.entries(row).map(([k, x]) => [k, describe(x)])); } });\nexport const write = mutation(async (ctx) => ctx.db.insert('typed', { id: 3, b: false, i2: -2, i4: 2147483647, i8: 9007199254740993n, f4: 0.5, f8: -0, n: 0.1, t: 'héllo', vc: 'short', u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', d: '2000-01-01', ts: 0, tstz: 86400000, by: new Uint8Array([1, 2, 3]).buffer, j: { nested: [true] }, jb: [1, 'two', null], ai: [4, 5], at: ['p', 'q'] }));\nexport const overflow = mutation(async (ctx) => ctx.db.insert('typed', { id: 4, i2: 70000 }));\nexport const badUuid = mutation(async (ctx) => ctx.db.insert('typed', { id: 5, u: 'not-a-uuid' }));\nexport const fraction = mutation(async (ctx) => ctx.db.insert('typed', { id: 6, i4: 1.5 }));"}$$)->'modules';
SELECT key, value FROM jsonb_each(udf_invoke('types:read', '{"id": "1"}')) ORDER BY key;
SELECT key, value FROM jsonb_each(udf_invoke('types:read', '{"id": "2"}')) ORDER BY key;
SELECT udf_invoke('types:write');
SELECT b, i2, i4, i8, f4, f8, n, t, vc, u, d, ts, tstz, by, j, jb, ai, at FROM typed WHERE id = 3;
SELECT udf_invoke('types:overflow');
SELECT udf_invoke('types:badUuid');
SELECT udf_invoke('types:fraction');
DROP TABLE typed;
