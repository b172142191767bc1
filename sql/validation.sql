-- Argument and return validation against the function's exported validators,
-- with errors naming the path of the offending value.
\set app `node regress/app-json.mjs regress/apps/example`
SELECT udf_deploy(:'app') IS NOT NULL AS deployed;

-- good calls, including an omitted optional field
SELECT udf_invoke('greetings:hello', '{"name": "Grace"}');
SELECT udf_invoke('greetings:hello', '{"name": "Grace", "punctuation": "?"}');
-- missing field, extra field, wrong type
SELECT udf_invoke('greetings:hello', '{}');
SELECT udf_invoke('greetings:hello', '{"name": "Grace", "bad": 1}');
SELECT udf_invoke('greetings:hello', '{"name": 42}');
SELECT udf_invoke('greetings:hello', '{"name": null}');
-- nested paths
SELECT udf_invoke('greetings:card', '{"person": {"first": "ada"}, "tags": []}');
SELECT udf_invoke('greetings:card', '{"person": {"first": "ada", "last": "l"}, "tags": ["x", 7]}');
SELECT udf_invoke('greetings:card', '{"person": {"first": "ada", "last": "l", "middle": "b"}, "tags": []}');
SELECT udf_invoke('greetings:card', '{"person": "ada", "tags": []}');
-- the arguments must be an object
SELECT udf_invoke('greetings:hello', '[1]');
SELECT udf_invoke('greetings:hello', '"Grace"');
SELECT udf_invoke('greetings:hello', 'null');
SELECT udf_invoke('greetings:hello', NULL);
-- malformed Convex encodings are argument errors too
SELECT udf_invoke('values:sum', '{"values": [{"$integer": "not base64!"}]}');
SELECT udf_invoke('values:echo', '{"value": {"$set": []}}');
-- int64 validators take the $integer encoding, not a bare number
SELECT udf_invoke('values:sum', '{"values": [{"$integer": "AQAAAAAAAAA="}, {"$integer": "AgAAAAAAAAA="}]}');
SELECT udf_invoke('values:sum', '{"values": [1, 2]}');
-- the SQLSTATE of an argument error is invalid_parameter_value
DO $$
BEGIN
  PERFORM udf_invoke('greetings:hello', '{"name": 1}');
EXCEPTION WHEN invalid_parameter_value THEN
  RAISE NOTICE 'caught %', SQLSTATE;
END $$;

-- return value validation
SELECT udf_invoke('errors:wrongReturn');
\set VERBOSITY sqlstate
SELECT udf_invoke('errors:wrongReturn');
\set VERBOSITY default

-- unions, literals, records, optional and v.any as Convex checks them
\set app `node regress/app-json.mjs regress/apps/validation-shapes`
SELECT udf_deploy(:'app')->'functions';
SELECT udf_invoke('shapes:u', '{"x": 42}'), udf_invoke('shapes:u', '{"x": "42"}');
SELECT udf_invoke('shapes:u', '{"x": null}');
SELECT udf_invoke('shapes:lit', '{"mode": "a"}'), udf_invoke('shapes:lit', '{"mode": {"$integer": "AgAAAAAAAAA="}}');
SELECT udf_invoke('shapes:lit', '{"mode": 2}');
SELECT udf_invoke('shapes:rec', '{"r": {"a": 1, "b": 2}}');
SELECT udf_invoke('shapes:rec', '{"r": {"a": "one"}}');
SELECT udf_invoke('shapes:anything', '{"whatever": [1, {"deep": true}]}');
SELECT udf_invoke('shapes:inf', '{"n": {"$float": "AAAAAAAA8H8="}}');
SELECT udf_invoke('shapes:ret');
