// The stream classes web-streams-polyfill defines, by name: the globals of
// the streams part (lazy/streams.js defines them; setup/11_streams.js makes
// them loaded on first use). Its own module, so the runtime can know the
// names without bundling the polyfill.
export const STREAM_CLASSES = ["ReadableStream", "ReadableStreamDefaultReader", "ReadableStreamBYOBReader",
  "ReadableByteStreamController", "ReadableStreamDefaultController", "WritableStream",
  "WritableStreamDefaultWriter", "WritableStreamDefaultController", "TransformStream",
  "TransformStreamDefaultController", "ByteLengthQueuingStrategy", "CountQueuingStrategy"];
