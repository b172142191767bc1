// URL and URLSearchParams, from whatwg-url: the reference implementation of
// the WHATWG URL Standard that jsdom uses (with tr46 for international
// domain names), pinned in package.json and bundled at build time. A URL
// parser is a standard's worth of edge cases (hosts, IPv6, percent-encoding,
// special schemes), so udf uses the one that tracks the standard rather
// than a hand-written one. whatwg-url and tr46's mapping table are about a
// third of the runtime's code: they are loaded on first use (lazy.js,
// src/lazy/url.js).
import { defineLazyGlobals, evaluateBundle } from "./lazy.js";

// native.lazySource answers the bundle's text (udf.so's bytes, never copied into the heap)
export function setupUrl(global, native) {
  defineLazyGlobals(global, ["URL", "URLSearchParams"], () => {
    const text = native.lazySource("url");
    if (typeof text !== "string") throw new Error("udf: URL is not available here (the host has no URL bundle)");
    return evaluateBundle(text, "__udfUrl");
  });
}
