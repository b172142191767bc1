// ReadableStream, WritableStream, TransformStream and their readers, writers
// and queuing strategies, from web-streams-polyfill: an implementation that
// follows the WHATWG Streams Standard's reference implementation, pinned in
// package.json and bundled at build time (its ponyfill build defines no
// globals itself; they are defined here). TextEncoderStream and
// TextDecoderStream are built on TransformStream with the runtime's UTF-8
// coder. Loaded on first use (lazy.js, src/lazy/streams.js): most functions
// never touch a stream, and the polyfill was a fifth of the runtime's code.
import { defineLazyGlobals, evaluateBundle } from "./lazy.js";
import { STREAM_CLASSES } from "../lazy/stream_names.js";

// the globals src/lazy/streams.js defines
const NAMES = [...STREAM_CLASSES, "TextEncoderStream", "TextDecoderStream"];

// native.lazySource answers the bundle's text (udf.so's bytes, never copied into the heap)
export function setupStreams(global, native) {
  defineLazyGlobals(global, NAMES, () => {
    const text = native.lazySource("streams");
    if (typeof text !== "string") throw new Error("udf: streams are not available here (the host has no streams bundle)");
    return evaluateBundle(text, "__udfStreams").streamGlobals(global);
  });
}
