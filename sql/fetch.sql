-- fetch in actions against a real HTTP server on loopback (regress/http-server.mjs,
-- started here): GET/POST with headers and JSON, binary/form/Blob bodies,
-- headers, statuses, redirects (follow, manual, error, 303), a redirect to a
-- refused host, 100 concurrent fetches, JS running while fetches are in
-- flight, failures as TypeErrors (refused host, scheme, malformed URL,
-- per-request timeout, oversize body, connection refused, TLS), the SSRF ranges,
-- abort, a dangling fetch dropped, and Convex's refusal in queries and mutations.
\! node regress/http-server.mjs start 56651
\set app `node regress/app-json.mjs regress/apps/fetch`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;

-- no host is allowed by default
SELECT udf_invoke('fetch:failures', '{"port": 56651}') ->> 'notAllowed' AS default_refused;
SET udf.fetch_allowed_hosts = '127.0.0.1:56651';
SELECT jsonb_pretty(udf_invoke('fetch:basics', '{"port": 56651}'));
SELECT jsonb_pretty(udf_invoke('fetch:bodies', '{"port": 56651}'));
SELECT jsonb_pretty(udf_invoke('fetch:headers', '{"port": 56651}'));
SELECT udf_invoke('fetch:statuses', '{"port": 56651}');
SELECT jsonb_pretty(udf_invoke('fetch:redirects', '{"port": 56651}'));
SELECT udf_invoke('fetch:redirectRefused', '{"port": 56651}');
SELECT udf_invoke('fetch:concurrent', '{"port": 56651, "n": 100}');
SELECT udf_invoke('fetch:overlap', '{"port": 56651}');
SELECT udf_invoke('fetch:nested', '{"port": 56651}');
SET udf.fetch_timeout = '300ms';
SET udf.fetch_max_response_size = '32kB';
SELECT jsonb_pretty(udf_invoke('fetch:failures', '{"port": 56651}'));
RESET udf.fetch_timeout;
RESET udf.fetch_max_response_size;
-- more requests in flight than udf.fetch_max_concurrent
SET udf.fetch_max_concurrent = 5;
SELECT udf_invoke('fetch:concurrent', '{"port": 56651, "n": 6}');
RESET udf.fetch_max_concurrent;
SELECT jsonb_pretty(udf_invoke('fetch:abort', '{"port": 56651}'));
SELECT udf_invoke('fetch:objects');
SELECT udf_invoke('fetch:forms', '{"port": 56651}');
SELECT udf_invoke('fetch:streamBody', '{"port": 56651}');
SELECT udf_invoke('fetch:formInQuery');
SELECT udf_invoke('fetch:dangling', '{"port": 56651}');
SELECT udf_invoke('fetch:inQuery');
SELECT udf_invoke('fetch:inMutation');
-- every host allowed: inner addresses are still refused after resolution
SET udf.fetch_allowed_hosts = '*';
SELECT jsonb_pretty(udf_invoke('fetch:inner', '{"port": 56651}'));
-- https: a self-signed certificate fails as a TypeError until udf.fetch_ca_file trusts it
\! node regress/http-server.mjs start-tls 56654 /tmp/udf-tls-56654
SET udf.fetch_allowed_hosts = '127.0.0.1:56654';
SELECT udf_invoke('fetch:probe', '{"url": "https://127.0.0.1:56654/json"}');
SET udf.fetch_ca_file = '/tmp/udf-tls-56654/cert.pem';
SELECT udf_invoke('fetch:probe', '{"url": "https://127.0.0.1:56654/json"}');
RESET udf.fetch_ca_file;
\! curl -sk -o /dev/null https://127.0.0.1:56654/quit
-- entry forms: *.domain does not cover the domain itself; a port entry only that port;
-- an exact entry for an inner address lets it through (the server listens on IPv4 only,
-- so [::1] passes the policy and then finds nobody listening)
SET udf.fetch_allowed_hosts = '*.example.com, 127.0.0.1:56651, [::1]:56651';
SELECT udf_invoke('fetch:probe', '{"url": "http://example.com/"}');
SELECT udf_invoke('fetch:probe', '{"url": "http://127.0.0.1:56652/"}');
SELECT udf_invoke('fetch:probe', '{"url": "http://127.0.0.1:56651/json"}');
SELECT udf_invoke('fetch:probe', '{"url": "http://[::1]:56651/json"}');
SELECT udf_invoke('fetch:probe', '{"url": "http://localhost:56651/json"}');
-- the allowlist is for superusers to set
CREATE ROLE fetch_user;
SET ROLE fetch_user;
SET udf.fetch_allowed_hosts = '*';
RESET ROLE;
DROP ROLE fetch_user;
RESET udf.fetch_allowed_hosts;
\! curl -s -o /dev/null http://127.0.0.1:56651/quit
