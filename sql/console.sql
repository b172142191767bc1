-- console.* reaches the client as NOTICE (udf.console_level), prefixed with
-- the function's name; lines are capped per call.
SELECT udf_deploy($${"logs.js": "import { query, mutation } from './_generated/server';\nimport { v } from 'convex/values';\nconsole.log('at import time');\nexport const levels = query(() => { console.log('log', 1, 'two', { three: [3] }); console.info('info'); console.warn('warn'); console.error('error', new Error('shown with its message')); console.debug('debug'); return null; });\nexport const formats = query(() => { console.log('%s is %d years and %i days; %o', 'Ada', 36.5, 7.9, { a: 1 }); console.log(null, undefined, true, 5n, -0, NaN, [1, [2, [3, [4, [5]]]]], new Map([[1, 2]]), new Set(['x']), Symbol('s'), function named() {}); return null; });\nexport const many = mutation({ args: { n: v.number() }, handler: (ctx, { n }) => { for (let i = 1; i <= n; i++) console.log('line', i); return n; } });\nexport const long = query(() => { console.log('x'.repeat(40000)); return null; });\nexport const counters = query(() => { console.count(); console.count(); console.count('k'); console.time('t'); console.timeEnd('t'); console.timeEnd('none'); console.assert(1 === 2, 'assertion message'); return null; });"}$$)->'modules';

SELECT udf_invoke('logs:levels');
SELECT udf_invoke('logs:formats');
SELECT udf_invoke('logs:counters');

-- the level is a setting: debug1 hides them from the client
SET udf.console_level = debug1;
SELECT udf_invoke('logs:levels');
SET udf.console_level = warning;
SELECT udf_invoke('logs:levels');
RESET udf.console_level;
SET udf.console_level = 'loud';

-- at most 256 lines per call, then one overflow line; the cap resets per call
SELECT udf_invoke('logs:many', '{"n": 300}');
SELECT udf_invoke('logs:many', '{"n": 2}');
-- lines over 32768 characters are cut
SELECT udf_invoke('logs:long');
