/*
 * crypto.c -- the primitives behind the runtime's Web Crypto, from OpenSSL.
 *
 * udf-runtime/src/setup/09_crypto.js implements crypto.subtle (keys, their
 * formats, algorithm names and checks, as the Web Cryptography API defines
 * them) and asks the host only for the primitives, as typed ops whose
 * arguments are bytes (JS ArrayBuffers and views travel as string arguments
 * with their length, natives.cc) and whose answers are bytes (host values,
 * an ArrayBuffer):
 *   crypto/random (n)                                 n bytes from OpenSSL's CSPRNG
 *   crypto/digest (hash, data)
 *   crypto/hmac (hash, key, data)
 *   crypto/aesGcm (encrypt, key, iv, data, aad, tagBits)
 *   crypto/pbkdf2 (hash, password, salt, iterations, bits)
 *   crypto/hkdf (hash, key, salt, info, bits)
 *   crypto/aes (mode, encrypt, key, iv, data, counterBits)  AES-CBC (PKCS #7 padding), AES-CTR
 *   crypto/aesKw (wrap, kek, data)                          AES key wrap (RFC 3394)
 * hash is a Web Crypto name: SHA-1, SHA-256, SHA-384, SHA-512. OpenSSL is
 * the library PostgreSQL itself is built with (libcrypto 3); every OpenSSL
 * object is freed before anything here can raise, and a failure answers an
 * error value ("OperationError: ..."), which the runtime throws as the
 * DOMException Web Crypto specifies.
 *
 * The primitives but crypto/random are deterministic and serve every kind
 * of function; crypto/random serves actions only (the host checks the
 * running function's kind), as queries and mutations draw from the seeded
 * PRNG.
 */
#include "udf.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "writer.h"

/* The largest output a derivation may ask for, in bits (PBKDF2/HKDF). */
#define CRYPTO_MAX_DERIVE_BITS (8 * 1024 * 8)

static const EVP_MD *HashOf(const char *name);
static void AnswerBytes(UdfV8HostResult *out, const unsigned char *data, size_t len);
static inline const char *ArgBytes(const UdfV8Arg *args, int i, size_t *len);
static const EVP_CIPHER *AesCipher(const char *mode, size_t klen);
static bool CounterWraps(const unsigned char *counter, int bits, size_t blocks);
static bool RunCipher(const EVP_CIPHER *cipher, bool encrypt, bool wrap, const unsigned char *key,
					  const unsigned char *iv, const unsigned char *data, size_t dlen, unsigned char *buf,
					  int *outlen);

/* OpenSSL's digest for a Web Crypto hash name, or NULL. */
static const EVP_MD *
HashOf(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "SHA-1") == 0)
		return EVP_sha1();
	if (strcmp(name, "SHA-256") == 0)
		return EVP_sha256();
	if (strcmp(name, "SHA-384") == 0)
		return EVP_sha384();
	if (strcmp(name, "SHA-512") == 0)
		return EVP_sha512();
	return NULL;
}

/* A typed op's byte argument i (a string with its length; NULL for null). */
static inline const char *
ArgBytes(const UdfV8Arg *args, int i, size_t *len)
{
	if (args[i].is_number || args[i].str == NULL)
	{
		*len = 0;
		return NULL;
	}
	*len = args[i].len;
	return args[i].str;
}

/* Answer bytes as an ArrayBuffer. */
static void
AnswerBytes(UdfV8HostResult *out, const unsigned char *data, size_t len)
{
	ValueWriter w;

	WriterInit(&w, true);
	WriterBytes(&w, (const char *) data, len);
	out->result = w.buf.data;
	out->result_len = w.buf.len;
	out->result_is_values = true;
}

/* crypto/random(n): n bytes (at most 65536) from OpenSSL's CSPRNG. */
void
CryptoRandom(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	double		n = OpArgNumber(args, 0);
	unsigned char *buf;

	/* cryptographic randomness is for actions (queries and mutations draw from the seeded PRNG) */
	if (CallStackKind() == NULL || strcmp(CallStackKind(), "action") != 0)
	{
		out->error_message = "Can't use cryptographic randomness in queries and mutations. Please consider using an action.";
		return;
	}
	if (!(n >= 0 && n <= 65536))
	{
		out->error_message = "crypto/random: at most 65536 bytes at once";
		return;
	}
	buf = palloc((size_t) n + 1);
	if (RAND_bytes(buf, (int) n) != 1)
	{
		out->error_message = "OperationError: the random number generator failed";
		return;
	}
	AnswerBytes(out, buf, (size_t) n);
}

/* crypto/digest(hash, data) */
void
CryptoDigest(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const EVP_MD *md = HashOf(OpArgString(args, 0));
	size_t		len;
	const char *data = ArgBytes(args, 1, &len);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	if (md == NULL)
	{
		out->error_message = "NotSupportedError: unknown hash algorithm";
		return;
	}
	if (EVP_Digest(data ? data : "", len, digest, &dlen, md, NULL) != 1)
	{
		out->error_message = "OperationError: the digest failed";
		return;
	}
	AnswerBytes(out, digest, dlen);
}

/* crypto/hmac(hash, key, data) */
void
CryptoHmac(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const EVP_MD *md = HashOf(OpArgString(args, 0));
	size_t		klen;
	size_t		dlen;
	const char *key = ArgBytes(args, 1, &klen);
	const char *data = ArgBytes(args, 2, &dlen);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mlen = 0;

	if (md == NULL)
	{
		out->error_message = "NotSupportedError: unknown hash algorithm";
		return;
	}
	if (HMAC(md, key ? key : "", (int) klen, (const unsigned char *) (data ? data : ""), dlen, mac, &mlen) == NULL)
	{
		out->error_message = "OperationError: HMAC failed";
		return;
	}
	AnswerBytes(out, mac, mlen);
}

/*
 * crypto/aesGcm(encrypt, key, iv, data, aad, tagBits): encrypt answers the
 * ciphertext with the tag appended (Web Crypto's form); decrypt takes that
 * form and answers the plaintext, or OperationError if the tag is wrong.
 */
void
CryptoAesGcm(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	bool		encrypt = OpArgNumber(args, 0) != 0;
	size_t		klen,
				ivlen,
				dlen,
				alen;
	const unsigned char *key = (const unsigned char *) ArgBytes(args, 1, &klen);
	const unsigned char *iv = (const unsigned char *) ArgBytes(args, 2, &ivlen);
	const unsigned char *data = (const unsigned char *) ArgBytes(args, 3, &dlen);
	const unsigned char *aad = (const unsigned char *) ArgBytes(args, 4, &alen);
	int			tag_len = (int) OpArgNumber(args, 5) / 8;
	const EVP_CIPHER *cipher = klen == 16 ? EVP_aes_128_gcm() : klen == 24 ? EVP_aes_192_gcm() :
		klen == 32 ? EVP_aes_256_gcm() : NULL;
	size_t		body_len;
	unsigned char *buf;
	EVP_CIPHER_CTX *ctx;
	int			n = 0,
				m = 0;
	bool		ok;

	if (cipher == NULL || ivlen == 0 || tag_len < 4 || tag_len > 16 || (!encrypt && dlen < (size_t) tag_len))
	{
		out->error_message = "OperationError: invalid AES-GCM key, iv, tag length or data";
		return;
	}
	body_len = encrypt ? dlen : dlen - tag_len;
	/* room for the ciphertext and its tag; allocated before any OpenSSL object */
	buf = palloc(body_len + tag_len + 16);
	ctx = EVP_CIPHER_CTX_new();
	ok = ctx != NULL &&
		EVP_CipherInit_ex(ctx, cipher, NULL, NULL, NULL, encrypt ? 1 : 0) == 1 &&
		EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int) ivlen, NULL) == 1 &&
		EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, encrypt ? 1 : 0) == 1 &&
		(alen == 0 || EVP_CipherUpdate(ctx, NULL, &n, aad, (int) alen) == 1) &&
		EVP_CipherUpdate(ctx, buf, &n, data ? data : (const unsigned char *) "", (int) body_len) == 1 &&
		(encrypt || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, tag_len, (void *) (data + body_len)) == 1) &&
		EVP_CipherFinal_ex(ctx, buf + n, &m) == 1 &&
		(!encrypt || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, tag_len, buf + n + m) == 1);
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
	{
		out->error_message = encrypt ? "OperationError: AES-GCM encryption failed"
			: "OperationError: AES-GCM decryption failed (the data or its tag is not authentic)";
		return;
	}
	AnswerBytes(out, buf, (size_t) (n + m) + (encrypt ? tag_len : 0));
}

/* crypto/pbkdf2(hash, password, salt, iterations, bits) */
void
CryptoPbkdf2(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const EVP_MD *md = HashOf(OpArgString(args, 0));
	size_t		plen,
				slen;
	const char *password = ArgBytes(args, 1, &plen);
	const unsigned char *salt = (const unsigned char *) ArgBytes(args, 2, &slen);
	double		iterations = OpArgNumber(args, 3);
	double		bits = OpArgNumber(args, 4);
	unsigned char *buf;

	if (md == NULL || !(iterations >= 1 && iterations <= 100000000) ||
		!(bits > 0 && bits <= CRYPTO_MAX_DERIVE_BITS) || (int) bits % 8 != 0)
	{
		out->error_message = "OperationError: invalid PBKDF2 hash, iterations or length";
		return;
	}
	buf = palloc((size_t) bits / 8);
	if (PKCS5_PBKDF2_HMAC(password ? password : "", (int) plen, salt ? salt : (const unsigned char *) "",
						  (int) slen, (int) iterations, md, (int) bits / 8, buf) != 1)
	{
		out->error_message = "OperationError: PBKDF2 failed";
		return;
	}
	AnswerBytes(out, buf, (size_t) bits / 8);
}

/* crypto/hkdf(hash, key, salt, info, bits) */
void
CryptoHkdf(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const EVP_MD *md = HashOf(OpArgString(args, 0));
	size_t		klen,
				slen,
				ilen;
	const unsigned char *key = (const unsigned char *) ArgBytes(args, 1, &klen);
	const unsigned char *salt = (const unsigned char *) ArgBytes(args, 2, &slen);
	const unsigned char *info = (const unsigned char *) ArgBytes(args, 3, &ilen);
	double		bits = OpArgNumber(args, 4);
	size_t		outlen;
	unsigned char *buf;
	EVP_PKEY_CTX *pctx;
	bool		ok;

	if (md == NULL || !(bits > 0 && bits <= 255 * 8 * EVP_MD_get_size(md)) || (int) bits % 8 != 0)
	{
		out->error_message = "OperationError: invalid HKDF hash or length";
		return;
	}
	outlen = (size_t) bits / 8;
	buf = palloc(outlen);
	pctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	ok = pctx != NULL &&
		EVP_PKEY_derive_init(pctx) == 1 &&
		EVP_PKEY_CTX_set_hkdf_md(pctx, md) == 1 &&
		EVP_PKEY_CTX_set1_hkdf_salt(pctx, salt ? salt : (const unsigned char *) "", (int) slen) == 1 &&
		EVP_PKEY_CTX_set1_hkdf_key(pctx, key ? key : (const unsigned char *) "", (int) klen) == 1 &&
		(ilen == 0 || EVP_PKEY_CTX_add1_hkdf_info(pctx, info, (int) ilen) == 1) &&
		EVP_PKEY_derive(pctx, buf, &outlen) == 1;
	EVP_PKEY_CTX_free(pctx);
	if (!ok)
	{
		out->error_message = "OperationError: HKDF failed";
		return;
	}
	AnswerBytes(out, buf, outlen);
}

/* The AES cipher of a mode ("CBC", "CTR", "KW") for a key length, or NULL. */
static const EVP_CIPHER *
AesCipher(const char *mode, size_t klen)
{
	if (mode == NULL)
		return NULL;
	if (strcmp(mode, "CBC") == 0)
		return klen == 16 ? EVP_aes_128_cbc() : klen == 24 ? EVP_aes_192_cbc() : klen == 32 ? EVP_aes_256_cbc() : NULL;
	if (strcmp(mode, "CTR") == 0)
		return klen == 16 ? EVP_aes_128_ctr() : klen == 24 ? EVP_aes_192_ctr() : klen == 32 ? EVP_aes_256_ctr() : NULL;
	if (strcmp(mode, "KW") == 0)
		return klen == 16 ? EVP_aes_128_wrap() : klen == 24 ? EVP_aes_192_wrap() : klen == 32 ? EVP_aes_256_wrap() : NULL;
	return NULL;
}

/* Does an AES-CTR counter's low `bits` bits wrap within `blocks` blocks? (Web Crypto refuses that.) */
static bool
CounterWraps(const unsigned char *counter, int bits, size_t blocks)
{
	uint64		low = 0;

	if (bits >= 64)
		return false;			/* 2^64 blocks are more than any body */
	for (int i = 8; i < 16; i++)
		low = (low << 8) | counter[i];
	low &= (((uint64) 1) << bits) - 1;
	return blocks > (((uint64) 1) << bits) - low;
}

/* Run a whole-buffer cipher (CBC, CTR, KW) one way; the answer is palloc'd. */
static bool
RunCipher(const EVP_CIPHER *cipher, bool encrypt, bool wrap, const unsigned char *key,
		  const unsigned char *iv, const unsigned char *data, size_t dlen, unsigned char *buf, int *outlen)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int			n = 0,
				m = 0;
	bool		ok;

	if (ctx && wrap)
		EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	ok = ctx != NULL &&
		EVP_CipherInit_ex(ctx, cipher, NULL, key, iv, encrypt ? 1 : 0) == 1 &&
		EVP_CipherUpdate(ctx, buf, &n, data, (int) dlen) == 1 &&
		EVP_CipherFinal_ex(ctx, buf + n, &m) == 1;
	EVP_CIPHER_CTX_free(ctx);
	*outlen = n + m;
	return ok;
}

/* crypto/aes(mode, encrypt, key, iv, data, counterBits): AES-CBC or AES-CTR. */
void
CryptoAes(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const char *mode = OpArgString(args, 0);
	bool		encrypt = OpArgNumber(args, 1) != 0;
	size_t		klen,
				ivlen,
				dlen;
	const unsigned char *key = (const unsigned char *) ArgBytes(args, 2, &klen);
	const unsigned char *iv = (const unsigned char *) ArgBytes(args, 3, &ivlen);
	const unsigned char *data = (const unsigned char *) ArgBytes(args, 4, &dlen);
	int			counter_bits = (int) OpArgNumber(args, 5);
	const EVP_CIPHER *cipher = AesCipher(mode, klen);
	unsigned char *buf;
	int			len = 0;

	if (cipher == NULL || ivlen != 16)
	{
		out->error_message = "OperationError: invalid AES key or iv/counter (16 bytes)";
		return;
	}
	if (strcmp(mode, "CTR") == 0 && (counter_bits < 1 || counter_bits > 128 || CounterWraps(iv, counter_bits, (dlen + 15) / 16)))
	{
		out->error_message = "OperationError: the AES-CTR counter would wrap within the data";
		return;
	}
	buf = palloc(dlen + 32);
	if (!RunCipher(cipher, encrypt, false, key, iv, data ? data : (const unsigned char *) "", dlen, buf, &len))
	{
		out->error_message = encrypt ? "OperationError: AES encryption failed"
			: "OperationError: AES decryption failed (wrong key, or the padding is not valid)";
		return;
	}
	AnswerBytes(out, buf, len);
}

/* crypto/aesKw(wrap, kek, data): RFC 3394 key wrap (data a multiple of 8 bytes, 16 or more). */
void
CryptoAesKw(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	bool		wrap = OpArgNumber(args, 0) != 0;
	size_t		klen,
				dlen;
	const unsigned char *kek = (const unsigned char *) ArgBytes(args, 1, &klen);
	const unsigned char *data = (const unsigned char *) ArgBytes(args, 2, &dlen);
	const EVP_CIPHER *cipher = AesCipher("KW", klen);
	unsigned char *buf;
	int			len = 0;

	if (cipher == NULL || dlen % 8 != 0 || dlen < (size_t) (wrap ? 16 : 24))
	{
		out->error_message = "OperationError: AES-KW needs a 128/192/256-bit key and data of 8-byte blocks";
		return;
	}
	buf = palloc(dlen + 16);
	if (!RunCipher(cipher, wrap, true, kek, NULL, data, dlen, buf, &len))
	{
		out->error_message = wrap ? "OperationError: AES-KW wrapping failed"
			: "OperationError: AES-KW unwrapping failed (wrong key, or the data is not authentic)";
		return;
	}
	AnswerBytes(out, buf, len);
}
