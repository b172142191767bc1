// The URL bundle, loaded on first use (setup/10_url.js): whatwg-url with
// tr46's IDNA table, about 390 kB of code and data.
export { URL, URLSearchParams } from "whatwg-url";
