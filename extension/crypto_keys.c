/*
 * crypto_keys.c -- asymmetric keys for the runtime's Web Crypto, from OpenSSL:
 * Ed25519, X25519, EC (ECDSA, ECDH: P-256, P-384, P-521) and RSA
 * (RSASSA-PKCS1-v1_5, RSA-PSS, RSA-OAEP); what they do is in crypto_sign.c.
 *
 * The runtime (udf-runtime/src/setup/09_crypto.js) holds every asymmetric
 * key as DER: a private key as PKCS #8, a public key as SubjectPublicKeyInfo,
 * the two forms OpenSSL reads and writes directly. These typed ops convert
 * between that and the other formats, and sign and verify:
 *   crypto/keyImport (kind, format, data, curve) -> {der, private, curve, bits}
 *       kind Ed25519 | EC | RSA; format raw (public Ed25519 and EC points),
 *       pkcs8, spki, or jwk (data: the JWK as JSON text)
 *   crypto/keyExport (format, der, private) -> bytes, or the JWK as JSON text
 *   crypto/keyGenerate (kind, curve, bits) -> {private, public} (actions only)
 * kind is Ed25519, X25519, EC or RSA. JWK members are base64url, converted
 * with OpenSSL's own coder.
 *
 * Every OpenSSL object is freed on every path; OpenSSL's own secrets are
 * cleansed before they are freed. What may raise here is palloc, only when
 * memory runs out, which then leaks that op's OpenSSL objects (the error
 * ends the call; nothing is left half-made). A failure answers "DataError: ..." (bad key data),
 * "OperationError: ..." or "NotSupportedError: ...", which the runtime
 * throws as those DOMExceptions.
 */
#include "udf.h"

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto.h"
#include "writer.h"

static EVP_PKEY *FromRaw(const char *kind, const char *curve, const unsigned char *data, size_t len);
static EVP_PKEY *FromJwk(const char *kind, const char *json, bool *private_key, const char **why);
static unsigned char *ToDer(EVP_PKEY *pkey, bool private_key, int *len);
static char *ToJwk(EVP_PKEY *pkey, bool private_key);
static const char *GroupOf(const char *curve);
static void AnswerKey(UdfV8HostResult *out, EVP_PKEY *pkey, bool private_key);
static BIGNUM *JwkBn(json_t *jwk, const char *member);
static char *B64url(const unsigned char *data, int len);

/* OpenSSL's digest for a Web Crypto hash name, or NULL. */
const EVP_MD *
CryptoHashNamed(const char *name)
{
	if (name == NULL)
		return NULL;
	return strcmp(name, "SHA-1") == 0 ? EVP_sha1() : strcmp(name, "SHA-256") == 0 ? EVP_sha256() :
		strcmp(name, "SHA-384") == 0 ? EVP_sha384() : strcmp(name, "SHA-512") == 0 ? EVP_sha512() : NULL;
}

/* OpenSSL's group name of a Web Crypto named curve, or NULL. */
static const char *
GroupOf(const char *curve)
{
	if (curve == NULL)
		return NULL;
	return strcmp(curve, "P-256") == 0 ? "prime256v1" : strcmp(curve, "P-384") == 0 ? "secp384r1" :
		strcmp(curve, "P-521") == 0 ? "secp521r1" : NULL;
}

/* Bytes of one coordinate (and of r and s) on a named curve. */
int
CryptoCurveBytes(const char *curve)
{
	return strcmp(curve, "P-256") == 0 ? 32 : strcmp(curve, "P-384") == 0 ? 48 : 66;
}

/* The Web Crypto curve name of an EC key, or NULL. */
const char *
CryptoCurveOf(EVP_PKEY *pkey)
{
	char		group[64];

	if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC ||
		!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL))
		return NULL;
	return strcmp(group, "prime256v1") == 0 ? "P-256" : strcmp(group, "secp384r1") == 0 ? "P-384" :
		strcmp(group, "secp521r1") == 0 ? "P-521" : NULL;
}

/* A key from PKCS #8 (private) or SubjectPublicKeyInfo (public) DER, or NULL. */
EVP_PKEY *
CryptoKeyFromDer(const char *der, size_t len, bool private_key)
{
	const unsigned char *p = (const unsigned char *) der;

	if (private_key)
	{
		PKCS8_PRIV_KEY_INFO *info = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long) len);
		EVP_PKEY   *pkey = info ? EVP_PKCS82PKEY(info) : NULL;

		PKCS8_PRIV_KEY_INFO_free(info);
		return pkey;
	}
	return d2i_PUBKEY(NULL, &p, (long) len);
}

/* A public key from its raw form: Ed25519's 32 bytes, or an uncompressed EC point. */
static EVP_PKEY *
FromRaw(const char *kind, const char *curve, const unsigned char *data, size_t len)
{
	EVP_PKEY   *pkey = NULL;
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM	params[3];

	if (strcmp(kind, "Ed25519") == 0 || strcmp(kind, "X25519") == 0)
		return len == 32 ? EVP_PKEY_new_raw_public_key(kind[0] == 'E' ? EVP_PKEY_ED25519 : EVP_PKEY_X25519,
													   NULL, data, len) : NULL;
	if (strcmp(kind, "EC") != 0 || GroupOf(curve) == NULL || len != (size_t) (1 + 2 * CryptoCurveBytes(curve)) || data[0] != 4)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *) GroupOf(curve), 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *) data, len);
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* A JWK member's base64url value as a BIGNUM (NULL if absent or malformed). */
static BIGNUM *
JwkBn(json_t *jwk, const char *member)
{
	const char *v = json_string_value(json_object_get(jwk, member));
	size_t		n;
	char	   *b64;
	unsigned char *bin;
	int			len;
	BIGNUM	   *bn = NULL;

	if (v == NULL)
		return NULL;
	n = strlen(v);
	b64 = palloc(n + 4);
	for (size_t i = 0; i < n; i++)
		b64[i] = v[i] == '-' ? '+' : v[i] == '_' ? '/' : v[i];
	while (n % 4)
		b64[n++] = '=';
	b64[n] = '\0';
	bin = palloc(n);
	len = EVP_DecodeBlock(bin, (unsigned char *) b64, (int) n);
	if (len >= 0)
	{
		/* EVP_DecodeBlock counts the padding as zero bytes */
		for (size_t i = n; i > 0 && b64[i - 1] == '='; i--)
			len--;
		bn = BN_bin2bn(bin, len, NULL);
	}
	return bn;
}

/* base64url text of bytes, unpadded. */
static char *
B64url(const unsigned char *data, int len)
{
	char	   *out = palloc(4 * ((len + 2) / 3) + 1);
	int			n = EVP_EncodeBlock((unsigned char *) out, data, len);

	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (int i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	return out;
}

/* A key from a JWK (JSON text); *private_key says which half it held. NULL with *why. */
static EVP_PKEY *
FromJwk(const char *kind, const char *json, bool *private_key, const char **why)
{
	json_error_t jerr;
	json_t	   *jwk = json_loads(json ? json : "", 0, &jerr);
	const char *kty = json_string_value(json_object_get(jwk, "kty"));
	const char *crv = json_string_value(json_object_get(jwk, "crv"));
	EVP_PKEY   *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM	   *bn[8] = {0};
	static const char *const rsa_members[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
	static const char *const rsa_params[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
	OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};

	*why = "DataError: the JWK does not describe a key of this algorithm";
	*private_key = json_object_get(jwk, "d") != NULL;
	if (jwk == NULL || kty == NULL)
	{
		json_decref(jwk);
		return NULL;
	}
	if ((strcmp(kind, "Ed25519") == 0 || strcmp(kind, "X25519") == 0) && strcmp(kty, "OKP") == 0 && crv &&
		strcmp(crv, kind) == 0)
	{
		BIGNUM	   *x = JwkBn(jwk, *private_key ? "d" : "x");
		unsigned char raw[32];
		int			id = kind[0] == 'E' ? EVP_PKEY_ED25519 : EVP_PKEY_X25519;

		/* the raw key is little-endian bytes, not a number: BN only carries them through */
		if (x && BN_num_bytes(x) <= 32 && BN_bn2binpad(x, raw, 32) == 32)
			pkey = *private_key ? EVP_PKEY_new_raw_private_key(id, NULL, raw, 32)
				: EVP_PKEY_new_raw_public_key(id, NULL, raw, 32);
		BN_free(x);
		json_decref(jwk);
		return pkey;
	}
	bld = OSSL_PARAM_BLD_new();
	if (strcmp(kind, "EC") == 0 && strcmp(kty, "EC") == 0 && GroupOf(crv))
	{
		int			size = CryptoCurveBytes(crv);
		unsigned char *point = palloc(1 + 2 * size);

		bn[0] = JwkBn(jwk, "x");
		bn[1] = JwkBn(jwk, "y");
		bn[2] = *private_key ? JwkBn(jwk, "d") : NULL;
		point[0] = 4;
		if (bld && bn[0] && bn[1] && (!*private_key || bn[2]) &&
			BN_bn2binpad(bn[0], point + 1, size) == size && BN_bn2binpad(bn[1], point + 1 + size, size) == size &&
			OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, GroupOf(crv), 0) &&
			OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * size) &&
			(!*private_key || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn[2])))
		{
			params = OSSL_PARAM_BLD_to_param(bld);
			ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
		}
	}
	else if (strcmp(kind, "RSA") == 0 && strcmp(kty, "RSA") == 0)
	{
		bool		ok = bld != NULL;
		int			want = *private_key ? 8 : 2;

		for (int i = 0; ok && i < want; i++)
			ok = (bn[i] = JwkBn(jwk, rsa_members[i])) != NULL && OSSL_PARAM_BLD_push_BN(bld, rsa_params[i], bn[i]);
		if (ok)
		{
			params = OSSL_PARAM_BLD_to_param(bld);
			ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
		}
	}
	if (ctx == NULL || params == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
		EVP_PKEY_fromdata(ctx, &pkey, *private_key ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	for (int i = 0; i < 8; i++)
		BN_clear_free(bn[i]);
	json_decref(jwk);
	return pkey;
}

/* DER of a key: PKCS #8 for a private key, SubjectPublicKeyInfo for a public one (palloc'd). */
static unsigned char *
ToDer(EVP_PKEY *pkey, bool private_key, int *len)
{
	unsigned char *tmp = NULL;
	unsigned char *out;

	if (private_key)
	{
		PKCS8_PRIV_KEY_INFO *info = EVP_PKEY2PKCS8(pkey);

		*len = info ? i2d_PKCS8_PRIV_KEY_INFO(info, &tmp) : -1;
		PKCS8_PRIV_KEY_INFO_free(info);
	}
	else
		*len = i2d_PUBKEY(pkey, &tmp);
	if (*len <= 0)
	{
		OPENSSL_free(tmp);
		return NULL;
	}
	out = palloc(*len);
	memcpy(out, tmp, *len);
	OPENSSL_clear_free(tmp, *len);
	return out;
}

/* A key as a JWK, JSON text (palloc'd); NULL if OpenSSL cannot say. */
static char *
ToJwk(EVP_PKEY *pkey, bool private_key)
{
	StringInfoData buf;
	int			id = EVP_PKEY_get_base_id(pkey);

	initStringInfo(&buf);
	if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_X25519)
	{
		unsigned char pub[32];
		unsigned char priv[32];
		size_t		n = 32;
		size_t		m = 32;

		if (EVP_PKEY_get_raw_public_key(pkey, pub, &n) != 1 ||
			(private_key && EVP_PKEY_get_raw_private_key(pkey, priv, &m) != 1))
			return NULL;
		appendStringInfo(&buf, "{\"kty\":\"OKP\",\"crv\":\"%s\",\"x\":\"%s\"",
						 id == EVP_PKEY_ED25519 ? "Ed25519" : "X25519", B64url(pub, 32));
		if (private_key)
			appendStringInfo(&buf, ",\"d\":\"%s\"", B64url(priv, 32));
		OPENSSL_cleanse(priv, sizeof(priv));
	}
	else if (id == EVP_PKEY_EC || id == EVP_PKEY_RSA)
	{
		static const char *const ec_names[] = {"x", "y", "d"};
		static const char *const ec_params[] = {OSSL_PKEY_PARAM_EC_PUB_X, OSSL_PKEY_PARAM_EC_PUB_Y, OSSL_PKEY_PARAM_PRIV_KEY};
		static const char *const rsa_names[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi"};
		static const char *const rsa_params[] = {
			OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
			OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
		bool		ec = id == EVP_PKEY_EC;
		const char *curve = ec ? CryptoCurveOf(pkey) : NULL;
		int			count = ec ? (private_key ? 3 : 2) : (private_key ? 8 : 2);

		if (ec && curve == NULL)
			return NULL;
		if (ec)
			appendStringInfo(&buf, "{\"kty\":\"EC\",\"crv\":\"%s\"", curve);
		else
			appendStringInfoString(&buf, "{\"kty\":\"RSA\"");
		for (int i = 0; i < count; i++)
		{
			BIGNUM	   *bn = NULL;
			int			size;
			unsigned char *bin;

			if (!EVP_PKEY_get_bn_param(pkey, ec ? ec_params[i] : rsa_params[i], &bn))
				return NULL;
			/* EC coordinates and d are fixed-size; RSA integers minimal */
			size = ec ? CryptoCurveBytes(curve) : BN_num_bytes(bn);
			bin = palloc(Max(size, 1));
			BN_bn2binpad(bn, bin, size);
			BN_clear_free(bn);
			appendStringInfo(&buf, ",\"%s\":\"%s\"", ec ? ec_names[i] : rsa_names[i], B64url(bin, size));
		}
	}
	else
		return NULL;
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* Answer a key: {der, private, curve, bits}. */
static void
AnswerKey(UdfV8HostResult *out, EVP_PKEY *pkey, bool private_key)
{
	int			len;
	unsigned char *der = ToDer(pkey, private_key, &len);
	const char *curve = CryptoCurveOf(pkey);
	int			bits = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA ? EVP_PKEY_get_bits(pkey) : 0;
	ValueWriter w;

	EVP_PKEY_free(pkey);
	if (der == NULL)
	{
		out->error_message = "DataError: the key could not be encoded";
		return;
	}
	WriterInit(&w, true);
	WriterObjectBegin(&w);
	WriterKey(&w, "der");
	WriterBytes(&w, (const char *) der, len);
	WriterKey(&w, "private");
	WriterBool(&w, private_key);
	WriterKey(&w, "curve");
	if (curve)
		WriterCString(&w, curve);
	else
		WriterNull(&w);
	WriterKey(&w, "bits");
	WriterFloat(&w, bits);
	WriterObjectEnd(&w);
	out->result = w.buf.data;
	out->result_len = w.buf.len;
	out->result_is_values = true;
}

/* crypto/keyImport(kind, format, data, curve) */
void
CryptoKeyImport(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const char *kind = OpArgString(args, 0);
	const char *format = OpArgString(args, 1);
	const char *data = OpArgString(args, 2);
	size_t		len = data ? args[2].len : 0;
	const char *curve = OpArgString(args, 3);
	EVP_PKEY   *pkey = NULL;
	bool		private_key = false;
	const char *why = "DataError: the key data is not a key of this algorithm";
	int			want;

	if (kind == NULL || format == NULL || data == NULL)
	{
		out->error_message = "DataError: no key data";
		return;
	}
	want = strcmp(kind, "Ed25519") == 0 ? EVP_PKEY_ED25519 : strcmp(kind, "X25519") == 0 ? EVP_PKEY_X25519 :
		strcmp(kind, "EC") == 0 ? EVP_PKEY_EC : EVP_PKEY_RSA;
	if (strcmp(format, "raw") == 0)
		pkey = FromRaw(kind, curve, (const unsigned char *) data, len);
	else if (strcmp(format, "pkcs8") == 0 || strcmp(format, "spki") == 0)
	{
		private_key = format[0] == 'p';
		pkey = CryptoKeyFromDer(data, len, private_key);
	}
	else if (strcmp(format, "jwk") == 0)
		pkey = FromJwk(kind, data, &private_key, &why);
	else
		why = "NotSupportedError: unknown key format";
	if (pkey && EVP_PKEY_get_base_id(pkey) != want &&
		!(want == EVP_PKEY_RSA && EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA_PSS))
	{
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	/* an EC key must be on the curve the algorithm named */
	if (pkey && want == EVP_PKEY_EC && (curve == NULL || CryptoCurveOf(pkey) == NULL || strcmp(CryptoCurveOf(pkey), curve) != 0))
	{
		EVP_PKEY_free(pkey);
		pkey = NULL;
		why = "DataError: the key is not on the named curve";
	}
	if (pkey == NULL)
	{
		out->error_message = (char *) why;
		return;
	}
	AnswerKey(out, pkey, private_key);
}

/* crypto/keyExport(format, der, private): raw/pkcs8/spki bytes, or JWK text. */
void
CryptoKeyExport(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const char *format = OpArgString(args, 0);
	bool		private_key = OpArgNumber(args, 2) != 0;
	EVP_PKEY   *pkey = CryptoKeyFromDer(args[1].str, args[1].len, private_key);
	unsigned char *bytes = NULL;
	int			len = 0;
	char	   *jwk = NULL;

	if (pkey == NULL || format == NULL)
	{
		EVP_PKEY_free(pkey);
		out->error_message = "OperationError: the key could not be read";
		return;
	}
	if (strcmp(format, "jwk") == 0)
		jwk = ToJwk(pkey, private_key);
	else if (strcmp(format, "pkcs8") == 0 || strcmp(format, "spki") == 0)
		bytes = (format[0] == 'p') == private_key ? ToDer(pkey, private_key, &len) : NULL;
	else if (strcmp(format, "raw") == 0 && !private_key)
	{
		size_t		n = 0;

		if ((EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519 || EVP_PKEY_get_base_id(pkey) == EVP_PKEY_X25519) &&
			EVP_PKEY_get_raw_public_key(pkey, NULL, &n) == 1)
		{
			bytes = palloc(n);
			if (EVP_PKEY_get_raw_public_key(pkey, bytes, &n) == 1)
				len = (int) n;
		}
		else if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
				 EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0, &n))
		{
			bytes = palloc(n);
			/* keys read from DER keep the uncompressed point they were written with */
			if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, bytes, n, &n))
				len = (int) n;
		}
	}
	EVP_PKEY_free(pkey);
	if (jwk)
	{
		out->result = jwk;
		return;
	}
	if (bytes == NULL || len <= 0)
	{
		out->error_message = "InvalidAccessError: the key cannot be exported in this format";
		return;
	}
	{
		ValueWriter w;

		WriterInit(&w, true);
		WriterBytes(&w, (const char *) bytes, len);
		out->result = w.buf.data;
		out->result_len = w.buf.len;
		out->result_is_values = true;
	}
}

/* crypto/keyGenerate(kind, curve, bits) -> {private, public}: a new key pair (actions only). */
void
CryptoKeyGenerate(const UdfV8Arg *args, int nargs, UdfV8HostResult *out)
{
	const char *kind = OpArgString(args, 0);
	const char *curve = OpArgString(args, 1);
	double		bits = OpArgNumber(args, 2);
	EVP_PKEY   *pkey = NULL;
	int			plen,
				ulen;
	unsigned char *priv;
	unsigned char *pub;
	ValueWriter w;

	if (CallStackKind() == NULL || strcmp(CallStackKind(), "action") != 0)
	{
		out->error_message = "Can't use cryptographic randomness in queries and mutations. Please consider using an action.";
		return;
	}
	if (kind && strcmp(kind, "Ed25519") == 0)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	else if (kind && strcmp(kind, "X25519") == 0)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	else if (kind && strcmp(kind, "EC") == 0 && GroupOf(curve))
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", GroupOf(curve));
	else if (kind && strcmp(kind, "RSA") == 0 && bits >= 1024 && bits <= 8192)
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) bits);
	if (pkey == NULL)
	{
		out->error_message = "OperationError: the key pair could not be generated";
		return;
	}
	priv = ToDer(pkey, true, &plen);
	pub = ToDer(pkey, false, &ulen);
	EVP_PKEY_free(pkey);
	if (priv == NULL || pub == NULL)
	{
		out->error_message = "OperationError: the key pair could not be encoded";
		return;
	}
	WriterInit(&w, true);
	WriterObjectBegin(&w);
	WriterKey(&w, "private");
	WriterBytes(&w, (const char *) priv, plen);
	WriterKey(&w, "public");
	WriterBytes(&w, (const char *) pub, ulen);
	WriterObjectEnd(&w);
	out->result = w.buf.data;
	out->result_len = w.buf.len;
	out->result_is_values = true;
}
