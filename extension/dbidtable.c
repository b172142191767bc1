/*
 * dbidtable.c -- the typed op db/idTable: which table a document id belongs
 * to, for v.id("table") in argument, return and schema validation.
 *
 * Convex's backend decodes the string as an id and maps its table number
 * to a table name: a string that is no id, or whose number names no table,
 * does not match the validator; an id of another table is refused naming
 * both tables (validate.js words the errors). The number is looked up in
 * udf's table registry (ids.c). A validator naming a table udf does not
 * manage (an ordinary PostgreSQL table, whose ids are its primary key as
 * text) accepts any string: such ids carry no table.
 *
 * Runs as a db op (subtransaction, SPI); nothing here reaches V8.
 */
#include "db.h"

#include "catalog/namespace.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"

/* The relation a table name means under search_path (a system table: udf's view), or InvalidOid. */
static Oid
TableNamed(const char *name)
{
	if (name == NULL || *name == '\0')
		return InvalidOid;
	if (name[0] == '_')
		return get_relname_relid(name, ExtensionSchema());
	return RangeVarGetRelid(makeRangeVarFromNameList(stringToQualifiedNameList(name)), NoLock, true);
}

/*
 * db/idTable(id, validatorTable) -> {ok: true} when id may stand for a
 * document of validatorTable; else {ok: false, table: <its table> | null,
 * system: bool}, table null when id is no id of any table.
 */
void
OpIdTable(const UdfV8Arg *args, UdfV8HostResult *out)
{
	const char *id = OpArgString(args, 0);
	const char *validator_table = OpArgString(args, 1);
	Oid			wanted = TableNamed(validator_table);
	uint32		number;
	Oid			found = InvalidOid;
	ValueWriter w;

	WriterInit(&w, true);
	WriterObjectBegin(&w);
	if (OidIsValid(wanted))
	{
		DbTable		t;

		DbTableOfRelation(wanted, &t);
		if (!t.managed)
		{
			WriterKey(&w, "ok");
			WriterBool(&w, true);
			goto done;
		}
	}
	if (id && IdDecode(id, &number))
		found = TableForNumber(number);
	WriterKey(&w, "ok");
	WriterBool(&w, OidIsValid(found) && found == wanted);
	if (!OidIsValid(found) || found != wanted)
	{
		char	   *name = OidIsValid(found) ? get_rel_name(found) : NULL;

		WriterKey(&w, "table");
		if (name)
			WriterCString(&w, name);
		else
			WriterNull(&w);
		WriterKey(&w, "system");
		WriterBool(&w, name != NULL && name[0] == '_');
	}
done:
	WriterObjectEnd(&w);
	ResultFromWriter(out, &w);
}
