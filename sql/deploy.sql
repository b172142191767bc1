-- udf_deploy: a whole deployment is checked before it goes live, and a bad
-- one is refused with the module, line and column while the old one stays.
\set app `node regress/app-json.mjs regress/apps/example`
SELECT jsonb_pretty(udf_deploy(:'app') - 'deployment');
SELECT path, kind, visibility, args FROM udf_functions() WHERE module = 'greetings.js';
SELECT udf_invoke('greetings:hello', '{"name": "deploy"}');

-- a module path without .js gets it; source maps may be strings or objects
SELECT udf_deploy($${"plain": "export const x = 1;",
                     "mapped.js": {"source": "export const y = 2;", "sourceMap": {"version": 3, "sources": [], "names": [], "mappings": ""}},
                     "nested/deep/mod.js": {"source": "export const z = 3;", "sourceMap": null}}$$)->'modules';

-- an empty deployment is allowed: it removes every function
SELECT udf_deploy('{}') - 'deployment';
SELECT count(*) FROM udf_functions();

-- bad input shapes
SELECT udf_deploy(NULL);
SELECT udf_deploy('[1, 2]');
SELECT udf_deploy('"source"');
SELECT udf_deploy('{"a.js": 5}');
SELECT udf_deploy('{"a.js": null}');
SELECT udf_deploy('{"a.js": ["x"]}');
SELECT udf_deploy('{"a.js": {"sourceMap": "{}"}}');
SELECT udf_deploy('{"a.js": {"source": "export const x = 1", "bogus": 1}}');
SELECT udf_deploy('{"a.js": {"source": "export const x = 1", "sourceMap": 7}}');
SELECT udf_deploy('{"a": "", "a.js": ""}');
-- bad paths
SELECT udf_deploy('{"../a.js": ""}');
SELECT udf_deploy('{"/abs.js": ""}');
SELECT udf_deploy('{"a/./b.js": ""}');
SELECT udf_deploy('{"a.ts": ""}');
SELECT udf_deploy('{"": ""}');
SELECT udf_deploy('{"c:d.js": ""}');

-- bad modules: each refused whole, naming module, line and column
\set bad `node regress/app-json.mjs regress/apps/deploy-syntax-error`
SELECT udf_deploy(:'bad');
\set bad `node regress/app-json.mjs regress/apps/deploy-missing-import`
SELECT udf_deploy(:'bad');
\set bad `node regress/app-json.mjs regress/apps/deploy-bare-import`
SELECT udf_deploy(:'bad');
\set bad `node regress/app-json.mjs regress/apps/deploy-outside-import`
SELECT udf_deploy(:'bad');
\set bad `node regress/app-json.mjs regress/apps/deploy-missing-export`
SELECT udf_deploy(:'bad');
\set bad `node regress/app-json.mjs regress/apps/deploy-missing-name`
SELECT udf_deploy(:'bad');
\set bad `node regress/app-json.mjs regress/apps/deploy-import-throw`
SELECT udf_deploy(:'bad');
\set bad `node regress/app-json.mjs regress/apps/deploy-never-settles`
SELECT udf_deploy(:'bad');
\set bad `node regress/app-json.mjs regress/apps/deploy-undefined-validator`
SELECT udf_deploy(:'bad');
-- convex/server has queryGeneric; query comes from ./_generated/server
\set bad `node regress/app-json.mjs regress/apps/deploy-query-from-server`
SELECT udf_deploy(:'bad');
-- Convex components are refused, naming them (not as a missing import)
\set bad `node regress/app-json.mjs regress/apps/deploy-component`
SELECT udf_deploy(:'bad');

-- after all those refusals the last good deployment (the empty one) is live
SELECT count(*) FROM udf_functions();

-- a deploy in a rolled-back transaction leaves the previous one live
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
BEGIN;
\set other `node regress/app-json.mjs regress/apps/deploy-other`
SELECT udf_deploy(:'other')->'functions';
SELECT udf_invoke('other:f');
ROLLBACK;
SELECT udf_invoke('other:f');
SELECT udf_invoke('greetings:hello', '{"name": "still here"}');

-- imports between modules: relative paths, cycles, default and namespace imports
\set imports `node regress/app-json.mjs regress/apps/deploy-imports`
SELECT udf_deploy(:'imports')->'functions';
SELECT udf_invoke('main:run');

-- the resolution policy (runtime.c's builtin_modules): the _generated modules sit
-- at the deployment's root, reached from a folder through ../, with or without .js;
-- a deployed module of the same path wins over the builtin
SELECT udf_deploy($${
  "lib/q.js": "import { query } from '../_generated/server.js'; import { api } from '../_generated/api'; export const f = query(() => typeof api.lib);"
}$$)->'functions';
SELECT udf_invoke('lib/q:f');
SELECT udf_deploy('{"lib/q.js": "import { query } from \"./_generated/server\";"}');
SELECT udf_deploy('{"a.js": "import { v } from \"convex/values.js\";"}');
SELECT udf_deploy($${
  "_generated/server.js": "import { queryGeneric } from 'convex/server'; export const query = (f) => queryGeneric(() => 'own ' + f());",
  "m.js": "import { query } from './_generated/server'; export const f = query(() => 'server');"
}$$)->'functions';
SELECT udf_invoke('m:f');

-- a convex.config.js that installs no component deploys as usual
\set plain `node regress/app-json.mjs regress/apps/deploy-config-plain`
SELECT udf_deploy(:'plain')->'functions';
SELECT udf_invoke('chat:hello');
