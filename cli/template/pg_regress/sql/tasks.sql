-- tasks: the app deployed from app.sql (udf bundle), then called from SQL.
SET udf.test_now = 1700000000000;
SET udf.test_seed = 42;
-- (the bundle is one long line: not echoed)
\set ECHO none
\i app.sql
\set ECHO all
SELECT udf_invoke('tasks:add', '{"text": "write the suite"}') IS NOT NULL AS added;
SELECT udf_invoke('tasks:list');
SELECT text, done, priority FROM tasks;
-- a bad input is an ordinary error
SELECT udf_invoke('tasks:add', '{"text": "x", "priority": 9}');
