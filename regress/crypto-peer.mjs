// crypto-peer.mjs -- an independent signer and verifier for sql/crypto.sql
// (Node's crypto module), so udf's Web Crypto is checked against another
// implementation, not only against itself.
//   node regress/crypto-peer.mjs make     print {message, keys: {alg: {spki, pkcs8, signature}}}
//                                        with fresh key pairs and Node's signatures (base64)
//   node regress/crypto-peer.mjs verify   read udf's {message, keys: {alg: {spki, signature}}}
//                                        on stdin; print which signatures Node accepts
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
  process.stdout.write(JSON.stringify({ message, keys }));
} else if (process.argv[2] === "verify") {
  const input = JSON.parse(process.env.UDF_SIGNED ?? "");
  const out = [];
  for (const [name, k] of Object.entries(input.keys)) {
    const key = crypto.createPublicKey({ key: Buffer.from(k.spki, "base64"), format: "der", type: "spki" });
    out.push(`${name}: ${verifyWith[name](key, Buffer.from(input.message), Buffer.from(k.signature, "base64")) ? "Node accepts udf's signature" : "Node REJECTS udf's signature"}`);
  }
  console.log(out.join("\n"));
} else {
  console.error("usage: node crypto-peer.mjs make | verify (UDF_SIGNED in the environment)");
  process.exit(2);
}
