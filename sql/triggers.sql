-- udf_trigger: every timing and level, row replacement and skipping,
-- transition tables, errors, kinds, and the nesting bound.
\set app `node regress/app-json.mjs regress/apps/triggers`
SELECT udf_deploy(:'app')->'modules';
CREATE TABLE t (id serial PRIMARY KEY, v int);
CREATE TRIGGER r_before BEFORE INSERT OR UPDATE OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:record', 'a', 'b');
CREATE TRIGGER r_after AFTER INSERT OR UPDATE OR DELETE ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:record');
CREATE TRIGGER s_before BEFORE INSERT ON t FOR EACH STATEMENT EXECUTE FUNCTION udf_trigger('trig:record');
CREATE TRIGGER s_after_ins AFTER INSERT ON t REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION udf_trigger('trig:record');
CREATE TRIGGER s_after_upd AFTER UPDATE ON t REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION udf_trigger('trig:record');
CREATE TRIGGER s_trunc AFTER TRUNCATE ON t FOR EACH STATEMENT EXECUTE FUNCTION udf_trigger('trig:record');
INSERT INTO t (v) VALUES (1), (2);
UPDATE t SET v = v + 10;
DELETE FROM t WHERE v = 11;
-- one statement firing each row trigger for two events (an upsert): every call
-- gets its own op, though the trigger keeps its constant fields per statement
INSERT INTO t (id, v) VALUES (2, 100), (50, 200) ON CONFLICT (id) DO UPDATE SET v = excluded.v;
TRUNCATE t;
DROP TRIGGER r_before ON t; DROP TRIGGER r_after ON t; DROP TRIGGER s_before ON t;
DROP TRIGGER s_after_ins ON t; DROP TRIGGER s_after_upd ON t; DROP TRIGGER s_trunc ON t;

-- BEFORE ROW results: replace, skip, keep; bad replacements are errors
CREATE TRIGGER dbl BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:double');
INSERT INTO t (v) VALUES (5) RETURNING v;
DROP TRIGGER dbl ON t;
CREATE TRIGGER skip BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:skipOdd');
INSERT INTO t (v) VALUES (1), (2), (3), (4);
SELECT v FROM t ORDER BY v;
DROP TRIGGER skip ON t;
CREATE TRIGGER bad BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:badField');
INSERT INTO t (v) VALUES (1);
DROP TRIGGER bad ON t;
CREATE TRIGGER bad BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:badType');
INSERT INTO t (v) VALUES (1);
DROP TRIGGER bad ON t;
-- errors: a throwing mutation, a query, a missing function, no argument, a direct call
CREATE TRIGGER bad AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:throws');
INSERT INTO t (v) VALUES (1);
DROP TRIGGER bad ON t;
CREATE TRIGGER bad AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:aQuery');
INSERT INTO t (v) VALUES (1);
DROP TRIGGER bad ON t;
CREATE TRIGGER bad AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:missing');
INSERT INTO t (v) VALUES (1);
DROP TRIGGER bad ON t;
CREATE TRIGGER bad AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION udf_trigger();
INSERT INTO t (v) VALUES (1);
DROP TRIGGER bad ON t;
SELECT udf_trigger();
SELECT count(*) FROM t;
-- a trigger whose mutation writes to its own table: bounded by udf.max_call_depth
CREATE TABLE loop (id serial PRIMARY KEY, v int);
CREATE TRIGGER again AFTER INSERT ON loop FOR EACH ROW EXECUTE FUNCTION udf_trigger('trig:recurse');
INSERT INTO loop (v) VALUES (0);
SELECT count(*) FROM loop;
SET udf.max_call_depth = 32;
SET max_stack_depth = '7MB';
INSERT INTO loop (v) VALUES (0);
RESET udf.max_call_depth;
RESET max_stack_depth;
DROP TABLE t, loop;
-- rows are the documents ctx.db reads: the same keys in the same order (_id
-- first, also when the primary key is not the first column), no dropped
-- columns; a returned row maps its fields back past the dropped one
\set app `node regress/app-json.mjs regress/apps/trigger-rows`
SELECT udf_deploy(:'app')->'modules';
CREATE TABLE keyed (gone int, v int, k text PRIMARY KEY, note text);
ALTER TABLE keyed DROP COLUMN gone;
CREATE TRIGGER bump BEFORE INSERT ON keyed FOR EACH ROW EXECUTE FUNCTION udf_trigger('rows:bump');
CREATE TRIGGER compare AFTER INSERT ON keyed FOR EACH ROW EXECUTE FUNCTION udf_trigger('rows:compare');
INSERT INTO keyed (v, k) VALUES (1, 'a');
SELECT * FROM keyed;
DROP TABLE keyed;
-- a table in a schema whose name starts with an underscore
CREATE SCHEMA _s;
CREATE TABLE _s.t (id serial PRIMARY KEY, v int);
CREATE TRIGGER seen AFTER INSERT ON _s.t FOR EACH ROW EXECUTE FUNCTION udf_trigger('rows:seen');
INSERT INTO _s.t (v) VALUES (7);
DROP SCHEMA _s CASCADE;
-- a row with values that need decoding (int8, bytea) and one without; a
-- column name Convex refuses fails the call, as it did before the fast path
CREATE TABLE typed (id int PRIMARY KEY, big int8, raw bytea, f float8, s text);
CREATE TRIGGER types AFTER INSERT ON typed FOR EACH ROW EXECUTE FUNCTION udf_trigger('rows:types');
INSERT INTO typed VALUES (1, 9007199254740993, '\x0102', 1.5, 'x');
ALTER TABLE typed DROP COLUMN big, DROP COLUMN raw;
INSERT INTO typed VALUES (2, 2.5, 'y');
ALTER TABLE typed ADD COLUMN "$odd" int;
INSERT INTO typed VALUES (3, 3.5, 'z', 3);
ALTER TABLE typed DROP COLUMN "$odd", ADD COLUMN "é" int;
INSERT INTO typed VALUES (4, 4.5, 'w', 4);
SELECT id FROM typed ORDER BY id;
DROP TABLE typed;
