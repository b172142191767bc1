-- Web Crypto over OpenSSL (udf-runtime/src/setup/09_crypto.js, extension/crypto.c),
-- checked against published test vectors: FIPS 180 digests, RFC 4231 HMAC, the GCM
-- specification's AES-GCM cases, RFC 7914 PBKDF2, RFC 5869 HKDF, RFC 8032 Ed25519,
-- NIST SP 800-38A AES-CBC/CTR, RFC 3394 AES-KW, RFC 7748 X25519, and ECDSA, RSA,
-- RSA-OAEP and ECDH against Node's crypto as an independent peer; real randomness in
-- actions, the seeded PRNG and Convex's refusal of generateKey in queries and
-- mutations; the API's refusals; a JWT signed in an action checked by openssl.
\set app `node regress/app-json.mjs regress/apps/crypto`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;

SELECT udf_invoke('crypto:digestInQuery');
SELECT udf_invoke('crypto:digestInAction');
SELECT udf_invoke('crypto:hmac');
SELECT jsonb_pretty(udf_invoke('crypto:aesGcm'));
SELECT udf_invoke('crypto:derive');
SELECT jsonb_pretty(udf_invoke('crypto:random'));
-- with a fixed seed a query's randomness repeats; an action's does not
SET udf.test_seed = 42;
SELECT udf_invoke('crypto:queryRandomHex') AS q1 \gset
SET udf.test_seed = 42;
SELECT udf_invoke('crypto:queryRandomHex') = :'q1'::jsonb AS query_repeats;
SET udf.test_seed = 42;
SELECT udf_invoke('crypto:randomHex') AS a1 \gset
SET udf.test_seed = 42;
SELECT udf_invoke('crypto:randomHex') <> :'a1'::jsonb AS action_differs;
RESET udf.test_seed;
SELECT udf_invoke('crypto:generateInMutation');
SELECT jsonb_pretty(udf_invoke('crypto:refusals'));
-- Ed25519 against RFC 8032's vectors
SELECT jsonb_pretty(udf_invoke('crypto:ed25519'));
-- Ed25519, ECDSA P-256, RSASSA-PKCS1-v1_5 and RSA-PSS against another implementation:
-- udf verifies Node's signatures and Node verifies udf's
\set peer `node regress/crypto-peer.mjs make`
SELECT udf_invoke('crypto:peer', jsonb_build_object('peer', :'peer')) AS peer_result \gset
SELECT jsonb_pretty((:'peer_result'::jsonb) -> 'verified');
SELECT (:'peer_result'::jsonb) ->> 'signed' AS udf_signed \gset
\setenv UDF_SIGNED :udf_signed
\setenv UDF_PEER :peer
\! node regress/crypto-peer.mjs verify
SELECT jsonb_pretty(udf_invoke('crypto:keyPairs'));
SELECT udf_invoke('crypto:keyPairInQuery');
-- AES-CBC, AES-CTR, AES-KW against NIST SP 800-38A and RFC 3394; X25519 against RFC 7748, ECDH
SELECT jsonb_pretty(udf_invoke('crypto:aesModes'));
SELECT jsonb_pretty(udf_invoke('crypto:keyAgreement'));
-- the JWT's signature as openssl computes it over the same input
SELECT udf_invoke('crypto:jwt', '{"secret": "s3cret"}') ->> 'input' AS jwt_input,
       udf_invoke('crypto:jwt', '{"secret": "s3cret"}') ->> 'signature' AS jwt_signature \gset
\setenv JWT_INPUT :jwt_input
\setenv JWT_SIGNATURE :jwt_signature
\! printf '%s' "$JWT_INPUT" | openssl dgst -sha256 -hmac s3cret -binary | basenc --base64url | tr -d '=' | { read s; [ "$s" = "$JWT_SIGNATURE" ] && echo "openssl agrees with the JWT signature" || echo "openssl disagrees: $s vs $JWT_SIGNATURE"; }
