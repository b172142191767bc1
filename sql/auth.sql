-- ctx.auth.getUserIdentity(): null by default; from udf.identity (Convex's
-- UserIdentity fields) when set; else from PostgREST's request.jwt.claims,
-- mapped as Convex maps a JWT's claims.
\set app `node regress/app-json.mjs regress/apps/auth`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
SELECT udf_invoke('who:whoami') AS nobody;

-- udf.identity: tokenIdentifier defaults to issuer|subject; other fields kept
SET udf.identity = '{"subject": "user1", "issuer": "https://auth.example.com", "email": "a@example.com"}';
SELECT jsonb_pretty(udf_invoke('who:whoami'));
SELECT udf_invoke('who:fromMutation') AS in_mutation, udf_invoke('who:fromAction') AS in_action_and_its_query;
SET udf.identity = '{"subject": "u2", "issuer": "iss", "tokenIdentifier": "custom"}';
SELECT udf_invoke('who:whoami') ->> 'tokenIdentifier' AS given_token_identifier;
-- a bad setting is an error naming it, which the function may catch
SET udf.identity = '{"subject": 1, "issuer": "iss"}';
SELECT udf_invoke('who:whoami');
SET udf.identity = 'not json';
SELECT udf_invoke('who:whoami');
SELECT udf_invoke('who:caught');
RESET udf.identity;

-- PostgREST's claims (set per request with set_config, as PostgREST does)
BEGIN;
SELECT set_config('request.jwt.claims', '{"sub": "abc", "iss": "https://x.supabase.co/auth/v1", "aud": "authenticated", "exp": 1999999999, "role": "authenticated", "email": "b@example.com", "email_verified": true, "given_name": "Bea", "app_metadata": {"plan": "pro"}}', true) IS NOT NULL AS set;
SELECT jsonb_pretty(udf_invoke('who:whoami'));
-- udf.identity wins over the claims
SET LOCAL udf.identity = '{"subject": "explicit", "issuer": "iss"}';
SELECT udf_invoke('who:whoami') ->> 'subject' AS subject;
COMMIT;
-- claims without a subject (an anonymous request) are no identity
BEGIN;
SELECT set_config('request.jwt.claims', '{"role": "anon", "iss": "supabase"}', true) IS NOT NULL AS set;
SELECT udf_invoke('who:whoami') AS anonymous;
COMMIT;
