/*
 * crypto.h -- Web Crypto's primitives from OpenSSL, as typed ops (crypto.c).
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

#endif							/* UDF_CRYPTO_H */
