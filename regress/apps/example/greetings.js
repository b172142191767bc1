import { v } from "convex/values";
import { getFunctionName } from "convex/server";
import { query, internalQuery } from "./_generated/server";
import { internal } from "./_generated/api";
import { greeting, initials } from "./lib/format";

// greetings:hello {name} -> "Hello, <name>!"
export const hello = query({
  args: { name: v.string(), punctuation: v.optional(v.string()) },
  returns: v.string(),
  handler: async (ctx, { name, punctuation }) => {
    console.log("greeting", name);
    return greeting(name, punctuation);
  },
});

// greetings:card {person: {first, last}, tags} -> a nested result
export const card = query({
  args: {
    person: v.object({ first: v.string(), last: v.string() }),
    tags: v.array(v.string()),
  },
  handler: async (ctx, { person, tags }) => {
    const name = `${person.first} ${person.last}`;
    return { name, initials: initials(name), tags: [...tags].sort(), count: tags.length };
  },
});

// internal functions are not callable from SQL
export const secret = internalQuery({
  args: {},
  handler: async () => "never from SQL",
});

// a function reference, as app code passes them to ctx.runQuery
export const reference = query(async () => getFunctionName(internal.greetings.secret));

// greetings -> default export
export default query(async () => greeting("default export"));
