# Queries run on a hot standby; mutations and deploys there fail with
# PostgreSQL's read-only errors, and the standby's session stays usable.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION udf');

my $app = <<'JSON';
{
 "schema.js": "import { defineSchema, defineTable } from 'convex/server';\nimport { v } from 'convex/values';\nexport default defineSchema({ notes: defineTable({ text: v.string() }).index('by_text', ['text']) });",
 "notes.js": "import { query, mutation } from './_generated/server';\nimport { v } from 'convex/values';\nexport const add = mutation({ args: { text: v.string() }, handler: (ctx, { text }) => ctx.db.insert('notes', { text }) });\nexport const list = query(async (ctx) => (await ctx.db.query('notes').withIndex('by_text').collect()).map((n) => n.text));\nexport const get = query({ args: { id: v.id('notes') }, handler: async (ctx, { id }) => (await ctx.db.get(id)).text });"
}
JSON
$primary->safe_psql('postgres', "SELECT udf_deploy(\$json\$$app\$json\$)");
my $id = $primary->safe_psql('postgres', q{SELECT udf_invoke('notes:add', '{"text": "from the primary"}') #>> '{}'});

$primary->backup('backup');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'backup', has_streaming => 1);
$standby->start;
$primary->safe_psql('postgres', q{SELECT udf_invoke('notes:add', '{"text": "after the backup"}')});
$primary->wait_for_catchup($standby);

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');
is($standby->safe_psql('postgres', q{SELECT udf_invoke('notes:list')}),
	'["after the backup", "from the primary"]', 'a query runs on the standby and sees replicated writes');
is($standby->safe_psql('postgres', qq{SELECT udf_invoke('notes:get', jsonb_build_object('id', '$id'))}),
	'"from the primary"', 'db.get by id works on the standby');

my ($rc, $out, $err) = $standby->psql('postgres', q{SELECT udf_invoke('notes:add', '{"text": "no"}')});
isnt($rc, 0, 'a mutation fails on the standby');
like($err, qr/cannot execute INSERT in a read-only transaction/, '... with PostgreSQL\'s read-only error');

($rc, $out, $err) = $standby->psql('postgres', q{SELECT udf_deploy('{}')});
isnt($rc, 0, 'a deploy fails on the standby');
like($err, qr/cannot execute udf_deploy during recovery/, '... saying it cannot run during recovery');

# one session: error, then a normal query in the same connection
($rc, $out, $err) = $standby->psql('postgres',
	q{SELECT udf_invoke('notes:add', '{"text": "no"}');} . "\n" . q{SELECT udf_invoke('notes:list');},
	on_error_stop => 0);
like($out, qr/from the primary/, 'the standby session keeps working after the refused mutation');

$standby->stop;
$primary->stop;
unlike(slurp_file($standby->logfile) . slurp_file($primary->logfile), qr/terminated by signal/, 'no backend crashed');
done_testing();
