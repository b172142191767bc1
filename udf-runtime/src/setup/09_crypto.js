// crypto: getRandomValues and randomUUID from OpenSSL's CSPRNG in actions
// (the seeded PRNG of 01_determinism stays in queries, mutations and the
// import phase), and crypto.subtle, the Web Cryptography API, for the
// algorithms JWT, JWE and webhook-signature libraries use: digest
// (SHA-1/256/384/512), HMAC (sign/verify), AES-GCM, AES-CBC and AES-CTR
// (encrypt/decrypt), AES-KW (wrapKey/unwrapKey), PBKDF2 and HKDF
// (deriveBits/deriveKey), with importKey/exportKey in the raw and jwk
// formats and generateKey for secret keys.
//
// The asymmetric algorithms -- Ed25519, ECDSA, RSASSA-PKCS1-v1_5, RSA-PSS,
// with the pkcs8, spki, raw and jwk formats -- are in subtle_keys.js.
//
// This file holds the API's rules (algorithm names and parameters, key
// usages, extractability, formats); the primitives run in the host
// (extension/crypto.c and crypto_keys.c, typed ops crypto/*, bytes in and
// out). Randomness in queries and mutations stays deterministic, so
// generateKey there fails with Convex's words.
import { makeAsymmetric, ASYMMETRIC } from "../subtle_keys.js";
import { checkRandomValuesTarget } from "./01_determinism.js";

const HASHES = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"];
const HASH_BLOCK_BITS = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };
const AES = ["AES-GCM", "AES-CBC", "AES-CTR", "AES-KW"];
const NAMES = ["HMAC", ...AES, "PBKDF2", "HKDF", ...HASHES, ...ASYMMETRIC];
const UNSUPPORTED = ["X448", "Ed448"];

export function setupCrypto(global, { ops, inAction }) {
  const DOMException = global.DOMException;
  const fail = (name, message) => new DOMException(message, name);
  const previous = global.crypto;
  const keyData = new WeakMap(); // CryptoKey -> Uint8Array (secret) or {der, private} (asymmetric)

  // A BufferSource's bytes (a copy), or a TypeError.
  function bytesOf(data, what = "data") {
    if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    throw new TypeError(`${what} is not an ArrayBuffer or a view of one`);
  }

  // Run a host primitive; its "Name: message" error becomes that DOMException.
  function primitive(name, ...args) {
    try {
      return ops.crypto(name, ...args);
    } catch (e) {
      const m = /^(\w+Error): (.*)$/.exec(e.message);
      throw m ? fail(m[1], m[2]) : e;
    }
  }

  // An algorithm identifier as {name, ...params} with the name in its canonical case.
  function normalize(alg) {
    const obj = typeof alg === "string" ? { name: alg } : alg;
    if (!obj || typeof obj.name !== "string") throw new TypeError("Algorithm: a name is required");
    const upper = obj.name.toUpperCase();
    const name = NAMES.find((n) => n.toUpperCase() === upper);
    if (!name) {
      const known = UNSUPPORTED.find((n) => n.toUpperCase() === upper);
      throw fail("NotSupportedError", known ? `udf does not implement ${known} yet` : `Unrecognized algorithm name: ${obj.name}`);
    }
    return { ...obj, name };
  }
  function hashOf(hash) {
    if (hash === undefined) throw new TypeError("Algorithm: a hash is required");
    const h = normalize(hash).name;
    if (!HASHES.includes(h)) throw fail("NotSupportedError", `${h} is not a hash algorithm`);
    return h;
  }

  class CryptoKey {
    constructor() {
      throw new TypeError("Illegal constructor");
    }
    get [Symbol.toStringTag]() {
      return "CryptoKey";
    }
  }
  function makeKey(bytes, algorithm, extractable, usages, allowed, type = "secret") {
    const bad = usages.find((u) => !allowed.includes(u));
    if (bad) throw fail("SyntaxError", `Cannot create a key using the specified key usage: ${bad}`);
    if (usages.length === 0 && type !== "public") throw fail("SyntaxError", "Usages cannot be empty when creating a key.");
    const key = Object.create(CryptoKey.prototype, {
      type: { value: type, enumerable: true },
      extractable: { value: Boolean(extractable), enumerable: true },
      algorithm: { value: Object.freeze(algorithm), enumerable: true },
      usages: { value: Object.freeze([...new Set(usages)]), enumerable: true },
    });
    keyData.set(key, bytes);
    return key;
  }
  // An asymmetric key's {der, private}, checked for a usage if one is given.
  function material(key, usage) {
    const m = keyData.get(key);
    if (!m || m instanceof Uint8Array) throw new TypeError("The key is not an asymmetric CryptoKey");
    if (usage && !key.usages.includes(usage)) throw fail("InvalidAccessError", `The key does not allow ${usage}`);
    return m;
  }
  const asymmetric = makeAsymmetric({ primitive, fail, bytesOf, makeKey, material, hashOf, inAction });

  function secretOf(key, algName, usage) {
    const bytes = keyData.get(key);
    if (!bytes) throw new TypeError("The key is not a CryptoKey");
    if (key.algorithm.name !== algName) throw fail("InvalidAccessError", `The key is a ${key.algorithm.name} key, not ${algName}`);
    if (!key.usages.includes(usage)) throw fail("InvalidAccessError", `The key does not allow ${usage}`);
    return bytes;
  }

  const b64url = (bytes) => global.btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const fromB64url = (s) => {
    try {
      return Uint8Array.from(global.atob(String(s).replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    } catch {
      throw fail("DataError", "The JWK member k is not base64url");
    }
  };
  const JWK_HMAC = { "SHA-1": "HS1", "SHA-256": "HS256", "SHA-384": "HS384", "SHA-512": "HS512" };

  // The raw bytes of a key being imported, from the raw or jwk format.
  function importedBytes(format, data) {
    if (format === "raw") return bytesOf(data, "keyData");
    if (format === "jwk") {
      if (!data || data.kty !== "oct" || typeof data.k !== "string") throw fail("DataError", "The JWK is not an oct key with k");
      return fromB64url(data.k);
    }
    throw fail("NotSupportedError", `udf does not import ${format} keys for this algorithm`);
  }

  const subtle = {
    async digest(algorithm, data) {
      const name = hashOf(algorithm);
      return primitive("crypto/digest", name, bytesOf(data));
    },

    async importKey(format, data, algorithm, extractable, usages) {
      const alg = normalize(algorithm);
      if (ASYMMETRIC.includes(alg.name)) return asymmetric.importKey(format, data, alg, extractable, usages);
      const bytes = importedBytes(format, data);
      switch (alg.name) {
        case "HMAC": {
          const hash = hashOf(alg.hash);
          if (bytes.length === 0) throw fail("DataError", "HMAC key data must not be empty");
          const length = alg.length === undefined ? bytes.length * 8 : Number(alg.length);
          return makeKey(bytes, { name: "HMAC", hash: { name: hash }, length }, extractable, usages, ["sign", "verify"]);
        }
        case "AES-GCM":
        case "AES-CBC":
        case "AES-CTR":
        case "AES-KW":
          if (![16, 24, 32].includes(bytes.length)) throw fail("DataError", "AES key data must be 128, 192 or 256 bits");
          return makeKey(bytes, { name: alg.name, length: bytes.length * 8 }, extractable, usages,
            alg.name === "AES-KW" ? ["wrapKey", "unwrapKey"] : ["encrypt", "decrypt", "wrapKey", "unwrapKey"]);
        case "PBKDF2":
        case "HKDF":
          if (format !== "raw") throw fail("NotSupportedError", `${alg.name} keys are imported in the raw format`);
          if (extractable) throw fail("SyntaxError", `${alg.name} keys cannot be extractable`);
          return makeKey(bytes, { name: alg.name }, false, usages, ["deriveBits", "deriveKey"]);
        default:
          throw fail("NotSupportedError", `${alg.name} keys cannot be imported`);
      }
    },

    async exportKey(format, key) {
      const bytes = keyData.get(key);
      if (!bytes) throw new TypeError("The key is not a CryptoKey");
      if (!key.extractable) throw fail("InvalidAccessError", "The key is not extractable");
      if (key.type !== "secret") return asymmetric.exportKey(format, key);
      if (format === "raw") return bytes.slice().buffer;
      if (format === "jwk") {
        const alg = key.algorithm.name === "HMAC" ? JWK_HMAC[key.algorithm.hash.name]
          : `A${key.algorithm.length}${key.algorithm.name.slice(4)}`; // A256GCM, A128CBC, A128CTR, A128KW
        return { kty: "oct", k: b64url(bytes), alg, ext: true, key_ops: [...key.usages] };
      }
      throw fail("NotSupportedError", `udf does not export ${format} keys for ${key.algorithm.name}`);
    },

    async generateKey(algorithm, extractable, usages) {
      const alg = normalize(algorithm);
      if (ASYMMETRIC.includes(alg.name)) return asymmetric.generateKey(alg, extractable, usages);
      if (!inAction()) {
        throw new Error("Can't use cryptographic randomness in queries and mutations. Please consider using an action.");
      }
      let bits;
      if (alg.name === "HMAC") bits = alg.length === undefined ? HASH_BLOCK_BITS[hashOf(alg.hash)] : Number(alg.length);
      else if (AES.includes(alg.name)) bits = Number(alg.length);
      else throw fail("NotSupportedError", `udf does not generate ${alg.name} keys`);
      const raw = new Uint8Array(primitive("crypto/random", Math.ceil(bits / 8)));
      return subtle.importKey("raw", raw, alg, extractable, usages);
    },

    async sign(algorithm, key, data) {
      const alg = normalize(algorithm);
      if (ASYMMETRIC.includes(alg.name)) return asymmetric.use(true, alg, key, null, data);
      if (alg.name !== "HMAC") throw fail("NotSupportedError", `udf does not sign with ${alg.name}`);
      return primitive("crypto/hmac", key.algorithm.hash?.name, secretOf(key, "HMAC", "sign"), bytesOf(data));
    },

    async verify(algorithm, key, signature, data) {
      const alg = normalize(algorithm);
      if (ASYMMETRIC.includes(alg.name)) return asymmetric.use(false, alg, key, signature, data) === "true";
      if (alg.name !== "HMAC") throw fail("NotSupportedError", `udf does not verify ${alg.name}`);
      const expected = new Uint8Array(primitive("crypto/hmac", key.algorithm.hash?.name, secretOf(key, "HMAC", "verify"), bytesOf(data)));
      const given = bytesOf(signature, "signature");
      // compare every byte whatever differs first
      let diff = expected.length ^ given.length;
      for (let i = 0; i < expected.length; i++) diff |= expected[i] ^ (given[i] ?? 0);
      return diff === 0;
    },

    async encrypt(algorithm, key, data) {
      return cipher(true, normalize(algorithm), key, data, "encrypt");
    },
    async decrypt(algorithm, key, data) {
      return cipher(false, normalize(algorithm), key, data, "decrypt");
    },

    // export, then encrypt (or AES-KW wrap) the key's bytes
    async wrapKey(format, key, wrappingKey, wrapAlgorithm) {
      const alg = normalize(wrapAlgorithm);
      const exported = await subtle.exportKey(format, key);
      const bytes = format === "jwk" ? new TextEncoder().encode(JSON.stringify(exported)) : new Uint8Array(exported);
      if (alg.name === "AES-KW") return primitive("crypto/aesKw", true, secretOf(wrappingKey, "AES-KW", "wrapKey"), bytes);
      return cipher(true, alg, wrappingKey, bytes, "wrapKey");
    },

    // decrypt (or AES-KW unwrap), then import the key
    async unwrapKey(format, wrapped, unwrappingKey, unwrapAlgorithm, keyAlgorithm, extractable, usages) {
      const alg = normalize(unwrapAlgorithm);
      const bytes = alg.name === "AES-KW"
        ? primitive("crypto/aesKw", false, secretOf(unwrappingKey, "AES-KW", "unwrapKey"), bytesOf(wrapped))
        : await cipher(false, alg, unwrappingKey, wrapped, "unwrapKey");
      let data = bytes;
      if (format === "jwk") {
        try {
          data = JSON.parse(new TextDecoder().decode(bytes));
        } catch {
          throw fail("DataError", "The unwrapped key is not a JWK");
        }
      }
      return subtle.importKey(format, data, keyAlgorithm, extractable, usages);
    },

    async deriveBits(algorithm, baseKey, length) {
      const alg = normalize(algorithm);
      if (alg.name === "ECDH" || alg.name === "X25519") return asymmetric.deriveShared(alg, baseKey, length);
      const bits = Number(length);
      if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0) throw fail("OperationError", "length must be a positive multiple of 8");
      if (alg.name === "PBKDF2") {
        return primitive("crypto/pbkdf2", hashOf(alg.hash), secretOf(baseKey, "PBKDF2", "deriveBits"),
          bytesOf(alg.salt, "salt"), Number(alg.iterations), bits);
      }
      if (alg.name === "HKDF") {
        return primitive("crypto/hkdf", hashOf(alg.hash), secretOf(baseKey, "HKDF", "deriveBits"),
          bytesOf(alg.salt, "salt"), bytesOf(alg.info, "info"), bits);
      }
      throw fail("NotSupportedError", `udf does not derive bits with ${alg.name}`);
    },

    async deriveKey(algorithm, baseKey, derivedKeyAlgorithm, extractable, usages) {
      const target = normalize(derivedKeyAlgorithm);
      const bits = target.name === "HMAC"
        ? (target.length === undefined ? HASH_BLOCK_BITS[hashOf(target.hash)] : Number(target.length))
        : Number(target.length);
      // deriveKey needs the deriveKey usage, not deriveBits
      const alg = normalize(algorithm);
      let raw;
      if (alg.name === "ECDH" || alg.name === "X25519") {
        if (!baseKey.usages.includes("deriveKey")) throw fail("InvalidAccessError", "The key does not allow deriveKey");
        const proxy = makeKey(keyData.get(baseKey), baseKey.algorithm, false, ["deriveBits"], ["deriveBits"], "private");
        raw = await asymmetric.deriveShared(alg, proxy, bits);
      } else {
        secretOf(baseKey, alg.name, "deriveKey");
        const proxy = makeKey(keyData.get(baseKey), { name: alg.name }, false, ["deriveBits"], ["deriveBits"]);
        raw = await subtle.deriveBits(algorithm, proxy, bits);
      }
      return subtle.importKey("raw", raw, target, extractable, usages);
    },
  };

  // encrypt or decrypt with AES-GCM, AES-CBC, AES-CTR or RSA-OAEP; usage is what the key must allow
  async function cipher(encrypt, alg, key, data, usage) {
    if (alg.name === "RSA-OAEP") return asymmetric.oaep(encrypt, alg, key, data, usage);
    if (alg.name === "AES-CBC" || alg.name === "AES-CTR") {
      const mode = alg.name.slice(4);
      const iv = bytesOf(mode === "CBC" ? alg.iv : alg.counter, mode === "CBC" ? "iv" : "counter");
      const length = mode === "CTR" ? Number(alg.length) : 0;
      return primitive("crypto/aes", mode, encrypt, secretOf(key, alg.name, usage), iv, bytesOf(data), length);
    }
    if (alg.name !== "AES-GCM") throw fail("NotSupportedError", `udf does not ${encrypt ? "encrypt" : "decrypt"} with ${alg.name}`);
    const tagLength = alg.tagLength === undefined ? 128 : Number(alg.tagLength);
    if (![32, 64, 96, 104, 112, 120, 128].includes(tagLength)) throw fail("OperationError", `tagLength ${tagLength} is not valid`);
    const secret = secretOf(key, "AES-GCM", usage);
    return primitive("crypto/aesGcm", encrypt, secret, bytesOf(alg.iv, "iv"), bytesOf(data),
      alg.additionalData === undefined ? new Uint8Array(0) : bytesOf(alg.additionalData, "additionalData"), tagLength);
  }

  // In actions, real randomness (Convex: actions are not deterministic); elsewhere the seeded PRNG.
  function getRandomValues(array) {
    if (!inAction()) return previous.getRandomValues(array);
    checkRandomValuesTarget(array);
    const random = new Uint8Array(primitive("crypto/random", array.byteLength));
    new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(random);
    return array;
  }
  function randomUUID() {
    if (!inAction()) return previous.randomUUID();
    const b = getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const define = (name, value) =>
    Object.defineProperty(global, name, { value, writable: true, configurable: true, enumerable: false });
  define("crypto", Object.freeze({ getRandomValues, randomUUID, subtle: Object.freeze(subtle) }));
  define("CryptoKey", CryptoKey);
}
