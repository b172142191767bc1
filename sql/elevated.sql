-- SQL that udf runs as the extension owner (loading and saving a deployment,
-- the table registry, the cursor secret, udf_functions()) never resolves a
-- name through the caller's search_path: a role that shadows pg_catalog's
-- functions and operators in its own schema must not get them called with
-- the owner's rights.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'udf_test_mal') THEN CREATE ROLE udf_test_mal; END IF;
END $$;
CREATE SCHEMA mal AUTHORIZATION udf_test_mal;
CREATE TABLE mal.hijacked (fn text, as_user name);
GRANT INSERT, SELECT ON mal.hijacked TO PUBLIC;
CREATE TABLE mal_items (id serial PRIMARY KEY, v text);
GRANT ALL ON mal_items, mal_items_id_seq TO udf_test_mal;

SET ROLE udf_test_mal;
-- every shadow records who called it, then does what the real one does
CREATE FUNCTION mal.jsonb_array_elements(j jsonb) RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mal.hijacked VALUES ('jsonb_array_elements', current_user);
  RETURN QUERY SELECT pg_catalog.jsonb_array_elements(j);
END $$;
CREATE FUNCTION mal.extract(f text, t timestamptz) RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mal.hijacked VALUES ('extract', current_user);
  RETURN pg_catalog.extract(f, t);
END $$;
CREATE FUNCTION mal.convert_to(s text, e name) RETURNS bytea LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mal.hijacked VALUES ('convert_to', current_user);
  RETURN pg_catalog.convert_to(s, e);
END $$;
CREATE FUNCTION mal.jsonb_text(j jsonb, k text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mal.hijacked VALUES ('->>', current_user);
  RETURN j OPERATOR(pg_catalog.->>) k;
END $$;
CREATE OPERATOR mal.->> (LEFTARG = jsonb, RIGHTARG = text, FUNCTION = mal.jsonb_text);
CREATE FUNCTION mal.oid_eq(a regclass, b oid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mal.hijacked VALUES ('=', current_user);
  RETURN a::oid OPERATOR(pg_catalog.=) b;
END $$;
CREATE OPERATOR mal.= (LEFTARG = regclass, RIGHTARG = oid, FUNCTION = mal.oid_eq);
CREATE FUNCTION mal.int_eq(a int, b int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mal.hijacked VALUES ('=', current_user);
  RETURN a OPERATOR(pg_catalog.=) b;
END $$;
CREATE OPERATOR mal.= (LEFTARG = int, RIGHTARG = int, FUNCTION = mal.int_eq);
RESET ROLE;

-- a deploy by a udf_admin with mal's search_path (the save path)
GRANT udf_admin TO udf_test_mal;
\set app `node regress/app-json.mjs regress/apps/elevated`
SET ROLE udf_test_mal;
SET search_path = mal, pg_catalog, public;
SELECT udf_deploy(:'app')->'modules';
RESET ROLE;
RESET search_path;
REVOKE udf_admin FROM udf_test_mal;

-- a fresh load of the deployment, the registry and the cursor secret, all
-- reached with mal's search_path
SELECT udf_deploy(:'app')->'modules';
DELETE FROM udf_table WHERE relation = 'mal_items'::regclass;
DELETE FROM udf_secret;
SET ROLE udf_test_mal;
SET search_path = mal, pg_catalog, public;
SELECT udf_invoke('items:add', '{"v": "a"}');
SELECT udf_invoke('items:page');
SELECT count(*) FROM udf_functions() WHERE path LIKE 'items:%';
RESET ROLE;
RESET search_path;

-- the shadows ran only as their own author, if at all
SELECT fn, as_user FROM mal.hijacked WHERE as_user <> 'udf_test_mal' ORDER BY fn;
SELECT rolsuper FROM pg_roles WHERE rolname = 'udf_test_mal';

DROP SCHEMA mal CASCADE;
DROP TABLE mal_items;
DROP ROLE udf_test_mal;
