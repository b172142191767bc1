// Determinism for queries and mutations, as Convex's runtime has it:
// Math.random and crypto.getRandomValues draw from one PRNG seeded per call
// by the host, and Date.now()/new Date() return the time the call began.
// Actions get the real clock and a freshly seeded PRNG per call.
// performance.now() follows the same clock.
//
// The PRNG is xoshiro128** (fast, good statistics, not cryptographic -- and
// nothing here claims it is: actions get OpenSSL's CSPRNG, 09_crypto.js).

function makePrng(seedHex) {
  // 32 hex chars or more; fold any length into four 32-bit words
  const s = new Uint32Array(4);
  for (let i = 0; i < seedHex.length; i += 8) {
    const word = parseInt(seedHex.slice(i, i + 8).padEnd(8, "0"), 16) >>> 0;
    const k = (i / 8) % 4;
    s[k] = (Math.imul(s[k] ^ word, 0x9e3779b1) + 0x7f4a7c15) >>> 0;
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  const rotl = (x, k) => (x << k) | (x >>> (32 - k));
  const nextU32 = () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  // warm up so that similar seeds diverge
  for (let i = 0; i < 8; i++) nextU32();
  return {
    nextU32,
    // 53 random bits, like V8's own Math.random resolution
    nextFloat: () => ((nextU32() >>> 5) * 67108864 + (nextU32() >>> 6)) / 9007199254740992,
  };
}

const MAX_ENTROPY = 65536;

// crypto.getRandomValues' argument rules (Web Crypto): an integer-typed array of at most 64 KiB.
export function checkRandomValuesTarget(array) {
  if (!ArrayBuffer.isView(array) || array instanceof Float32Array || array instanceof Float64Array ||
      array instanceof DataView) {
    const e = new TypeError("The provided value is not an integer-typed array");
    e.name = "TypeMismatchError";
    throw e;
  }
  if (array.byteLength > MAX_ENTROPY) {
    throw new RangeError(
      `Byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (${MAX_ENTROPY})`);
  }
}

export function setupDeterminism(global) {
  const RealDate = global.Date;
  const realNow = RealDate.now;
  let frozenNow = null; // number while a deterministic phase runs
  let prngSeed = "5eed";
  let prng = null;
  const draw = () => prng ?? (prng = makePrng(prngSeed));

  function currentTime() {
    return frozenNow === null ? realNow() : frozenNow;
  }

  function Date(...args) {
    if (!new.target) return new RealDate(currentTime()).toString();
    if (args.length === 0) return Reflect.construct(RealDate, [currentTime()], new.target);
    return Reflect.construct(RealDate, args, new.target);
  }
  Object.defineProperty(Date, "prototype", { value: RealDate.prototype, writable: false });
  // bundlers may rename the function; error messages use constructor.name
  Object.defineProperty(Date, "name", { value: "Date" });
  Date.now = () => currentTime();
  Date.parse = RealDate.parse;
  Date.UTC = RealDate.UTC;
  Object.defineProperty(RealDate.prototype, "constructor", { value: Date, writable: true, configurable: true });
  Object.defineProperty(global, "Date", { value: Date, writable: true, configurable: true, enumerable: false });

  global.Math.random = () => draw().nextFloat();

  // performance.now(): ms since the context began, rounded down to 0.1 ms; in a
  // deterministic phase the frozen clock's value, so it does not move during a call
  const timeOrigin = realNow();
  const performance = Object.freeze({
    timeOrigin,
    now: () => Math.floor((currentTime() - timeOrigin) * 10) / 10,
    toJSON: () => ({ timeOrigin }),
  });
  Object.defineProperty(global, "performance", { value: performance, writable: true, configurable: true, enumerable: false });

  function getRandomValues(array) {
    checkRandomValuesTarget(array);
    const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
    for (let i = 0; i < bytes.length; i += 4) {
      let r = draw().nextU32();
      for (let j = 0; j < 4 && i + j < bytes.length; j++, r >>>= 8) bytes[i + j] = r & 255;
    }
    return array;
  }
  function randomUUID() {
    const b = getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  Object.defineProperty(global, "crypto", {
    value: Object.freeze({ getRandomValues, randomUUID }),
    writable: true, configurable: true, enumerable: false,
  });

  return {
    // The real clock, whatever the phase (the event loop's timers run on it).
    realNow,
    // Enter a phase: deterministic phases freeze time at `now` (ms).
    // The PRNG is made on first use: most calls never draw a number.
    begin({ seed, now, deterministic }) {
      prngSeed = seed;
      prng = null;
      frozenNow = deterministic ? now : null;
    },
    end() {
      frozenNow = null;
    },
    // A nested call (ctx.runQuery / runMutation) runs in its own context; its
    // seed comes from the caller's PRNG, so it stays deterministic.
    childSeed() {
      let hex = "";
      for (let i = 0; i < 4; i++) hex += draw().nextU32().toString(16).padStart(8, "0");
      return hex;
    },
  };
}

export { makePrng };
