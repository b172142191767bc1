// The streams bundle, loaded on first use (setup/11_streams.js): the
// stream classes of web-streams-polyfill, and TextEncoderStream and
// TextDecoderStream built on its TransformStream with the runtime's UTF-8
// coder (the global TextEncoder and TextDecoder, read when one is made).
import * as streams from "web-streams-polyfill";
import { STREAM_CLASSES } from "./stream_names.js";

// Every global of the part, {name: class}, for the context's global object.
export function streamGlobals(global) {
  const out = {};
  for (const name of STREAM_CLASSES) if (streams[name]) out[name] = streams[name];
  class TextEncoderStream extends streams.TransformStream {
    constructor() {
      const encoder = new global.TextEncoder();
      super({ transform: (chunk, c) => c.enqueue(encoder.encode(String(chunk))) });
    }
    get encoding() {
      return "utf-8";
    }
  }
  class TextDecoderStream extends streams.TransformStream {
    constructor(label = "utf-8", options = {}) {
      const decoder = new global.TextDecoder(label, options);
      // carry an incomplete UTF-8 sequence over to the next chunk
      let pending = new Uint8Array(0);
      super({
        transform(chunk, c) {
          const bytes = chunk instanceof ArrayBuffer ? new Uint8Array(chunk)
            : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          const all = new Uint8Array(pending.length + bytes.length);
          all.set(pending);
          all.set(bytes, pending.length);
          let end = all.length;
          // back up over a trailing partial sequence (at most 3 bytes)
          for (let i = all.length - 1; i >= Math.max(0, all.length - 3); i--) {
            const b = all[i];
            if ((b & 0xc0) === 0x80) continue;
            const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
            if (all.length - i < need) end = i;
            break;
          }
          pending = all.slice(end);
          if (end > 0) c.enqueue(decoder.decode(all.subarray(0, end)));
        },
        flush(c) {
          if (pending.length) c.enqueue(decoder.decode(pending));
        },
      });
    }
    get encoding() {
      return "utf-8";
    }
  }
  out.TextEncoderStream = TextEncoderStream;
  out.TextDecoderStream = TextDecoderStream;
  return out;
}
