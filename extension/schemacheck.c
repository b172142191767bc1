/*
 * schemacheck.c -- a Convex value against a schema.js validator, in C, for
 * the documents a deploy finds already stored (schemaadopt.c: a table made
 * without a schema that schema.js now declares).
 *
 * Writes are validated in JavaScript before their syscall (udf-runtime's
 * validate.js, with Convex's messages). A deploy that takes over a table
 * must check the documents stored before there was a schema, inside the
 * deploy's transaction and without running JavaScript per document; this
 * is the same check over the validator JSON that defineSchema(...).export()
 * gives ({type: any | null | number | float64 | bigint | int64 | boolean |
 * string | bytes | id | literal | array | object | record | union}), on
 * Convex JSON values (jansson). Object fields are checked in the
 * validator's order, then extra fields; a union passes if any member does.
 * `v.id(table)` is checked as a string here (whether it names a document of
 * the table is the writes' concern).
 *
 * The answer is NULL or the problem, a palloc'd sentence naming the path
 * (".a.b[2]", as Convex writes paths). Memory is the caller's; nothing here
 * raises for a bad value (a malformed validator is an elog: a bug).
 *
 * SchemaPathHolds answers the deploy's other question about a validator:
 * what the value at a dotted field path ("meta.body") can be, for the
 * fields of search and vector indexes. A path goes through objects (and
 * records, and each object of a union); v.any() on the way may hold
 * anything; a path through a scalar or to a name no object declares holds
 * nothing.
 */
#include "udf.h"

#include "schemacheck.h"
#include "values.h"

#include "miscadmin.h"

static const char *Expected(json_t *validator);
static inline const char *Article(const char *type_name);
static bool LiteralEquals(json_t *literal, json_t *value);
static int	HoldsOf(json_t *validator);

/* The name of what a validator accepts, for messages. */
static const char *
Expected(json_t *validator)
{
	const char *type = json_string_value(json_object_get(validator, "type"));

	if (type == NULL)
		return "?";
	if (strcmp(type, "number") == 0)
		return "float64";
	if (strcmp(type, "bigint") == 0)
		return "int64";
	if (strcmp(type, "id") == 0)
	{
		const char *table = json_string_value(json_object_get(validator, "tableName"));

		return psprintf("Id<\"%s\">", table ? table : "?");
	}
	return type;
}

/* "a" or "an" before a type name. */
static inline const char *
Article(const char *type_name)
{
	return strchr("aeiou", type_name[0]) ? "an" : "a";
}

/* Does value equal the literal (Convex JSON of a string, number, boolean or int64)? */
static bool
LiteralEquals(json_t *literal, json_t *value)
{
	if (json_is_number(literal) && json_is_number(value))
		return json_number_value(literal) == json_number_value(value);
	return json_equal(literal, value);
}

/* NULL if value (Convex JSON) matches validator, else the problem at path. */
const char *
SchemaCheckValue(json_t *validator, json_t *value, const char *path)
{
	const char *type = json_string_value(json_object_get(validator, "type"));
	const char *have = ConvexTypeName(value);
	const char *where = *path ? path : "the top level";

	check_stack_depth();
	if (type == NULL)
		elog(ERROR, "schema.js: a validator without a type");
	if (strcmp(type, "any") == 0)
		return NULL;
	if (strcmp(type, "null") == 0 || strcmp(type, "boolean") == 0 || strcmp(type, "string") == 0 ||
		strcmp(type, "bytes") == 0 || strcmp(type, "float64") == 0 || strcmp(type, "number") == 0 ||
		strcmp(type, "int64") == 0 || strcmp(type, "bigint") == 0 || strcmp(type, "id") == 0)
	{
		const char *want = strcmp(type, "id") == 0 ? "string" : Expected(validator);

		return strcmp(have, want) == 0 ? NULL
			: psprintf("at %s, %s %s value where the schema says %s", where, Article(have), have, Expected(validator));
	}
	if (strcmp(type, "literal") == 0)
		return LiteralEquals(json_object_get(validator, "value"), value) ? NULL
			: psprintf("at %s, a value other than the schema's literal", where);
	if (strcmp(type, "array") == 0)
	{
		size_t		i;
		json_t	   *elem;

		if (!json_is_array(value))
			return psprintf("at %s, %s %s value where the schema says array", where, Article(have), have);
		json_array_foreach(value, i, elem)
		{
			const char *p = SchemaCheckValue(json_object_get(validator, "value"), elem,
											 psprintf("%s[%zu]", path, i));

			if (p)
				return p;
		}
		return NULL;
	}
	if (strcmp(type, "object") == 0 || strcmp(type, "record") == 0)
	{
		const char *field;
		json_t	   *spec;
		json_t	   *v;

		if (strcmp(have, "object") != 0)
			return psprintf("at %s, %s %s value where the schema says object", where, Article(have), have);
		if (strcmp(type, "record") == 0)
		{
			json_object_foreach(value, field, v)
			{
				json_t	   *key = json_string(field);
				const char *p = SchemaCheckValue(json_object_get(validator, "keys"), key,
												 psprintf("%s (the key \"%s\")", where, field));

				json_decref(key);
				if (p == NULL)
					p = SchemaCheckValue(json_object_get(json_object_get(validator, "values"), "fieldType"), v,
										 psprintf("%s.%s", path, field));
				if (p)
					return p;
			}
			return NULL;
		}
		json_object_foreach(json_object_get(validator, "value"), field, spec)
		{
			json_t	   *fv = json_object_get(value, field);
			const char *p;

			if (fv == NULL)
			{
				if (json_is_true(json_object_get(spec, "optional")))
					continue;
				return psprintf("at %s, the required field \"%s\" is missing", where, field);
			}
			p = SchemaCheckValue(json_object_get(spec, "fieldType"), fv, psprintf("%s.%s", path, field));
			if (p)
				return p;
		}
		json_object_foreach(value, field, v)
		{
			if (!json_object_get(json_object_get(validator, "value"), field))
				return psprintf("at %s, the field \"%s\", which the schema does not declare", where, field);
		}
		return NULL;
	}
	if (strcmp(type, "union") == 0)
	{
		size_t		i;
		json_t	   *member;

		const char *only = NULL;	/* the problem of the one member of the value's type */
		int			same_type = 0;

		json_array_foreach(json_object_get(validator, "value"), i, member)
		{
			const char *p = SchemaCheckValue(member, value, path);

			if (p == NULL)
				return NULL;
			if (strcmp(Expected(member), have) == 0 ||
				(strcmp(have, "object") == 0 && strcmp(Expected(member), "record") == 0) ||
				(strcmp(have, "string") == 0 && strncmp(Expected(member), "Id<", 3) == 0))
			{
				only = p;
				same_type++;
			}
		}
		if (same_type == 1)
			return only;		/* the member the value was meant for says what is wrong */
		return psprintf("at %s, %s %s value that matches no member of the schema's union", where, Article(have), have);
	}
	elog(ERROR, "schema.js: unknown validator type \"%s\"", type);
}

/* What the value a validator accepts can be, as SchemaPathHolds's bits. */
static int
HoldsOf(json_t *validator)
{
	const char *type = json_string_value(json_object_get(validator, "type"));
	int			holds = 0;
	size_t		i;
	json_t	   *member;

	if (type == NULL)
		return PATH_HOLDS_OTHER;
	if (strcmp(type, "any") == 0)
		return PATH_HOLDS_ANY;
	if (strcmp(type, "string") == 0 ||
		(strcmp(type, "literal") == 0 && json_is_string(json_object_get(validator, "value"))))
		return PATH_HOLDS_STRING;
	if (strcmp(type, "array") == 0)
	{
		const char *elem = json_string_value(json_object_get(json_object_get(validator, "value"), "type"));

		return elem && (strcmp(elem, "number") == 0 || strcmp(elem, "float64") == 0)
			? PATH_HOLDS_FLOAT_ARRAY : PATH_HOLDS_OTHER;
	}
	if (strcmp(type, "union") != 0)
		return PATH_HOLDS_OTHER;
	json_array_foreach(json_object_get(validator, "value"), i, member)
		holds |= HoldsOf(member);
	return holds;
}

/*
 * What the value at the dotted path inside values of validator can be: a
 * bit set of PATH_HOLDS_* (0: the path never holds a value).
 */
int
SchemaPathHolds(json_t *validator, const char *path)
{
	const char *type = json_string_value(json_object_get(validator, "type"));
	const char *dot = strchr(path, '.');
	char	   *name = dot ? pnstrdup(path, dot - path) : pstrdup(path);
	const char *rest = dot ? dot + 1 : NULL;
	json_t	   *next = NULL;

	check_stack_depth();
	if (type == NULL)
		return 0;
	if (strcmp(type, "any") == 0)
		return PATH_HOLDS_ANY;
	if (strcmp(type, "union") == 0)
	{
		int			holds = 0;
		size_t		i;
		json_t	   *member;

		json_array_foreach(json_object_get(validator, "value"), i, member)
			holds |= SchemaPathHolds(member, path);
		return holds;
	}
	if (strcmp(type, "object") == 0)
		next = json_object_get(json_object_get(json_object_get(validator, "value"), name), "fieldType");
	else if (strcmp(type, "record") == 0)
		next = json_object_get(json_object_get(validator, "values"), "fieldType");
	if (next == NULL)
		return 0;				/* a scalar, an array, or a name the object lacks */
	return rest ? SchemaPathHolds(next, rest) : HoldsOf(next);
}
