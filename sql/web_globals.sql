-- The web platform globals beside fetch: URL and URLSearchParams (whatwg-url),
-- streams (web-streams-polyfill) with TextEncoderStream/TextDecoderStream,
-- performance.now(), Event/EventTarget/AbortController, structuredClone.
\set app `node regress/app-json.mjs regress/apps/web`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;
-- URL's code is loaded on the context's first use (a fresh context: the deploy made it)
SELECT jsonb_pretty(udf_invoke('web:lazyUrl'));
SELECT jsonb_pretty(udf_invoke('web:url'));
SELECT udf_invoke('web:streams');
SELECT udf_invoke('web:perfQuery');
SELECT udf_invoke('web:perfAction');
SELECT udf_invoke('web:events');
SELECT udf_invoke('web:fetchUrl');
