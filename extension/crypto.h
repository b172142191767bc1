/*
 * crypto.h -- Web Crypto's primitives from OpenSSL, as typed ops (crypto.c,
 * crypto_keys.c, crypto_sign.c).
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

extern void CryptoAes(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoAesKw(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);

/* crypto_keys.c: asymmetric keys (Ed25519, X25519, EC, RSA) and their formats */
extern void CryptoKeyImport(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoKeyExport(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoKeyGenerate(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
/* the helpers crypto_sign.c shares (OpenSSL types kept opaque here) */
struct evp_pkey_st;
struct evp_md_st;
extern struct evp_pkey_st *CryptoKeyFromDer(const char *der, size_t len, bool private_key);
extern const char *CryptoCurveOf(struct evp_pkey_st *pkey);
extern int	CryptoCurveBytes(const char *curve);
extern const struct evp_md_st *CryptoHashNamed(const char *name);

/* crypto_sign.c: signatures, RSA-OAEP, ECDH/X25519 */
extern void CryptoSign(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoVerify(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoRsaOaep(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);
extern void CryptoEcdh(const UdfV8Arg *args, int nargs, UdfV8HostResult *out);

#endif							/* UDF_CRYPTO_H */
