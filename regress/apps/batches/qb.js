// Query rows in batches (sql/query_batches.sql): what reading a query gives,
// and what it counts, must not depend on how the host batches its rows.
import { v } from 'convex/values';
import { query, mutation } from './_generated/server';

// collect() against for await, on the same rows
export const both = query({
  args: {},
  handler: async (ctx) => {
    const collected = await ctx.db.query('qb_rows').collect();
    const iterated = [];
    for await (const r of ctx.db.query('qb_rows')) iterated.push(r);
    return {
      n: collected.length,
      same: JSON.stringify(collected, (k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof ArrayBuffer ? [...new Uint8Array(x)] : x)) ===
        JSON.stringify(iterated, (k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof ArrayBuffer ? [...new Uint8Array(x)] : x)),
      types: [typeof collected[0].big, collected[0].raw instanceof ArrayBuffer, typeof collected[0].doc.nested],
    };
  },
});
// stop after n rows: only those count as read
export const firstN = query({
  args: { n: v.number() },
  handler: async (ctx, { n }) => {
    let seen = 0;
    for await (const r of ctx.db.query('qb_rows')) if (++seen >= n) break;
    return { seen, documentsRead: (await ctx.meta.getTransactionMetrics()).documentsRead.used };
  },
});
// how many rows a read gets through before the read limit stops it, both ways
export const untilLimit = query({
  args: { how: v.string() },
  handler: async (ctx, { how }) => {
    let seen = 0;
    try {
      if (how === 'collect') return { collected: (await ctx.db.query('qb_rows').collect()).length };
      for await (const r of ctx.db.query('qb_rows')) seen++;
      return { seen };
    } catch (e) {
      return { seen, error: e.message.slice(0, 40) };
    }
  },
});
// two queries read interleaved
export const interleaved = query({
  args: {},
  handler: async (ctx) => {
    const a = ctx.db.query('qb_rows')[Symbol.asyncIterator]();
    const b = ctx.db.query('qb_rows').order('desc')[Symbol.asyncIterator]();
    const pairs = [];
    for (let i = 0; i < 3; i++) pairs.push([(await a.next()).value.k, (await b.next()).value.k]);
    await a.return();
    await b.return();
    return pairs;
  },
});
// a mutation that writes while it reads: the read sees the rows as of its start
export const writeWhileReading = mutation({
  args: {},
  handler: async (ctx) => {
    let seen = 0;
    for await (const r of ctx.db.query('qb_rows')) {
      if (seen++ === 0) await ctx.db.insert('qb_rows', { k: 1000, big: 1n, raw: new ArrayBuffer(1), doc: { nested: 'x' } });
    }
    return { seen, after: (await ctx.db.query('qb_rows').collect()).length };
  },
});
