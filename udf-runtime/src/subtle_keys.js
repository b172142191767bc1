// The asymmetric half of crypto.subtle (setup/09_crypto.js): Ed25519, ECDSA
// (P-256, P-384, P-521), RSASSA-PKCS1-v1_5 and RSA-PSS keys to sign and
// verify, RSA-OAEP keys to encrypt and decrypt, ECDH and X25519 keys to
// derive shared bits; imported from and exported to the raw (public keys),
// pkcs8, spki and jwk formats, and generated in actions. A key's material is
// held as DER (PKCS #8 or SubjectPublicKeyInfo), which the host's OpenSSL
// reads directly (extension/crypto_keys.c); the rules of the Web
// Cryptography API (usages per key type, formats per type, the algorithm
// object a key reports) are kept here.

const CURVES = ["P-256", "P-384", "P-521"];
const JWK_ALG = {
  ECDSA: { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" },
  "RSASSA-PKCS1-v1_5": { "SHA-1": "RS1", "SHA-256": "RS256", "SHA-384": "RS384", "SHA-512": "RS512" },
  "RSA-PSS": { "SHA-1": "PS1", "SHA-256": "PS256", "SHA-384": "PS384", "SHA-512": "PS512" },
  "RSA-OAEP": { "SHA-1": "RSA-OAEP", "SHA-256": "RSA-OAEP-256", "SHA-384": "RSA-OAEP-384", "SHA-512": "RSA-OAEP-512" },
};
export const ASYMMETRIC = ["Ed25519", "ECDSA", "RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP", "ECDH", "X25519"];
const SIGNING = { private: ["sign"], public: ["verify"] };
const USAGES = {
  Ed25519: SIGNING, ECDSA: SIGNING, "RSASSA-PKCS1-v1_5": SIGNING, "RSA-PSS": SIGNING,
  "RSA-OAEP": { private: ["decrypt", "unwrapKey"], public: ["encrypt", "wrapKey"] },
  ECDH: { private: ["deriveBits", "deriveKey"], public: [] },
  X25519: { private: ["deriveBits", "deriveKey"], public: [] },
};
const curved = (name) => name === "ECDSA" || name === "ECDH";

// The host's kind of key for an algorithm name.
const kindOf = (name) => (name === "Ed25519" || name === "X25519" ? name : curved(name) ? "EC" : "RSA");

export const isCurved = curved;

export function makeAsymmetric({ primitive, fail, bytesOf, makeKey, material, hashOf, inAction }) {
  // The algorithm object a key reports, from the import's algorithm and the host's answer.
  function algorithmOf(alg, answer) {
    if (alg.name === "Ed25519" || alg.name === "X25519") return { name: alg.name };
    if (curved(alg.name)) return { name: alg.name, namedCurve: answer.curve };
    // RSA: the public exponent from the key itself
    const jwk = JSON.parse(primitive("crypto/keyExport", "jwk", answer.der, answer.private));
    const e = Uint8Array.from(globalThis.atob(jwk.e.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    return { name: alg.name, hash: { name: hashOf(alg.hash) }, modulusLength: answer.bits, publicExponent: e };
  }

  function keyFrom(answer, alg, extractable, usages) {
    const type = answer.private ? "private" : "public";
    const allowed = USAGES[alg.name][type];
    return makeKey({ der: new Uint8Array(answer.der), private: answer.private }, algorithmOf(alg, answer),
      extractable, usages, allowed, type);
  }

  return {
    importKey(format, data, alg, extractable, usages) {
      if (curved(alg.name) && !CURVES.includes(alg.namedCurve)) {
        throw fail("NotSupportedError", `namedCurve must be one of ${CURVES.join(", ")}`);
      }
      if (alg.name.startsWith("RSA")) hashOf(alg.hash);
      if (format === "raw" && alg.name.startsWith("RSA")) throw fail("NotSupportedError", "RSA keys have no raw format");
      let payload;
      if (format === "jwk") {
        if (!data || typeof data !== "object") throw new TypeError("keyData is not a JWK");
        payload = JSON.stringify(data);
      } else if (["raw", "pkcs8", "spki"].includes(format)) payload = bytesOf(data, "keyData");
      else throw fail("NotSupportedError", `Unknown key format: ${format}`);
      const answer = primitive("crypto/keyImport", kindOf(alg.name), format, payload, alg.namedCurve ?? null);
      return keyFrom(answer, alg, extractable, usages);
    },

    exportKey(format, key) {
      const m = material(key);
      if (format === "pkcs8" && !m.private) throw fail("InvalidAccessError", "Only a private key exports as pkcs8");
      if ((format === "spki" || format === "raw") && m.private) throw fail("InvalidAccessError", `A private key does not export as ${format}`);
      const out = primitive("crypto/keyExport", format, m.der, m.private);
      if (format !== "jwk") return out;
      const jwk = JSON.parse(out);
      const name = key.algorithm.name;
      const alg = name === "ECDSA" ? JWK_ALG.ECDSA[key.algorithm.namedCurve]
        : name.startsWith("RSA") ? JWK_ALG[name][key.algorithm.hash.name] : undefined;
      return { ...jwk, ...(alg ? { alg } : {}), ext: true, key_ops: [...key.usages] };
    },

    generateKey(alg, extractable, usages) {
      if (!inAction()) {
        throw new Error("Can't use cryptographic randomness in queries and mutations. Please consider using an action.");
      }
      if (curved(alg.name) && !CURVES.includes(alg.namedCurve)) {
        throw fail("NotSupportedError", `namedCurve must be one of ${CURVES.join(", ")}`);
      }
      if (alg.name.startsWith("RSA")) {
        hashOf(alg.hash);
        const e = alg.publicExponent ? Array.from(alg.publicExponent).join(",") : "1,0,1";
        if (e !== "1,0,1") throw fail("NotSupportedError", "udf generates RSA keys with the public exponent 65537 only");
      }
      const pair = primitive("crypto/keyGenerate", kindOf(alg.name), alg.namedCurve ?? null, Number(alg.modulusLength ?? 0));
      const priv = primitive("crypto/keyImport", kindOf(alg.name), "pkcs8", pair.private, alg.namedCurve ?? null);
      const pub = primitive("crypto/keyImport", kindOf(alg.name), "spki", pair.public, alg.namedCurve ?? null);
      const privateKey = keyFrom(priv, alg, extractable, usages.filter((u) => USAGES[alg.name].private.includes(u)));
      // the public key is always extractable (Web Crypto)
      const publicKey = keyFrom(pub, alg, true, usages.filter((u) => USAGES[alg.name].public.includes(u)));
      return { privateKey, publicKey };
    },

    // sign or verify: the algorithm must be the key's; hashes come from the call (ECDSA) or the key (RSA)
    use(sign, alg, key, signature, data) {
      if (key.algorithm.name !== alg.name) throw fail("InvalidAccessError", `The key is a ${key.algorithm.name} key, not ${alg.name}`);
      const m = material(key, sign ? "sign" : "verify");
      const hash = alg.name === "ECDSA" ? hashOf(alg.hash) : alg.name === "Ed25519" ? null : key.algorithm.hash.name;
      const salt = alg.name === "RSA-PSS" ? Number(alg.saltLength ?? 0) : 0;
      if (sign) return primitive("crypto/sign", alg.name, m.der, bytesOf(data), hash, salt);
      return primitive("crypto/verify", alg.name, m.der, bytesOf(signature, "signature"), bytesOf(data), hash, salt);
    },

    // RSA-OAEP encrypt (public key) or decrypt (private key), with the key's hash and an optional label
    oaep(encrypt, alg, key, data, usage) {
      if (key.algorithm.name !== "RSA-OAEP") throw fail("InvalidAccessError", `The key is a ${key.algorithm.name} key, not RSA-OAEP`);
      const m = material(key, usage);
      const label = alg.label === undefined ? null : bytesOf(alg.label, "label");
      return primitive("crypto/rsaOaep", encrypt, m.der, bytesOf(data), key.algorithm.hash.name, label);
    },

    // ECDH / X25519: the shared secret of a private key and the peer's public key, `bits` long (null: all)
    deriveShared(alg, key, bits) {
      const peer = alg.public;
      if (key.algorithm.name !== alg.name || peer?.algorithm?.name !== alg.name) {
        throw fail("InvalidAccessError", `deriveBits: both keys must be ${alg.name} keys`);
      }
      if (peer.type !== "public") throw fail("InvalidAccessError", "deriveBits: the public member must be a public key");
      if (curved(alg.name) && peer.algorithm.namedCurve !== key.algorithm.namedCurve) {
        throw fail("InvalidAccessError", "deriveBits: the keys are on different curves");
      }
      const m = material(key, "deriveBits");
      return primitive("crypto/ecdh", m.der, material(peer).der, bits === null || bits === undefined ? 0 : Number(bits));
    },
  };
}
