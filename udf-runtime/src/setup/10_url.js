// URL and URLSearchParams, from whatwg-url: the reference implementation of
// the WHATWG URL Standard that jsdom uses (with tr46 for international
// domain names), pinned in package.json and bundled at build time. A URL
// parser is a standard's worth of edge cases (hosts, IPv6, percent-encoding,
// special schemes), so udf uses the one that tracks the standard rather
// than a hand-written one. whatwg-url and tr46's mapping table are about a
// third of the runtime's code: they are loaded on first use (lazy.js,
// src/lazy/url.js).
import urlBundle from "udf-lazy:url";
import { defineLazyGlobals, evaluateBundle } from "./lazy.js";

export function setupUrl(global) {
  defineLazyGlobals(global, ["URL", "URLSearchParams"], () => evaluateBundle(urlBundle, "__udfUrl"));
}
