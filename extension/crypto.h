/*
 * crypto.h -- Web Crypto's primitives from OpenSSL, as typed ops (crypto.c, crypto_keys.c).
 */
#ifndef UDF_CRYPTO_H
#define UDF_CRYPTO_H

#include "v8shim/udf_v8.h"

extern void CryptoRandom(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoDigest(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoHmac(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoAesGcm(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoPbkdf2(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoHkdf(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);

/* crypto_keys.c: asymmetric keys (Ed25519, ECDSA, RSA) */
extern void CryptoKeyImport(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoKeyExport(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoKeyGenerate(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoSign(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoVerify(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);

#endif							/* UDF_CRYPTO_H */
