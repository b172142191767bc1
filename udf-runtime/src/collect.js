// collect() a batch at a time. The package's collect() (and take, first,
// unique, which use it) reads a query with `for await`: one promise, one
// syscall and one jsonToConvex per row. This one takes the host's batches
// whole (streams.js): one await per batch, and no jsonToConvex for a batch
// the host marked plain (no value in it needs Convex decoding, so decoding
// would give the same values). Everything else is the package's own: the
// query is started and closed by its methods, a query already being read
// or closed goes to its collect() (which throws its own errors), and an
// error while reading leaves the query as the package would.
import { jsonToConvex } from "convex/values";
import { QueryImpl } from "../node_modules/convex/dist/esm/server/impl/query_impl.js";

export function installBatchedCollect(streams) {
  const packageCollect = QueryImpl.prototype.collect;
  Object.defineProperty(QueryImpl.prototype, "collect", {
    value: async function collect() {
      if (this.state.type !== "preparing") return packageCollect.call(this);
      const queryId = this.startQuery();
      const out = [];
      for (;;) {
        const { rows, plain, done } = await streams.nextBatchAsync(queryId);
        if (plain) for (let i = 0; i < rows.length; i++) out.push(rows[i]);
        else for (let i = 0; i < rows.length; i++) out.push(jsonToConvex(rows[i]));
        if (done) break;
      }
      this.closeQuery();
      return out;
    },
    writable: true,
    configurable: true,
  });
}
