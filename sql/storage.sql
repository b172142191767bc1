-- File storage: ctx.storage.store/get in actions, getUrl/getMetadata and
-- the _storage system table everywhere, delete and generateUploadUrl in
-- mutations, the SQL functions; files are transactional with the caller.
\set app `node regress/app-json.mjs regress/apps/storage`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
SET udf.test_seed = 7;

-- store in an action, read it back
SELECT udf_invoke('files:storeText', '{"text":"hello files","type":"Text/Plain"}') #>> '{}' AS id \gset
SELECT udf_invoke('files:read', jsonb_build_object('id', :'id'));
SELECT udf_invoke('files:storeAndRead');
-- metadata three ways: getMetadata (hex), _storage (base64), SQL
SELECT udf_invoke('files:meta', jsonb_build_object('id', :'id')) AS m \gset
SELECT (:'m'::jsonb - 'url') #- '{metadata,storageId}' AS meta, :'m'::jsonb #>> '{metadata,storageId}' = :'id' AS metadata_names_id;
SELECT udf_invoke('files:meta', jsonb_build_object('id', :'id')) ->> 'url' LIKE 'http://127.0.0.1:3211/api/storage/%' AS default_url;
SELECT sha256 = encode(sha256('hello files'::bytea), 'base64') AS sha_ok, size, "contentType" FROM _storage WHERE _id = :'id';
SELECT udf_invoke('files:getNamed', jsonb_build_object('id', :'id')) AS size_by_name;
SELECT convert_from(udf_storage_get(:'id'), 'UTF8') AS sql_get;
-- Convex's example: two bytes 0x0C 0x00
SELECT udf_invoke('files:storeBytes', '{"bytes":[12,0]}') #>> '{}' AS id2 \gset
SELECT sha256 FROM _storage WHERE _id = :'id2';
SELECT udf_invoke('files:storeBytes', '{"bytes":[12,0],"sha256":"v2DkNJys5rzg1VLo14NCjbZtDWSb2eQwo2J+LuFKyDk="}') IS NOT NULL AS sha_matches;
SELECT udf_invoke('files:storeBytes', '{"bytes":[12,1],"sha256":"v2DkNJys5rzg1VLo14NCjbZtDWSb2eQwo2J+LuFKyDk="}');
-- the public base URL
SET udf.http_public_url = 'https://files.example.com/';
SELECT udf_invoke('files:meta', jsonb_build_object('id', :'id')) ->> 'url' = 'https://files.example.com/api/storage/' || :'id' AS public_url;
RESET udf.http_public_url;
-- SQL put: binary bytes, content type; listed by db.system.query
SELECT udf_storage_put('\x00ff00'::bytea, 'application/octet-stream') AS id3 \gset
SELECT encode(udf_storage_get(:'id3'), 'hex') AS bytes3;
SELECT udf_invoke('files:listFiles');
-- an upload URL: signed, under the base URL
SELECT udf_invoke('files:uploadUrl') #>> '{}' ~ '^http://127\.0\.0\.1:3211/api/storage/upload\?token=[0-9a-f]{32}\.[0-9]{10}\.[0-9a-f]{32}$' AS upload_url;

-- rollback: a stored file leaves nothing, bytes included
SELECT count(*) AS los_before FROM pg_largeobject_metadata \gset
BEGIN;
SELECT udf_invoke('files:storeText', '{"text":"rolled back"}') #>> '{}' AS id4 \gset
SELECT count(*) AS files_in_txn FROM _storage;
ROLLBACK;
SELECT count(*) AS files_after_rollback FROM _storage;
SELECT count(*) = :los_before AS no_orphan_bytes FROM pg_largeobject_metadata;
SELECT udf_invoke('files:read', jsonb_build_object('id', :'id4')) AS rolled_back_read;
-- an action that throws after storing: its statement rolls back the file
SELECT udf_invoke('files:storeThenThrow');
SELECT count(*) AS files_after_throw FROM _storage;

-- delete: the row and the bytes go; getUrl then answers null
SELECT udf_invoke('files:remove', jsonb_build_object('id', :'id')) AS url_after_delete;
SELECT count(*) = :los_before - 1 AS bytes_freed FROM pg_largeobject_metadata;
SELECT udf_invoke('files:meta', jsonb_build_object('id', :'id')) AS meta_after_delete;
SELECT udf_invoke('files:read', jsonb_build_object('id', :'id')) AS read_after_delete;
SELECT udf_storage_get(:'id') IS NULL AS sql_get_after_delete;
SELECT udf_storage_delete(:'id3') AS deleted, udf_storage_delete(:'id3') AS deleted_again;

-- bad input: other tables' ids, non-ids, the wrong kinds
SELECT udf_invoke('files:notAFile');
SELECT udf_invoke('files:meta', '{"id":"nope"}');
SELECT udf_invoke('files:remove', '{"id":"nope"}');
SELECT udf_invoke('files:storeInMutation');
SELECT udf_invoke('files:getInMutation', jsonb_build_object('id', :'id2'));
SELECT udf_invoke('files:storeNotBlob');
-- _storage is read-only from SQL, its table closed, the SQL functions udf_admin's
CREATE ROLE st_nobody;
SET ROLE st_nobody;
SELECT count(*) >= 1 AS anyone_reads_storage FROM _storage;
INSERT INTO _storage (_id) VALUES ('x');
DELETE FROM _storage;
SELECT * FROM udf_storage;
SELECT udf_storage_put('\x00'::bytea);
RESET ROLE;
DROP ROLE st_nobody;
