/*
 * crypto_sign.c -- what the runtime's asymmetric Web Crypto keys do, with
 * OpenSSL: sign and verify (Ed25519, ECDSA, RSASSA-PKCS1-v1_5, RSA-PSS),
 * encrypt and decrypt (RSA-OAEP), and derive shared bits (ECDH, X25519).
 * Keys arrive as DER (PKCS #8 or SubjectPublicKeyInfo, crypto_keys.c):
 *   crypto/sign (kind, der, data, hash, saltLength) -> signature
 *   crypto/verify (kind, der, signature, data, hash, saltLength) -> boolean
 *   crypto/rsaOaep (encrypt, der, data, hash, label) -> bytes
 *   crypto/ecdh (privateDer, publicDer, bits) -> bytes
 * ECDSA signatures cross as Web Crypto has them (r || s, each the curve's
 * size) and as DER inside OpenSSL. Every OpenSSL object is freed on every
 * path; answers are built after. A failure answers "OperationError: ...",
 * thrown by the runtime as that DOMException.
 */
#include "udf.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto.h"
#include "writer.h"

static bool SignOrVerify(bool sign, const UdfV8Arg *args, UdfV8HostResult *out);
static void AnswerOwned(UdfV8HostResult *out, unsigned char *data, size_t len);

/* Answer bytes OpenSSL allocated, as an ArrayBuffer; frees them. */
static void
AnswerOwned(UdfV8HostResult *out, unsigned char *data, size_t len)
{
	unsigned char *copy = palloc(Max(len, 1));
	ValueWriter w;

	memcpy(copy, data, len);
	OPENSSL_clear_free(data, len);
	WriterInit(&w, true);
	WriterBytes(&w, (const char *) copy, len);
	out->result = w.buf.data;
	out->result_len = w.buf.len;
	out->result_is_values = true;
}

/*
 * Sign (or verify) data with a key in DER: kind Ed25519 | ECDSA | RSASSA-PKCS1-v1_5 | RSA-PSS.
 * args: kind, der, data, hash, saltLength (sign) or kind, der, signature, data, hash, saltLength.
 */
static bool
SignOrVerify(bool sign, const UdfV8Arg *args, UdfV8HostResult *out)
{
	const char *kind = OpArgString(args, 0);
	const UdfV8Arg *sig_arg = sign ? NULL : &args[2];
	const UdfV8Arg *data_arg = &args[sign ? 2 : 3];
	const EVP_MD *md = CryptoHashNamed(OpArgString(args, sign ? 3 : 4));
	int			salt = (int) OpArgNumber(args, sign ? 4 : 5);
	bool		ed = kind && strcmp(kind, "Ed25519") == 0;
	bool		ecdsa = kind && strcmp(kind, "ECDSA") == 0;
	bool		pss = kind && strcmp(kind, "RSA-PSS") == 0;
	EVP_PKEY   *pkey = CryptoKeyFromDer(args[1].str, args[1].len, sign);
	EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const char *curve = pkey ? CryptoCurveOf(pkey) : NULL;
	int			size = curve ? CryptoCurveBytes(curve) : 0;
	unsigned char *sig = NULL;
	size_t		siglen = 0;
	unsigned char *der_sig = NULL;
	int			der_len = 0;
	unsigned char *raw = NULL;
	bool		ok = pkey != NULL && mdctx != NULL && (ed || md != NULL) && (!ecdsa || curve != NULL);
	int			verified = 0;

	if (ok)
		ok = (sign ? EVP_DigestSignInit(mdctx, &pctx, ed ? NULL : md, NULL, pkey)
			  : EVP_DigestVerifyInit(mdctx, &pctx, ed ? NULL : md, NULL, pkey)) == 1;
	if (ok && pss)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) == 1;
	if (ok && sign)
	{
		ok = EVP_DigestSign(mdctx, NULL, &siglen, (const unsigned char *) data_arg->str, data_arg->len) == 1 &&
			(sig = OPENSSL_malloc(siglen)) != NULL &&
			EVP_DigestSign(mdctx, sig, &siglen, (const unsigned char *) data_arg->str, data_arg->len) == 1;
		if (ok && ecdsa)
		{
			/* DER (r, s) -> r || s, each the curve's size */
			const unsigned char *p = sig;
			ECDSA_SIG  *es = d2i_ECDSA_SIG(NULL, &p, (long) siglen);

			raw = OPENSSL_malloc(2 * size);
			ok = es && raw && BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, size) == size &&
				BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + size, size) == size;
			ECDSA_SIG_free(es);
		}
	}
	else if (ok)
	{
		const unsigned char *given = (const unsigned char *) sig_arg->str;
		size_t		given_len = sig_arg->len;

		if (ecdsa)
		{
			/* r || s -> DER; a signature of the wrong size does not verify */
			ECDSA_SIG  *es = ECDSA_SIG_new();
			BIGNUM	   *r = given_len == (size_t) (2 * size) ? BN_bin2bn(given, size, NULL) : NULL;
			BIGNUM	   *s = r ? BN_bin2bn(given + size, size, NULL) : NULL;

			if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1)
				der_len = i2d_ECDSA_SIG(es, &der_sig);
			else
			{
				BN_free(r);
				BN_free(s);
			}
			ECDSA_SIG_free(es);
			given = der_sig;
			given_len = der_len > 0 ? (size_t) der_len : 0;
		}
		verified = given_len > 0 &&
			EVP_DigestVerify(mdctx, given, given_len, (const unsigned char *) data_arg->str, data_arg->len) == 1;
	}
	EVP_MD_CTX_free(mdctx);
	EVP_PKEY_free(pkey);
	OPENSSL_free(der_sig);
	if (!ok)
	{
		OPENSSL_free(sig);
		OPENSSL_free(raw);
		out->error_message = "OperationError: the key cannot be used with this algorithm";
		return false;
	}
	if (sign)
	{
		ValueWriter w;
		unsigned char *copy = palloc(Max(ecdsa ? 2 * size : siglen, 1));

		memcpy(copy, ecdsa ? raw : sig, ecdsa ? 2 * size : siglen);
		OPENSSL_free(sig);
		OPENSSL_free(raw);
		WriterInit(&w, true);
		WriterBytes(&w, (const char *) copy, ecdsa ? 2 * size : siglen);
		out->result = w.buf.data;
		out->result_len = w.buf.len;
		out->result_is_values = true;
		return true;
	}
	out->result = verified ? "true" : "false";
	return true;
}

/* crypto/sign(kind, der, data, hash, saltLength) */
void
CryptoSign(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	(void) SignOrVerify(true, args, out);
}

/* crypto/verify(kind, der, signature, data, hash, saltLength) */
void
CryptoVerify(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	(void) SignOrVerify(false, args, out);
}

/* crypto/rsaOaep(encrypt, der, data, hash, label) */
void
CryptoRsaOaep(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	bool		encrypt = OpArgNumber(args, 0) != 0;
	EVP_PKEY   *pkey = CryptoKeyFromDer(args[1].str, args[1].len, !encrypt);
	const EVP_MD *md = CryptoHashNamed(OpArgString(args, 3));
	const char *label = OpArgString(args, 4);
	size_t		label_len = label ? args[4].len : 0;
	EVP_PKEY_CTX *ctx = pkey ? EVP_PKEY_CTX_new(pkey, NULL) : NULL;
	unsigned char *label_copy = label_len > 0 ? OPENSSL_memdup(label, label_len) : NULL;
	unsigned char *buf = NULL;
	size_t		len = 0;
	bool		ok;

	ok = ctx != NULL && md != NULL && (label_len == 0 || label_copy != NULL) &&
		(encrypt ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1 &&
		EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_OAEP_PADDING) == 1 &&
		EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 &&
		EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
	/* the context owns the label once it is set */
	if (ok && label_copy && EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, label_copy, (int) label_len) == 1)
		label_copy = NULL;
	else if (label_copy)
		ok = false;
	if (ok)
		ok = (encrypt ? EVP_PKEY_encrypt(ctx, NULL, &len, (const unsigned char *) args[2].str, args[2].len)
			  : EVP_PKEY_decrypt(ctx, NULL, &len, (const unsigned char *) args[2].str, args[2].len)) == 1 &&
			(buf = OPENSSL_malloc(Max(len, 1))) != NULL &&
			(encrypt ? EVP_PKEY_encrypt(ctx, buf, &len, (const unsigned char *) args[2].str, args[2].len)
			 : EVP_PKEY_decrypt(ctx, buf, &len, (const unsigned char *) args[2].str, args[2].len)) == 1;
	OPENSSL_free(label_copy);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	if (!ok)
	{
		OPENSSL_free(buf);
		out->error_message = encrypt ? "OperationError: RSA-OAEP encryption failed"
			: "OperationError: RSA-OAEP decryption failed";
		return;
	}
	AnswerOwned(out, buf, len);
}

/* crypto/ecdh(privateDer, publicDer, bits): the shared secret's first bits (ECDH, X25519). */
void
CryptoEcdh(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	EVP_PKEY   *priv = CryptoKeyFromDer(args[0].str, args[0].len, true);
	EVP_PKEY   *pub = CryptoKeyFromDer(args[1].str, args[1].len, false);
	double		bits = OpArgNumber(args, 2);
	EVP_PKEY_CTX *ctx = priv ? EVP_PKEY_CTX_new(priv, NULL) : NULL;
	unsigned char *buf = NULL;
	size_t		len = 0;
	bool		ok;

	ok = ctx != NULL && pub != NULL &&
		EVP_PKEY_derive_init(ctx) == 1 &&
		EVP_PKEY_derive_set_peer(ctx, pub) == 1 &&
		EVP_PKEY_derive(ctx, NULL, &len) == 1 &&
		(buf = OPENSSL_malloc(Max(len, 1))) != NULL &&
		EVP_PKEY_derive(ctx, buf, &len) == 1;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	if (!ok || !(bits >= 0 && bits <= 8.0 * len) || ((int) bits) % 8 != 0)
	{
		OPENSSL_clear_free(buf, len);
		out->error_message = ok ? "OperationError: the length asked for is longer than the shared secret"
			: "OperationError: the keys do not agree on a shared secret (another curve?)";
		return;
	}
	/* Web Crypto: bits null or 0 means the whole secret */
	if (bits > 0)
		OPENSSL_cleanse(buf + (size_t) bits / 8, len - (size_t) bits / 8);
	AnswerOwned(out, buf, bits > 0 ? (size_t) bits / 8 : len);
}
