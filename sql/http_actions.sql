-- HTTP actions from SQL: udf_http runs http.js's routes (exact, prefix,
-- longest prefix, 404 for no route or another method) as the calling role,
-- with JSON and binary bodies and headers; a throwing handler is a 500
-- whose message stays in the server log.
\set app `node regress/app-json.mjs regress/apps/http`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
SELECT status, response_headers, convert_from(response_body, 'UTF8') AS body
  FROM udf_http('POST', '/echo', '{"X-Test": "sql", "Content-Type": "application/json"}', '{"a":[1,2]}');
SELECT status, convert_from(response_body, 'UTF8') AS body FROM udf_http('get', '/files/exact');
SELECT status, convert_from(response_body, 'UTF8') AS body FROM udf_http('GET', '/files/a/b');
SELECT status, convert_from(response_body, 'UTF8') AS body FROM udf_http('GET', '/files/deep/c?q=two%20words');
SELECT status, convert_from(response_body, 'UTF8') AS body FROM udf_http('GET', '/nowhere');
SELECT status, convert_from(response_body, 'UTF8') AS body FROM udf_http('DELETE', '/files/exact');
SELECT status, encode(response_body, 'hex') AS body, response_headers ->> 'content-type' AS type
  FROM udf_http('PUT', '/reverse', '{}', '\x0102ff'::bytea);
SET client_min_messages = warning;
SELECT status, convert_from(response_body, 'UTF8') AS body FROM udf_http('GET', '/throw');
SELECT status, convert_from(response_body, 'UTF8') AS body FROM udf_http('GET', '/bad');
RESET client_min_messages;
-- the database as the calling role
SELECT status, convert_from(response_body, 'UTF8') AS body FROM udf_http('POST', '/note', '{}', '{"body":"from sql"}');
CREATE ROLE http_nobody;
GRANT SELECT ON http_notes TO http_nobody;
SET ROLE http_nobody;
SELECT status FROM udf_http('POST', '/note', '{}', '{"body":"refused"}');
RESET ROLE;
SELECT body FROM http_notes ORDER BY body;
DROP OWNED BY http_nobody;
DROP ROLE http_nobody;
-- bad input
SELECT * FROM udf_http('GET', 'no-slash');
SELECT * FROM udf_http('GET', '/', '[1]');
