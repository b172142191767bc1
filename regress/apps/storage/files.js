import { query, mutation, action } from "./_generated/server";
import { v } from "convex/values";

// store() and get() in an action; the bytes, type and size come back
export const storeText = action({
  args: { text: v.string(), type: v.optional(v.string()) },
  handler: async (ctx, { text, type }) => {
    const blob = new Blob([text], type === undefined ? {} : { type });
    return await ctx.storage.store(blob);
  },
});

export const storeBytes = action({
  args: { bytes: v.array(v.number()), sha256: v.optional(v.string()) },
  handler: async (ctx, { bytes, sha256 }) => {
    return await ctx.storage.store(new Blob([new Uint8Array(bytes)]), sha256 === undefined ? undefined : { sha256 });
  },
});

export const read = action({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    const blob = await ctx.storage.get(id);
    if (blob === null) return null;
    return { text: await blob.text(), type: blob.type, size: blob.size };
  },
});

export const storeAndRead = action({
  args: {},
  handler: async (ctx) => {
    const id = await ctx.storage.store(new Blob(["round trip"], { type: "text/plain" }));
    const blob = await ctx.storage.get(id);
    const meta = (await ctx.runQuery("files:meta", { id })).doc;
    return { text: await blob.text(), type: blob.type, url: (await ctx.storage.getUrl(id)).endsWith("/api/storage/" + id), meta };
  },
});

// everywhere: getUrl, getMetadata, and the _storage system table
export const meta = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    const doc = await ctx.db.system.get(id);
    return {
      url: await ctx.storage.getUrl(id),
      metadata: await ctx.storage.getMetadata(id),
      doc: doc === null ? null : { sha256: doc.sha256, size: doc.size, contentType: doc.contentType ?? null, idOk: doc._id === id, hasTime: typeof doc._creationTime === "number" },
    };
  },
});

export const listFiles = query({
  args: {},
  handler: async (ctx) => {
    const docs = await ctx.db.system.query("_storage").collect();
    return docs.map((d) => ({ size: d.size, contentType: d.contentType ?? null }));
  },
});

export const getNamed = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => (await ctx.db.system.get("_storage", id))?.size ?? null,
});

// delete in a mutation; generateUploadUrl in a mutation
export const remove = mutation({
  args: { id: v.string() },
  handler: async (ctx, { id }) => {
    await ctx.storage.delete(id);
    return await ctx.storage.getUrl(id);
  },
});

export const uploadUrl = mutation({
  args: {},
  handler: async (ctx) => await ctx.storage.generateUploadUrl(),
});

// what queries and mutations may not do
export const storeInMutation = mutation({
  args: {},
  handler: async (ctx) => await ctx.storage.store(new Blob(["x"])),
});

export const getInMutation = mutation({
  args: { id: v.string() },
  handler: async (ctx, { id }) => await ctx.storage.get(id),
});

export const storeNotBlob = action({
  args: {},
  handler: async (ctx) => await ctx.storage.store("not a blob"),
});

// an action that stores, then fails: the statement's rollback takes the file
export const storeThenThrow = action({
  args: {},
  handler: async (ctx) => {
    await ctx.storage.store(new Blob(["doomed"]));
    throw new Error("after the store");
  },
});

// a document id of a user table is no file
export const notAFile = mutation({
  args: {},
  handler: async (ctx) => {
    const id = await ctx.db.insert("st_notes", { body: "hi" });
    return { url: await ctx.storage.getUrl(id), metadata: await ctx.storage.getMetadata(id) };
  },
});
