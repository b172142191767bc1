// Query rows in batches. The package reads a query one row per
// 1.0/queryStreamNext; the host fetches rows from the query's portal in
// batches (typed op db/queryNext), which are kept here and handed out one
// by one, so a row costs no trip to the host. Batches grow from a few rows
// to the host's maximum, so a query read only in part fetches little past
// what it used; rows a batch delivered and the function never took are
// uncounted from the read limits at cleanup. collect() takes whole batches
// (collect.js).
const FIRST_BATCH = 8;
const MAX_BATCH = 1024;

export function makeStreams(ops) {
  // queryId -> {rows, next, done, plain, size}
  const open = new Map();

  // The stream of queryId, with at least one row to hand out unless done.
  function fill(queryId) {
    let s = open.get(queryId);
    if (s === undefined) {
      s = { rows: [], next: 0, done: false, plain: true, size: FIRST_BATCH };
      open.set(queryId, s);
    }
    if (s.next === s.rows.length && !s.done) {
      const batch = ops.queryNext(queryId, s.size);
      s.rows = batch.rows;
      s.next = 0;
      s.done = batch.done;
      s.plain = batch.plain;
      s.size = Math.min(s.size * 4, MAX_BATCH);
    }
    return s;
  }

  return {
    // 1.0/queryStreamNext: the next row as {value, done}.
    next(queryId) {
      const s = fill(queryId);
      if (s.next < s.rows.length) return { value: s.rows[s.next++], done: false };
      open.delete(queryId);
      return { value: null, done: true };
    },

    // The rest of a batch at once, for collect(): a promise of {rows, plain,
    // done}, settled as a syscall's would be (a refusal rejects it).
    nextBatchAsync(queryId) {
      try {
        const s = fill(queryId);
        const rows = s.next === 0 ? s.rows : s.rows.slice(s.next);
        s.next = s.rows.length;
        if (s.done) open.delete(queryId);
        return Promise.resolve({ rows, plain: s.plain, done: s.done });
      } catch (e) {
        return Promise.reject(e);
      }
    },

    // 1.0/queryCleanup's arguments, with the rows delivered and never taken.
    cleanupArgs(queryId) {
      const s = open.get(queryId);
      open.delete(queryId);
      const unread = s === undefined ? 0 : s.rows.length - s.next;
      return JSON.stringify(unread > 0 ? { queryId, unread } : { queryId });
    },

    // the call ended: its streams are gone
    endCall() {
      if (open.size !== 0) open.clear();
    },
  };
}
