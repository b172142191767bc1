/*
 * dbfilter.c -- ctx.db's filter expressions and withIndex ranges as SQL
 * predicates, with Convex's semantics.
 *
 * Convex orders values of different types by type: undefined (a missing
 * field) < null < int64 < float64 < boolean < string < bytes < array <
 * object, so `q.lt(q.field("score"), 2)` matches documents without a score
 * and `1n` never equals `1`. A column has one type, so a comparison of a
 * field with a literal of another type is decided here, by rank, and
 * becomes `true`/`false` for set rows; SQL compares only values of one
 * type. A missing field is SQL NULL in managed tables (undefined) and null
 * elsewhere (NULL is the JSON null of an ordinary table). jsonb columns
 * hold any type: every comparison on them, and on a dotted path into them
 * (`meta.color`), compares udf_sort_key keys (dbsortkey.c), bytes in
 * Convex's order, so types rank and missing paths are undefined as in
 * Convex; a path into a column of another type is undefined. Arithmetic
 * works on numeric fields as float8, and on numbers kept as jsonb (paths,
 * tables without a schema); rows where an operand is no number do not
 * match.
 *
 * Index ranges follow Convex's rules before any SQL is built: eq on a
 * prefix of the index's fields in any order, then at most one lower and one
 * upper bound on the next field (FieldNotInIndex, AlreadyDefinedBound,
 * BoundsOnMultipleFields, InvalidIndexRange otherwise); each bound is a
 * field comparison like a filter's.
 *
 * Every literal becomes a parameter of the query (QueryBuild.p). Memory is
 * the op's; everything here may raise (untranslatable expressions, bad
 * ranges, literals that do not convert).
 */
#include "db.h"

#include "utils/lsyscache.h"

/* Convex's total order of types: undefined < null < int64 < float64 < boolean < string < bytes < array < object */
enum
{
	RANK_UNDEFINED = 0, RANK_NULL, RANK_INT64, RANK_FLOAT64, RANK_BOOLEAN, RANK_STRING,
	RANK_BYTES, RANK_ARRAY, RANK_OBJECT, RANK_ANY
};

/* The comparisons of filters and ranges, in the order of cmp_sql and TranslateExpr's names. */
typedef enum CmpOp
{
	CMP_EQ, CMP_NEQ, CMP_LT, CMP_LTE, CMP_GT, CMP_GTE
} CmpOp;

static const char *const cmp_sql[] = {"=", "<>", "<", "<=", ">", ">="};

static int	ColumnRank(Oid typid);
static int	ValueRank(json_t *j);
static bool CmpFromOrder(CmpOp op, int c);
static CmpOp FlipCmp(CmpOp op);
static int	FieldColumn(QueryBuild *b, const char *path, char **nested);
static void TranslateFieldCmp(QueryBuild *b, const char *path, CmpOp op, json_t *literal, StringInfo out);
static inline bool IsField(json_t *e);
static inline bool IsLiteral(json_t *e);
static void TranslateArith(QueryBuild *b, json_t *e, StringInfo out);
static CmpOp RangeCmp(const char *type);

/* The rank of a column's values (RANK_ANY: jsonb holds any type). */
static int
ColumnRank(Oid typid)
{
	switch (typid)
	{
		case INT8OID:
			return RANK_INT64;
		case INT2OID:
		case INT4OID:
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return RANK_FLOAT64;
		case BOOLOID:
			return RANK_BOOLEAN;
		case BYTEAOID:
			return RANK_BYTES;
		case JSONOID:
		case JSONBOID:
			return RANK_ANY;
		default:
			return type_is_array(typid) ? RANK_ARRAY : RANK_STRING;
	}
}

/* The rank of a literal (Convex JSON). */
static int
ValueRank(json_t *j)
{
	/* ConvexTypeName's names, from RANK_NULL up to (not including) RANK_OBJECT */
	static const char *const names[] = {"null", "int64", "float64", "boolean", "string", "bytes", "array"};
	const char *name = ConvexTypeName(j);

	if (json_is_object(j) && json_object_size(j) == 1 && json_object_get(j, "$undefined"))
		return RANK_UNDEFINED;
	for (int i = 0; i < (int) lengthof(names); i++)
		if (strcmp(name, names[i]) == 0)
			return RANK_NULL + i;
	return RANK_OBJECT;
}

/* Truth of `a op b` from a three-way comparison c (<0, 0, >0). */
static bool
CmpFromOrder(CmpOp op, int c)
{
	switch (op)
	{
		case CMP_EQ:
			return c == 0;
		case CMP_NEQ:
			return c != 0;
		case CMP_LT:
			return c < 0;
		case CMP_LTE:
			return c <= 0;
		case CMP_GT:
			return c > 0;
		case CMP_GTE:
			return c >= 0;
	}
	return false;
}

/* The comparison with its operands swapped: a < b is b > a. */
static CmpOp
FlipCmp(CmpOp op)
{
	switch (op)
	{
		case CMP_LT:
			return CMP_GT;
		case CMP_LTE:
			return CMP_GTE;
		case CMP_GT:
			return CMP_LT;
		case CMP_GTE:
			return CMP_LTE;
		default:
			return op;
	}
}

/* The column a "$field" path names (-1 if none); *nested gets the rest of a dotted path, or NULL. */
static int
FieldColumn(QueryBuild *b, const char *path, char **nested)
{
	const char *dot = strchr(path, '.');
	char	   *first = dot ? pnstrdup(path, dot - path) : pstrdup(path);
	int			c;

	*nested = dot ? pstrdup(dot + 1) : NULL;
	if (strcmp(first, "_id") == 0 && !b->t->managed && b->t->pk >= 0)
		return b->t->pk;
	if (b->t->schemaless && strcmp(first, "_id") != 0 && strcmp(first, "_creationTime") != 0)
	{
		/* a table without a schema: every field is a path into the document (dbschemaless.c) */
		*nested = pstrdup(path);
		return FindColumn(b->t, SCHEMALESS_DOC);
	}
	c = FindColumn(b->t, first);
	return c;
}

/*
 * field op literal, with Convex's semantics: a missing field is undefined
 * (below everything), values of different types compare by type rank.
 */
static void
TranslateFieldCmp(QueryBuild *b, const char *path, CmpOp op, json_t *literal, StringInfo out)
{
	char	   *nested;
	int			c = FieldColumn(b, path, &nested);
	int			lrank = ValueRank(literal);
	const char *col;
	int			crank;
	bool		missing_is_null = b->t->managed;

	if (c < 0)
	{
		/* a field no row has: every row's value is undefined */
		appendStringInfoString(out, CmpFromOrder(op, RANK_UNDEFINED - lrank) ? "true" : "false");
		return;
	}
	col = quote_identifier(b->t->cols[c].name);
	crank = ColumnRank(b->t->cols[c].typid);
	if (nested && crank != RANK_ANY)
	{
		/* only objects have fields: a path into a scalar or array column is undefined */
		appendStringInfoString(out, CmpFromOrder(op, RANK_UNDEFINED - lrank) ? "true" : "false");
		return;
	}
	if (crank == RANK_ANY)
	{
		/* any type: compare keys in Convex's total order (dbsortkey.c) */
		int			key = AddParam(b->p, SortKeyOfLiteral(literal, b->t->name, path), BYTEAOID, false);
		const char *value = b->t->cols[c].typid == JSONOID ? psprintf("%s::jsonb", col) : col;

		if (nested)
			appendStringInfo(out, "(%s(%s, $%d) %s $%d)", SortKeySql(), value,
							 AddParam(b->p, FieldPathArray(nested), TEXTARRAYOID, false), cmp_sql[op], key);
		else if (missing_is_null)
			appendStringInfo(out, "(%s(%s) %s $%d)", SortKeySql(), value, cmp_sql[op], key);
		else
			appendStringInfo(out, "(%s(coalesce(%s, 'null'::jsonb)) %s $%d)", SortKeySql(), value,
							 cmp_sql[op], key);
		return;
	}
	if (lrank == RANK_UNDEFINED || (lrank == RANK_NULL && !missing_is_null))
	{
		/* compare with undefined (or, in unmanaged tables, SQL NULL = null) */
		const char *when_null = CmpFromOrder(op, 0) ? "true" : "false";
		const char *when_set = CmpFromOrder(op, 1) ? "true" : "false";

		appendStringInfo(out, "(CASE WHEN %s IS NULL THEN %s ELSE %s END)", col, when_null, when_set);
		return;
	}
	{
		/* rows where the field is missing compare as undefined, below the literal */
		const char *when_null = missing_is_null ? (CmpFromOrder(op, RANK_UNDEFINED - lrank) ? "true" : "false")
			: (CmpFromOrder(op, RANK_NULL - lrank) ? "true" : "false");

		if (crank != lrank)
		{
			const char *when_set = CmpFromOrder(op, crank - lrank) ? "true" : "false";

			appendStringInfo(out, "(CASE WHEN %s IS NULL THEN %s ELSE %s END)", col, when_null, when_set);
			return;
		}
		{
			bool		isnull;
			Datum		d = ConvexToDatum(literal, b->t->cols[c].typid, b->t->cols[c].typmod, b->t->name, path, &isnull);

			appendStringInfo(out, "(CASE WHEN %s IS NULL THEN %s ELSE %s %s $%d END)", col, when_null, col,
							 cmp_sql[op], AddParam(b->p, d, b->t->cols[c].typid, isnull));
		}
	}
}

/* A {$field: path} expression? */
static inline bool
IsField(json_t *e)
{
	return json_is_object(e) && json_is_string(json_object_get(e, "$field"));
}

/* A {$literal: value} expression? */
static inline bool
IsLiteral(json_t *e)
{
	return json_is_object(e) && json_object_get(e, "$literal") != NULL;
}

/* A numeric SQL expression for arithmetic: fields, number literals, + - * / %. */
static void
TranslateArith(QueryBuild *b, json_t *e, StringInfo out)
{
	static const char *const ops[][2] = {{"$add", "+"}, {"$sub", "-"}, {"$mul", "*"}, {"$div", "/"}, {"$mod", "%"}};

	if (IsField(e))
	{
		char	   *nested;
		int			c = FieldColumn(b, json_string_value(json_object_get(e, "$field")), &nested);

		if (c >= 0 && ColumnRank(b->t->cols[c].typid) == RANK_ANY)
		{
			/*
			 * a value kept as jsonb (a path into it, or a table without a
			 * schema): its number, NULL (no match) for anything else; `->`
			 * by name finds object fields only, as Convex paths do
			 */
			StringInfoData value;

			initStringInfo(&value);
			appendStringInfoString(&value, quote_identifier(b->t->cols[c].name));
			if (b->t->cols[c].typid == JSONOID)
				appendStringInfoString(&value, "::jsonb");
			for (char *name = nested; name && *name;)
			{
				char	   *dot = strchr(name, '.');
				char	   *part = dot ? pnstrdup(name, dot - name) : name;

				appendStringInfo(&value, " OPERATOR(pg_catalog.->) $%d", AddParam(b->p, CStringGetTextDatum(part), TEXTOID, false));
				name = dot ? dot + 1 : NULL;
			}
			appendStringInfo(out, "(CASE WHEN pg_catalog.jsonb_typeof(%s) = 'number' THEN (%s)::float8 END)",
							 value.data, value.data);
			return;
		}
		if (c < 0 || nested || (ColumnRank(b->t->cols[c].typid) != RANK_FLOAT64 &&
								ColumnRank(b->t->cols[c].typid) != RANK_INT64))
			DbError(ERRCODE_FEATURE_NOT_SUPPORTED,
					"udf can only do arithmetic on numeric fields in filters (\"%s\"): compare the field itself, or filter the collected documents in JavaScript",
					json_string_value(json_object_get(e, "$field")));
		appendStringInfo(out, "%s::float8", quote_identifier(b->t->cols[c].name));
		return;
	}
	if (IsLiteral(e))
	{
		bool		isnull;
		Datum		d = ConvexToDatum(json_object_get(e, "$literal"), FLOAT8OID, -1, b->t->name, "literal", &isnull);

		appendStringInfo(out, "$%d::float8", AddParam(b->p, d, FLOAT8OID, isnull));
		return;
	}
	for (int i = 0; i < (int) lengthof(ops); i++)
	{
		json_t	   *args = json_object_get(e, ops[i][0]);

		if (json_is_array(args) && json_array_size(args) == 2)
		{
			appendStringInfoChar(out, '(');
			if (strcmp(ops[i][0], "$mod") == 0)
			{
				/* float modulo, like JavaScript's % */
				appendStringInfoString(out, "mod(");
				TranslateArith(b, json_array_get(args, 0), out);
				appendStringInfoString(out, "::numeric, ");
				TranslateArith(b, json_array_get(args, 1), out);
				appendStringInfoString(out, "::numeric)::float8");
			}
			else
			{
				TranslateArith(b, json_array_get(args, 0), out);
				appendStringInfo(out, " %s ", ops[i][1]);
				TranslateArith(b, json_array_get(args, 1), out);
			}
			appendStringInfoChar(out, ')');
			return;
		}
	}
	if (json_object_get(e, "$neg"))
	{
		appendStringInfoString(out, "(-");
		TranslateArith(b, json_object_get(e, "$neg"), out);
		appendStringInfoChar(out, ')');
		return;
	}
	DbError(ERRCODE_FEATURE_NOT_SUPPORTED, "udf cannot translate this filter expression to SQL yet");
}

/* A boolean SQL expression for a Convex filter expression. */
void
TranslateExpr(QueryBuild *b, json_t *e, StringInfo out)
{
	static const char *const cmps[] = {"$eq", "$neq", "$lt", "$lte", "$gt", "$gte"};
	json_t	   *args;

	if (!json_is_object(e))
		DbError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid filter expression");
	for (int i = 0; i < (int) lengthof(cmps); i++)
	{
		args = json_object_get(e, cmps[i]);
		if (json_is_array(args) && json_array_size(args) == 2)
		{
			json_t	   *l = json_array_get(args, 0);
			json_t	   *r = json_array_get(args, 1);

			if (IsField(l) && IsLiteral(r))
				TranslateFieldCmp(b, json_string_value(json_object_get(l, "$field")), (CmpOp) i,
								  json_object_get(r, "$literal"), out);
			else if (IsLiteral(l) && IsField(r))
				TranslateFieldCmp(b, json_string_value(json_object_get(r, "$field")), FlipCmp((CmpOp) i),
								  json_object_get(l, "$literal"), out);
			else
			{
				/* arithmetic on numeric fields (rows where a field is missing do not match) */
				appendStringInfoString(out, "coalesce(");
				TranslateArith(b, l, out);
				appendStringInfo(out, " %s ", cmp_sql[i]);
				TranslateArith(b, r, out);
				appendStringInfoString(out, ", false)");
			}
			return;
		}
	}
	if ((args = json_object_get(e, "$and")) || (args = json_object_get(e, "$or")))
	{
		const char *op = json_object_get(e, "$and") ? " AND " : " OR ";
		size_t		i;
		json_t	   *x;

		if (json_array_size(args) == 0)
		{
			appendStringInfoString(out, json_object_get(e, "$and") ? "true" : "false");
			return;
		}
		appendStringInfoChar(out, '(');
		json_array_foreach(args, i, x)
		{
			if (i)
				appendStringInfoString(out, op);
			TranslateExpr(b, x, out);
		}
		appendStringInfoChar(out, ')');
		return;
	}
	if ((args = json_object_get(e, "$not")))
	{
		appendStringInfoString(out, "(NOT ");
		TranslateExpr(b, args, out);
		appendStringInfoChar(out, ')');
		return;
	}
	if (IsLiteral(e) && json_is_boolean(json_object_get(e, "$literal")))
	{
		appendStringInfoString(out, json_is_true(json_object_get(e, "$literal")) ? "true" : "false");
		return;
	}
	DbError(ERRCODE_INVALID_PARAMETER_VALUE,
			"EvalError: a filter must be a comparison, and, or or not: it cannot use a %s as a Boolean",
			IsField(e) ? "field" : "value");
}

/* The comparison of an index range's bound type (Eq, Gt, Gte, Lt, Lte); ERROR for others. */
static CmpOp
RangeCmp(const char *type)
{
	static const struct
	{
		const char *type;
		CmpOp		op;
	}			bounds[] = {{"Eq", CMP_EQ}, {"Gt", CMP_GT}, {"Gte", CMP_GTE}, {"Lt", CMP_LT}, {"Lte", CMP_LTE}};

	for (int i = 0; type && i < (int) lengthof(bounds); i++)
		if (strcmp(type, bounds[i].type) == 0)
			return bounds[i].op;
	DbError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid index range type \"%s\"", type ? type : "?");
}

/* WHERE predicates for the range of b's withIndex index (QueryOrder set it), checking Convex's rules. */
void
TranslateRange(QueryBuild *b, json_t *range, StringInfo where)
{
	const char *index_name = b->index_name;
	List	   *cols = b->order_cols;
	int			ncols = list_length(cols);
	bool	   *eq = palloc0(sizeof(bool) * ncols);
	int			lower = -1;
	int			upper = -1;
	size_t		i;
	json_t	   *r;
	int			eqcount = 0;
	StringInfoData names;
	ListCell   *lc;

	json_array_foreach(range, i, r)
	{
		const char *field = OptString(r, "fieldPath");
		int			pos = field ? ListPosition(cols, field) : -1;
		CmpOp		op;

		if (pos < 0)
			DbError(ERRCODE_INVALID_PARAMETER_VALUE,
					"FieldNotInIndex: the index range on \"%s\" uses the field \"%s\", which is not in the index",
					index_name, field ? field : "?");
		op = RangeCmp(OptString(r, "type"));
		if (op == CMP_EQ)
		{
			if (eq[pos] || pos == lower || pos == upper)
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"AlreadyDefinedBound: the index range on \"%s\" already has a bound on \"%s\"", index_name, field);
			eq[pos] = true;
			eqcount++;
		}
		else
		{
			/* one lower and one upper bound, both on the same field */
			bool		is_lower = op == CMP_GT || op == CMP_GTE;
			int		   *bound = is_lower ? &lower : &upper;
			int			other = is_lower ? upper : lower;

			if (*bound >= 0 || eq[pos])
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"AlreadyDefinedBound: the index range on \"%s\" already has %s bound", index_name,
						is_lower ? "a lower" : "an upper");
			if (other >= 0 && other != pos)
				DbError(ERRCODE_INVALID_PARAMETER_VALUE,
						"BoundsOnMultipleFields: the lower and upper bounds of an index range must be on the same field");
			*bound = pos;
		}
		if (where->len)
			appendStringInfoString(where, " AND ");
		TranslateFieldCmp(b, field, op, json_object_get(r, "value"), where);
	}
	/* eq fields (in any order) then the bounded field must be a prefix of the index */
	initStringInfo(&names);
	foreach(lc, cols)
		appendStringInfo(&names, "%s%s", names.len ? ", " : "", (char *) lfirst(lc));
	for (int k = 0; k < ncols; k++)
	{
		bool		used = eq[k] || k == lower || k == upper;
		bool		expected = k < eqcount || (k == eqcount && (lower == k || upper == k));

		if (used != expected || (k < eqcount && !eq[k]))
			DbError(ERRCODE_INVALID_PARAMETER_VALUE,
					"InvalidIndexRange: the index range for \"%s\" didn't use the index fields in order: "
					"use eq on a prefix of (%s) then at most one lower and one upper bound on the next field",
					index_name, names.data);
	}
}
