# Concurrent first inserts into a table without a schema: the first insert
# creates the table in its own transaction, so a second session inserting
# into the same new table meanwhile waits for it (an advisory lock on the
# table's name), then inserts into the table the first one made: one table,
# both documents. If the first rolls back, the second creates the table.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('schemaless_race');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION udf');
$node->safe_psql('postgres', q{SELECT udf_deploy('{"m.js": "import { mutation } from \"./_generated/server\";\nexport const add = mutation(async (ctx, { table, who }) => ctx.db.insert(table, { who }));"}')});

# wait until a session waits for the table's creation lock
sub wait_for_waiter
{
	$node->poll_query_until('postgres',
		q{SELECT count(*) = 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted})
	  or die 'the second session never waited for the first';
}

foreach my $end ('COMMIT', 'ROLLBACK')
{
	my $table = $end eq 'COMMIT' ? 'race_commit' : 'race_rollback';
	my $first = $node->background_psql('postgres', on_error_stop => 0);
	my $second = $node->background_psql('postgres', on_error_stop => 0);

	$first->query_safe(qq{BEGIN; SELECT udf_invoke('m:add', '{"table": "$table", "who": "first"}')});
	$second->query_until(qr/started/,
		qq{\\echo started\nSELECT udf_invoke('m:add', '{"table": "$table", "who": "second"}') IS NOT NULL AS second_inserted;\n});
	wait_for_waiter();
	$first->query_safe($end);
	my ($out) = $second->query('SELECT 1');
	like($out, qr/^t$/m, "$end: the second insert went through");
	is($second->{stderr}, '', "$end: the second session saw no error");
	$first->quit;
	$second->quit;

	is($node->safe_psql('postgres', "SELECT count(*) FROM pg_class WHERE relname = '$table'"),
		'1', "$end: one table");
	is($node->safe_psql('postgres', "SELECT string_agg(_doc->>'who', ',' ORDER BY \"_creationTime\") FROM $table"),
		$end eq 'COMMIT' ? 'first,second' : 'second',
		$end eq 'COMMIT' ? 'COMMIT: both documents kept' : 'ROLLBACK: only the second document');
	is($node->safe_psql('postgres', qq{SELECT udf_invoke('m:add', '{"table": "$table", "who": "third"}') IS NOT NULL}),
		't', "$end: the table takes more inserts");
}

$node->stop;
done_testing();
