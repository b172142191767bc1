// crypto-peer.mjs -- an independent signer and verifier for sql/crypto.sql
// (Node's crypto module), so udf's Web Crypto is checked against another
// implementation, not only against itself.
//   node regress/crypto-peer.mjs make     print {message, keys: {alg: {spki, pkcs8, signature}},
//                                        oaep: {spki, pkcs8, ciphertext}, ecdh: {spki, pkcs8}}
//                                        with fresh key pairs, Node's signatures and an RSA-OAEP
//                                        (SHA-256) ciphertext of the message (base64)
//   node regress/crypto-peer.mjs verify   read udf's {message, keys: {alg: {spki, signature}},
//                                        oaep: {ciphertext}, ecdh: {spki, shared}} from UDF_SIGNED
//                                        and the peer's keys from UDF_PEER; print what Node accepts
import crypto from "node:crypto";

const message = "signed by one implementation, verified by another";
const algs = {
  Ed25519: { gen: ["ed25519"], sign: (key, data) => crypto.sign(null, data, key) },
  "ECDSA-P256": { gen: ["ec", { namedCurve: "P-256" }], sign: (key, data) => crypto.sign("sha256", data, { key, dsaEncoding: "ieee-p1363" }) },
  "RSASSA-PKCS1-v1_5": { gen: ["rsa", { modulusLength: 2048 }], sign: (key, data) => crypto.sign("sha256", data, key) },
  "RSA-PSS": {
    gen: ["rsa", { modulusLength: 2048 }],
    sign: (key, data) => crypto.sign("sha256", data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
  },
};
const verifyWith = {
  Ed25519: (key, data, sig) => crypto.verify(null, data, key, sig),
  "ECDSA-P256": (key, data, sig) => crypto.verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, sig),
  "RSASSA-PKCS1-v1_5": (key, data, sig) => crypto.verify("sha256", data, key, sig),
  "RSA-PSS": (key, data, sig) => crypto.verify("sha256", data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig),
};

if (process.argv[2] === "make") {
  const keys = {};
  for (const [name, a] of Object.entries(algs)) {
    const { publicKey, privateKey } = crypto.generateKeyPairSync(...a.gen);
    keys[name] = {
      spki: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
      pkcs8: privateKey.export({ type: "pkcs8", format: "der" }).toString("base64"),
      signature: a.sign(privateKey, Buffer.from(message)).toString("base64"),
    };
  }
  const oaep = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const ecdh = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const der = (k, type) => k.export({ type, format: "der" }).toString("base64");
  process.stdout.write(JSON.stringify({
    message, keys,
    oaep: {
      spki: der(oaep.publicKey, "spki"), pkcs8: der(oaep.privateKey, "pkcs8"),
      ciphertext: crypto.publicEncrypt({ key: oaep.publicKey, oaepHash: "sha256" }, Buffer.from(message)).toString("base64"),
    },
    ecdh: { spki: der(ecdh.publicKey, "spki"), pkcs8: der(ecdh.privateKey, "pkcs8") },
  }));
} else if (process.argv[2] === "verify") {
  const input = JSON.parse(process.env.UDF_SIGNED ?? "");
  const out = [];
  for (const [name, k] of Object.entries(input.keys)) {
    const key = crypto.createPublicKey({ key: Buffer.from(k.spki, "base64"), format: "der", type: "spki" });
    out.push(`${name}: ${verifyWith[name](key, Buffer.from(input.message), Buffer.from(k.signature, "base64")) ? "Node accepts udf's signature" : "Node REJECTS udf's signature"}`);
  }
  // what udf encrypted to the peer's RSA-OAEP key, and the ECDH secret udf derived with the peer's key
  const peer = JSON.parse(process.env.UDF_PEER ?? "");
  const oaepKey = crypto.createPrivateKey({ key: Buffer.from(peer.oaep.pkcs8, "base64"), format: "der", type: "pkcs8" });
  const plain = crypto.privateDecrypt({ key: oaepKey, oaepHash: "sha256" }, Buffer.from(input.oaep.ciphertext, "base64"));
  out.push(`RSA-OAEP: ${plain.toString() === input.message ? "Node decrypts udf's ciphertext" : "Node DISAGREES"}`);
  const ecdhPriv = crypto.createPrivateKey({ key: Buffer.from(peer.ecdh.pkcs8, "base64"), format: "der", type: "pkcs8" });
  const udfPub = crypto.createPublicKey({ key: Buffer.from(input.ecdh.spki, "base64"), format: "der", type: "spki" });
  const secret = crypto.diffieHellman({ privateKey: ecdhPriv, publicKey: udfPub }).toString("base64");
  out.push(`ECDH P-256: ${secret === input.ecdh.shared ? "Node derives the same secret" : "Node DISAGREES"}`);
  console.log(out.join("\n"));
} else {
  console.error("usage: node crypto-peer.mjs make | verify (UDF_SIGNED in the environment)");
  process.exit(2);
}
