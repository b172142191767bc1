// URL and URLSearchParams, from whatwg-url: the reference implementation of
// the WHATWG URL Standard that jsdom uses (with tr46 for international
// domain names), pinned in package.json and bundled at build time. A URL
// parser is a standard's worth of edge cases (hosts, IPv6, percent-encoding,
// special schemes), so udf uses the one that tracks the standard rather
// than a hand-written one. The package reads TextEncoder at load time, so
// it is required here, once setupWeb has defined it, not imported.

export function setupUrl(global) {
  // eslint-disable-next-line no-undef
  const { URL, URLSearchParams } = require("whatwg-url");
  const define = (name, value) =>
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  define("URL", URL);
  define("URLSearchParams", URLSearchParams);
}
