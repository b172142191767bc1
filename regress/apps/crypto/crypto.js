import { action, query, mutation } from "./_generated/server";
import { v } from "convex/values";

const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s) => new Uint8Array(s.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
const utf8 = (s) => new TextEncoder().encode(s);
const subtle = () => crypto.subtle;

// FIPS 180 "abc" digests (NIST's example values), and the empty string's SHA-256
async function digests() {
  const want = {
    "SHA-1": "a9993e364706816aba3e25717850c26c9cd0d89d",
    "SHA-256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "SHA-384": "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    "SHA-512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
  };
  const out = {};
  for (const [alg, h] of Object.entries(want)) out[alg] = hex(await subtle().digest(alg, utf8("abc"))) === h;
  out.empty = hex(await subtle().digest({ name: "sha-256" }, new ArrayBuffer(0))) ===
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  return out;
}

// digest works in queries too (deterministic)
export const digestInQuery = query(async () => digests());
export const digestInAction = action(async () => digests());

// RFC 4231 HMAC test cases 1, 2 and 6 (a key longer than the block), sign and verify
export const hmac = query(async () => {
  const cases = [
    { key: unhex("0b".repeat(20)), data: utf8("Hi There"),
      sha256: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
      sha512: "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
    { key: utf8("Jefe"), data: utf8("what do ya want for nothing?"),
      sha256: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
      sha512: "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
    { key: unhex("aa".repeat(131)), data: utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
      sha256: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
      sha512: "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
  ];
  const results = [];
  for (const c of cases) {
    const row = [];
    for (const [hash, want] of [["SHA-256", c.sha256], ["SHA-512", c.sha512]]) {
      const key = await subtle().importKey("raw", c.key, { name: "HMAC", hash }, false, ["sign", "verify"]);
      const sig = await subtle().sign("HMAC", key, c.data);
      const good = await subtle().verify("HMAC", key, sig, c.data);
      const tampered = new Uint8Array(sig.slice(0));
      tampered[0] ^= 1;
      const bad = await subtle().verify("HMAC", key, tampered, c.data);
      row.push(hex(sig) === want && good && !bad);
    }
    results.push(row);
  }
  return results;
});

// AES-GCM: the GCM specification's test cases 2 and 4 (McGrew and Viega), and a wrong tag refused
export const aesGcm = action(async () => {
  const k0 = await subtle().importKey("raw", new Uint8Array(16), "AES-GCM", false, ["encrypt", "decrypt"]);
  const c2 = await subtle().encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, k0, new Uint8Array(16));
  const key4 = unhex("feffe9928665731c6d6a8f9467308308");
  const iv4 = unhex("cafebabefacedbaddecaf888");
  const p4 = unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  const aad4 = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const k4 = await subtle().importKey("raw", key4, { name: "AES-GCM" }, true, ["encrypt", "decrypt"]);
  const c4 = await subtle().encrypt({ name: "AES-GCM", iv: iv4, additionalData: aad4 }, k4, p4);
  const back = await subtle().decrypt({ name: "AES-GCM", iv: iv4, additionalData: aad4 }, k4, c4);
  const forged = new Uint8Array(c4.slice(0));
  forged[forged.length - 1] ^= 1;
  let refused;
  try {
    await subtle().decrypt({ name: "AES-GCM", iv: iv4, additionalData: aad4 }, k4, forged);
    refused = "accepted";
  } catch (e) {
    refused = `${e.name}: ${e.message}`;
  }
  return {
    case2: hex(c2) === "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf",
    case4: hex(c4) === "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
      + "5bc94fbc3221a5db94fae95ae7121a47",
    roundTrip: hex(back) === hex(p4),
    refused,
    jwk: await subtle().exportKey("jwk", k4),
  };
});

// PBKDF2 (RFC 7914 section 11, HMAC-SHA-256) and HKDF (RFC 5869 test case 1), bits and keys
export const derive = action(async () => {
  const pw = await subtle().importKey("raw", utf8("passwd"), "PBKDF2", false, ["deriveBits", "deriveKey"]);
  const pbkdf2 = await subtle().deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: utf8("salt"), iterations: 1 }, pw, 512);
  const ikm = await subtle().importKey("raw", unhex("0b".repeat(22)), "HKDF", false, ["deriveBits", "deriveKey"]);
  const hkdfParams = { name: "HKDF", hash: "SHA-256", salt: unhex("000102030405060708090a0b0c"), info: unhex("f0f1f2f3f4f5f6f7f8f9") };
  const hkdf = await subtle().deriveBits(hkdfParams, ikm, 42 * 8);
  const aes = await subtle().deriveKey(hkdfParams, ikm, { name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  return {
    pbkdf2: hex(pbkdf2) === "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    hkdf: hex(hkdf) === "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    derivedKey: hex(await subtle().exportKey("raw", aes)) === hex(hkdf).slice(0, 64),
    derivedAlgorithm: aes.algorithm,
  };
});

// randomness: real in actions (two calls differ; UUIDs are v4), generateKey only in actions
export const random = action(async () => {
  const a = crypto.getRandomValues(new Uint8Array(32));
  const b = crypto.getRandomValues(new Uint8Array(32));
  const key = await subtle().generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  let tooMuch;
  try {
    crypto.getRandomValues(new Uint8Array(65537));
  } catch (e) {
    tooMuch = `${e.name}: ${e.message}`;
  }
  return {
    differ: hex(a) !== hex(b),
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
    keyBits: (await subtle().exportKey("raw", key)).byteLength * 8,
    keyAlgorithm: key.algorithm,
    tooMuch,
  };
});
// an action's randomness is not the seeded PRNG: the same seed gives other bytes each call
export const randomHex = action(async () => hex(crypto.getRandomValues(new Uint8Array(8))));
export const queryRandomHex = query(async () => hex(crypto.getRandomValues(new Uint8Array(8))));

export const generateInMutation = mutation(async () => {
  try {
    await crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"]);
    return "generated";
  } catch (e) {
    return e.message;
  }
});

// what the API refuses: wrong usage, non-extractable export, unknown and unimplemented algorithms
export const refusals = action(async () => {
  const attempt = async (f) => {
    try {
      await f();
      return "no error";
    } catch (e) {
      return `${e.name}: ${e.message}`;
    }
  };
  const signOnly = await subtle().importKey("raw", utf8("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return {
    usage: await attempt(() => subtle().verify("HMAC", signOnly, new Uint8Array(32), utf8("x"))),
    export: await attempt(() => subtle().exportKey("raw", signOnly)),
    unknown: await attempt(() => subtle().digest("MD5", utf8("x"))),
    ed448: await attempt(() => subtle().importKey("raw", new Uint8Array(57), "Ed448", false, ["verify"])),
    rawPrivate: await attempt(() => subtle().importKey("raw", new Uint8Array(32), "X25519", false, ["deriveBits"])),
    badUsage: await attempt(() => subtle().importKey("raw", utf8("k"), { name: "HMAC", hash: "SHA-256" }, false, ["encrypt"])),
    aesLength: await attempt(() => subtle().importKey("raw", new Uint8Array(5), "AES-GCM", false, ["encrypt"])),
  };
});

// an HS256 JWT signed here, checked by openssl in the test
export const jwt = action({
  args: { secret: v.string() },
  handler: async (ctx, { secret }) => {
    const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const input = `${b64url(utf8(JSON.stringify({ alg: "HS256", typ: "JWT" })))}.${b64url(utf8(JSON.stringify({ sub: "user1", iat: 1700000000 })))}`;
    const key = await subtle().importKey("raw", utf8(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return { input, signature: b64url(await subtle().sign("HMAC", key, utf8(input))) };
  },
});

// RFC 8032 section 7.1, tests 1 and 2: Ed25519 from JWK and raw keys, deterministic signatures
export const ed25519 = query(async () => {
  const b64u = (h) => btoa(String.fromCharCode(...unhex(h))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const tests = [
    { d: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
      x: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", m: "",
      sig: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
    { d: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
      x: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", m: "72",
      sig: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
  ];
  const out = [];
  for (const t of tests) {
    const priv = await subtle().importKey("jwk", { kty: "OKP", crv: "Ed25519", d: b64u(t.d), x: b64u(t.x) }, "Ed25519", true, ["sign"]);
    const pub = await subtle().importKey("raw", unhex(t.x), { name: "Ed25519" }, true, ["verify"]);
    const sig = await subtle().sign("Ed25519", priv, unhex(t.m));
    const forged = new Uint8Array(sig.slice(0));
    forged[5] ^= 4;
    out.push({
      signature: hex(sig) === t.sig,
      verifies: await subtle().verify("Ed25519", pub, sig, unhex(t.m)),
      forgedRefused: !(await subtle().verify("Ed25519", pub, forged, unhex(t.m))),
      rawPublic: hex(await subtle().exportKey("raw", pub)) === t.x,
      jwkBack: (await subtle().exportKey("jwk", priv)).d === b64u(t.d),
      types: [priv.type, pub.type, priv.algorithm.name],
    });
  }
  return out;
});

// keys and signatures from another implementation (regress/crypto-peer.mjs): udf verifies
// Node's signatures, signs with the same private keys, and hands back its signatures
const PEER = {
  Ed25519: { alg: { name: "Ed25519" }, use: { name: "Ed25519" } },
  "ECDSA-P256": { alg: { name: "ECDSA", namedCurve: "P-256" }, use: { name: "ECDSA", hash: "SHA-256" } },
  "RSASSA-PKCS1-v1_5": { alg: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, use: { name: "RSASSA-PKCS1-v1_5" } },
  "RSA-PSS": { alg: { name: "RSA-PSS", hash: "SHA-256" }, use: { name: "RSA-PSS", saltLength: 32 } },
};
export const peer = action({
  args: { peer: v.string() },
  handler: async (ctx, { peer }) => {
    const peerKeys = JSON.parse(peer);
    const { message, keys } = peerKeys;
    const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
    const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
    const verified = {};
    const signed = { message, keys: {} };
    for (const [name, k] of Object.entries(keys)) {
      const { alg, use } = PEER[name];
      const pub = await subtle().importKey("spki", unb64(k.spki), alg, true, ["verify"]);
      const priv = await subtle().importKey("pkcs8", unb64(k.pkcs8), alg, true, ["sign"]);
      verified[name] = await subtle().verify(use, pub, unb64(k.signature), utf8(message));
      const sig = await subtle().sign(use, priv, utf8(message));
      // the key round-trips through jwk and keeps verifying
      const again = await subtle().importKey("jwk", await subtle().exportKey("jwk", pub), alg, true, ["verify"]);
      verified[`${name} after jwk`] = await subtle().verify(use, again, sig, utf8(message));
      signed.keys[name] = { spki: b64(await subtle().exportKey("spki", pub)), signature: b64(sig) };
    }
    // RSA-OAEP: decrypt Node's ciphertext, encrypt one for Node; ECDH with Node's public key
    const oaepAlg = { name: "RSA-OAEP", hash: "SHA-256" };
    const oaepPriv = await subtle().importKey("pkcs8", unb64(peerKeys.oaep.pkcs8), oaepAlg, false, ["decrypt"]);
    const oaepPub = await subtle().importKey("spki", unb64(peerKeys.oaep.spki), oaepAlg, false, ["encrypt"]);
    verified["RSA-OAEP decrypts Node's ciphertext"] =
      new TextDecoder().decode(await subtle().decrypt("RSA-OAEP", oaepPriv, unb64(peerKeys.oaep.ciphertext))) === message;
    signed.oaep = { ciphertext: b64(await subtle().encrypt({ name: "RSA-OAEP" }, oaepPub, utf8(message))) };
    const ecdhAlg = { name: "ECDH", namedCurve: "P-256" };
    const nodePub = await subtle().importKey("spki", unb64(peerKeys.ecdh.spki), ecdhAlg, true, []);
    const mine = await subtle().generateKey(ecdhAlg, false, ["deriveBits"]);
    signed.ecdh = {
      spki: b64(await subtle().exportKey("spki", mine.publicKey)),
      shared: b64(await subtle().deriveBits({ name: "ECDH", public: nodePub }, mine.privateKey, 256)),
    };
    return { verified, signed: JSON.stringify(signed) };
  },
});

// generated key pairs (actions only): sign and verify, what the keys report, and the mutation refusal
export const keyPairs = action(async () => {
  const out = {};
  for (const [name, alg, use] of [
    ["Ed25519", { name: "Ed25519" }, { name: "Ed25519" }],
    ["ECDSA P-384", { name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }],
    ["RSASSA-PKCS1-v1_5", { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, { name: "RSASSA-PKCS1-v1_5" }],
  ]) {
    const { privateKey, publicKey } = await subtle().generateKey(alg, false, ["sign", "verify"]);
    const sig = await subtle().sign(use, privateKey, utf8("x"));
    const a = publicKey.algorithm;
    out[name] = {
      ok: await subtle().verify(use, publicKey, sig, utf8("x")),
      sigBytes: sig.byteLength,
      private: [privateKey.type, privateKey.extractable, privateKey.usages],
      public: [publicKey.type, publicKey.extractable, publicKey.usages],
      algorithm: { ...a, ...(a.publicExponent ? { publicExponent: Array.from(a.publicExponent) } : {}) },
    };
  }
  return out;
});
export const keyPairInQuery = query(async () => {
  try {
    await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
    return "generated";
  } catch (e) {
    return e.message;
  }
});

// AES-CBC and AES-CTR (NIST SP 800-38A F.2.1, F.5.1) and AES-KW (RFC 3394 4.1), with wrapKey/unwrapKey
export const aesModes = query(async () => {
  const key = unhex("2b7e151628aed2a6abf7158809cf4f3c");
  const p = unhex("6bc1bee22e409f96e93d7e117393172a");
  const cbcKey = await subtle().importKey("raw", key, "AES-CBC", true, ["encrypt", "decrypt"]);
  const cbc = await subtle().encrypt({ name: "AES-CBC", iv: unhex("000102030405060708090a0b0c0d0e0f") }, cbcKey, p);
  const cbcBack = await subtle().decrypt({ name: "AES-CBC", iv: unhex("000102030405060708090a0b0c0d0e0f") }, cbcKey, cbc);
  const ctrKey = await subtle().importKey("raw", key, "AES-CTR", false, ["encrypt"]);
  const ctr = await subtle().encrypt({ name: "AES-CTR", counter: unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), length: 64 }, ctrKey, p);
  let wraps;
  try {
    await subtle().encrypt({ name: "AES-CTR", counter: unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), length: 4 }, ctrKey, new Uint8Array(64));
    wraps = "encrypted";
  } catch (e) {
    wraps = `${e.name}: ${e.message}`;
  }
  const kek = await subtle().importKey("raw", unhex("000102030405060708090a0b0c0d0e0f"), "AES-KW", false, ["wrapKey", "unwrapKey"]);
  const toWrap = await subtle().importKey("raw", unhex("00112233445566778899aabbccddeeff"), "AES-GCM", true, ["encrypt"]);
  const wrapped = await subtle().wrapKey("raw", toWrap, kek, "AES-KW");
  const unwrapped = await subtle().unwrapKey("raw", wrapped, kek, "AES-KW", "AES-GCM", true, ["encrypt"]);
  const tampered = new Uint8Array(wrapped.slice(0));
  tampered[3] ^= 1;
  let unwrapRefused;
  try {
    await subtle().unwrapKey("raw", tampered, kek, "AES-KW", "AES-GCM", true, ["encrypt"]);
    unwrapRefused = "unwrapped";
  } catch (e) {
    unwrapRefused = e.name;
  }
  return {
    cbc: hex(cbc).slice(0, 32) === "7649abac8119b246cee98e9b12e9197d" && cbc.byteLength === 32,
    cbcBack: hex(cbcBack) === hex(p),
    ctr: hex(ctr) === "874d6191b620e3261bef6864990db6ce",
    ctrWraps: wraps,
    kw: hex(wrapped) === "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5",
    kwBack: hex(await subtle().exportKey("raw", unwrapped)) === "00112233445566778899aabbccddeeff",
    unwrapRefused,
    jwkAlg: (await subtle().exportKey("jwk", cbcKey)).alg,
  };
});

// X25519 (RFC 7748 section 6.1) and ECDH P-256 between two generated keys, deriveBits and deriveKey
export const keyAgreement = action(async () => {
  const b64u = (h) => btoa(String.fromCharCode(...unhex(h))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const alicePriv = await subtle().importKey("jwk", { kty: "OKP", crv: "X25519",
    d: b64u("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
    x: b64u("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a") }, "X25519", false, ["deriveBits"]);
  const bobPub = await subtle().importKey("raw", unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"),
    "X25519", true, []);
  const shared = await subtle().deriveBits({ name: "X25519", public: bobPub }, alicePriv, 256);
  const a = await subtle().generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits", "deriveKey"]);
  const b = await subtle().generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits", "deriveKey"]);
  const ab = await subtle().deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey, 256);
  const ba = await subtle().deriveBits({ name: "ECDH", public: a.publicKey }, b.privateKey, 256);
  const aesA = await subtle().deriveKey({ name: "ECDH", public: b.publicKey }, a.privateKey, { name: "AES-GCM", length: 128 }, true, ["encrypt"]);
  let otherCurve;
  try {
    const c = await subtle().generateKey({ name: "ECDH", namedCurve: "P-384" }, false, ["deriveBits"]);
    await subtle().deriveBits({ name: "ECDH", public: c.publicKey }, a.privateKey, 256);
    otherCurve = "derived";
  } catch (e) {
    otherCurve = e.name;
  }
  return {
    x25519: hex(shared) === "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
    ecdhAgrees: hex(ab) === hex(ba) && ab.byteLength === 32,
    derivedKey: hex(await subtle().exportKey("raw", aesA)) === hex(ab).slice(0, 32),
    publicUsages: a.publicKey.usages, otherCurve,
  };
});
