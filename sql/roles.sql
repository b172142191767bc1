-- Roles: one context per (deployment, role), so module state never leaks
-- between roles in one backend; deploying needs udf_admin; internal state of
-- udf is closed to ordinary roles.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'udf_test_alice') THEN CREATE ROLE udf_test_alice; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'udf_test_bob') THEN CREATE ROLE udf_test_bob; END IF;
END $$;

\set app `node regress/app-json.mjs regress/apps/roles-counter`
SELECT udf_deploy(:'app')->'modules';

SELECT udf_invoke('counter:bump'), udf_invoke('counter:bump');
SELECT udf_invoke('counter:setSecret', '{"s": "postgres only"}'), udf_invoke('counter:getSecret');
SET ROLE udf_test_alice;
SELECT udf_invoke('counter:bump');
SELECT udf_invoke('counter:getSecret');
SET ROLE udf_test_bob;
SELECT udf_invoke('counter:bump'), udf_invoke('counter:bump'), udf_invoke('counter:bump');
RESET ROLE;
SELECT udf_invoke('counter:bump');
SET ROLE udf_test_alice;
SELECT udf_invoke('counter:bump');
RESET ROLE;

-- a SECURITY DEFINER function runs the call as its owner's role
CREATE FUNCTION bump_as_owner() RETURNS jsonb LANGUAGE sql SECURITY DEFINER AS $$ SELECT udf_invoke('counter:bump') $$;
GRANT EXECUTE ON FUNCTION bump_as_owner() TO udf_test_alice;
SET ROLE udf_test_alice;
SELECT bump_as_owner();
SELECT udf_invoke('counter:bump');
RESET ROLE;

-- deploying needs udf_admin
SET ROLE udf_test_alice;
SELECT udf_deploy('{}');
-- and the deployment tables are closed
SELECT count(*) FROM udf_module;
SELECT count(*) FROM udf_deployment;
-- listing functions is allowed
SELECT path, kind FROM udf_functions();
RESET ROLE;
GRANT udf_admin TO udf_test_alice;
SET ROLE udf_test_alice;
\set app `node regress/app-json.mjs regress/apps/roles-alice`
SELECT udf_deploy(:'app')->'modules';
SELECT udf_invoke('counter:bump');
RESET ROLE;
SELECT deployed_by FROM udf_deployment ORDER BY id DESC LIMIT 1;
REVOKE udf_admin FROM udf_test_alice;

-- the limit settings are superuser-only
SET ROLE udf_test_alice;
SET udf.max_heap_size = '1GB';
RESET ROLE;

DROP FUNCTION bump_as_owner();
DROP ROLE udf_test_alice;
DROP ROLE udf_test_bob;
