import { query } from "./_generated/server";

// the same work as /ping, called over libpq
export const ping = query({ args: {}, handler: async () => ({ ok: true }) });
