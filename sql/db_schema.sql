-- schema.js: writes are validated against the schema and Convex's document
-- limits; redeploys migrate additively and refuse destructive changes;
-- per-call read/write limits and getTransactionMetrics.
\set app `node regress/app-json.mjs regress/apps/example`
\set overlay `node regress/app-json.mjs regress/apps/schema-checks`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
SELECT jsonb_pretty(udf_invoke('checks:writes'));
SELECT udf_invoke('checks:metrics') AS m \gset
SELECT (:'m'::jsonb)->'documentsRead' AS documents_read, (:'m'::jsonb)->'databaseQueries' AS queries,
       (:'m'::jsonb)->'documentsWritten' AS documents_written,
       ((:'m'::jsonb)->'bytesRead'->>'used')::int BETWEEN 100 AND 400 AS bytes_read_counted,
       ((:'m'::jsonb)->'bytesRead'->>'used')::int + ((:'m'::jsonb)->'bytesRead'->>'remaining')::int = 16 * 1024 * 1024 AS bytes_add_up;

-- limits accumulate over one call and stop it with Convex's message
SET udf.max_documents_read = 2;
SELECT udf_invoke('checks:readAll');
RESET udf.max_documents_read;
SET udf.max_documents_written = 5;
SELECT udf_invoke('checks:writeMany', '{"n": 5}');
SELECT udf_invoke('checks:writeMany', '{"n": 6}');
RESET udf.max_documents_written;

-- additive migration: a new optional field and a new index
\set overlay `node regress/app-json.mjs regress/apps/schema-add-field`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'messages' AND column_name = 'edited';
SELECT indexname FROM pg_indexes WHERE tablename = 'messages' AND indexname LIKE '%edited%';
-- destructive changes are refused, and the previous deployment stays
\set overlay `node regress/app-json.mjs regress/apps/schema-retype-field`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
\set overlay `node regress/app-json.mjs regress/apps/schema-required-field`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
\set overlay `node regress/app-json.mjs regress/apps/schema-bad-index`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
\set overlay `node regress/app-json.mjs regress/apps/schema-private-table`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
CREATE TABLE plain_table (id int PRIMARY KEY);
\set overlay `node regress/app-json.mjs regress/apps/schema-plain-table`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
DROP TABLE plain_table;
\set overlay `node regress/app-json.mjs regress/apps/schema-not-a-schema`
SELECT udf_deploy(:'app'::jsonb || :'overlay'::jsonb)->'tables';
SELECT count(*) > 0 AS additive_deploy_still_live FROM udf_functions() WHERE path LIKE 'messages:%';
