# udf_stats in shared memory: counts from many backends (and concurrent
# clients) land in one entry per role and function, a reset is seen by every
# backend, a full table evicts the least-used entries and counts it, a clean
# restart keeps the statistics and a crash or udf.stats_save = off does not;
# without shared_preload_libraries the views (udf_scheduler_stats and
# udf_http_stats too) refuse with a hint while calls,
# udf.trace and udf_invoke_explain still work. udf.log_min_duration lines
# reach the server log.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $top = abs_path(dirname(__FILE__) . '/../..');
my $app = `node $top/regress/app-json.mjs $top/regress/apps/stats`;
die "could not build the stats app" if $? != 0 || $app eq '';

my $node = PostgreSQL::Test::Cluster->new('stats');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'udf'
udf.stats_max = 100
restart_after_crash = on
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION udf');
$node->safe_psql('postgres', "SELECT udf_deploy(\$json\$$app\$json\$)");

# calls, errors of one function (by every role)
sub calls
{
	my ($function, $where) = @_;
	$where //= 'true';
	return $node->safe_psql('postgres',
		"SELECT coalesce(sum(calls), 0) || '/' || coalesce(sum(errors), 0) FROM udf_stats WHERE function = '$function' AND $where");
}

# -- many backends, one entry
$node->safe_psql('postgres', q{SELECT udf_invoke('notes:inc', '{"x": 1}')}) for 1 .. 5;
is(calls('notes:inc'), '5/0', 'five backends, one entry of five calls');

# concurrent clients: every call is counted once, none is lost
my $script = $node->basedir . '/inc.sql';
open(my $fh, '>', $script) or die;
print $fh qq{SELECT udf_invoke('notes:inc', '{"x": 2}');\n};
close($fh);
$node->command_ok([ 'pgbench', '-n', '-c', '4', '-j', '2', '-t', '50', '-f', $script,
	'-h', $node->host, '-p', $node->port, 'postgres' ], 'pgbench: 4 clients x 50 calls');
is(calls('notes:inc'), '205/0', 'concurrent backends: 200 more calls, each counted once');

# another role has an entry of its own
$node->safe_psql('postgres', q{CREATE ROLE alice LOGIN; GRANT USAGE ON SCHEMA public TO alice});
$node->safe_psql('postgres', q{SET ROLE alice; SELECT udf_invoke('notes:inc', '{"x": 3}')});
is(calls('notes:inc', q{userid = 'alice'::regrole}), '1/0', 'another role: an entry of its own');
is(calls('notes:inc', q{userid <> 'alice'::regrole}), '205/0', 'the first role keeps its own');

# a cancel from another backend is counted as canceled
my $bg = $node->background_psql('postgres', on_error_stop => 0);
$bg->query_until(qr/started/, q{\echo started
SELECT udf_invoke('notes:spin');
});
my $pid;
for (1 .. 100)
{
	$pid = $node->safe_psql('postgres',
		q{SELECT pid FROM pg_stat_activity WHERE query LIKE '%notes:spin%' AND pid <> pg_backend_pid() AND state = 'active'});
	last if $pid;
	select(undef, undef, undef, 0.05);
}
ok($pid, 'the spinning call is running');
$node->safe_psql('postgres', "SELECT pg_sleep(0.2); SELECT pg_cancel_backend($pid)");
$bg->query('SELECT 1');
$bg->quit;
is($node->safe_psql('postgres', q{SELECT calls || '/' || errors_canceled FROM udf_stats WHERE function = 'notes:spin'}),
	'1/1', 'a canceled call: one call, one cancel');

# -- reset: one function (every role), then everything; every backend sees it
$node->safe_psql('postgres', q{SELECT udf_invoke('notes:list')}) for 1 .. 3;
is($node->safe_psql('postgres', q{SELECT udf_stats_reset('notes:inc')}), '2', 'reset one function: both roles\' entries go');
is(calls('notes:inc'), '0/0', 'its counts are gone for every backend');
is(calls('notes:list'), '3/0', 'other functions keep theirs');
my ($rc, $out, $err) = $node->psql('postgres', q{SET ROLE alice; SELECT udf_stats_reset()});
like($err, qr/permission denied for function udf_stats_reset/, 'a role outside udf_admin may not reset');
$node->safe_psql('postgres', q{SELECT udf_stats_reset()});
is($node->safe_psql('postgres', q{SELECT count(*) FROM udf_stats}), '0', 'reset everything');

# -- eviction: 150 functions into 100 entries; the busy one survives
my @exports = map { "export const f$_ = query(() => $_);" } 0 .. 149;
my $many = qq{import { query } from "./_generated/server";\\n} . join('\\n', @exports);
$node->safe_psql('postgres', "SELECT udf_deploy(\$json\$$app\$json\$::jsonb || jsonb_build_object('many.js', E'$many'))");
$node->safe_psql('postgres', q{SELECT udf_invoke('notes:inc', '{"x": 1}') FROM generate_series(1, 20)});
$node->safe_psql('postgres', q{SELECT udf_invoke('many:f' || i) FROM generate_series(0, 149) i});
my $entries = $node->safe_psql('postgres', q{SELECT count(*) FROM udf_stats});
cmp_ok($entries, '<=', 100, "at most udf.stats_max entries ($entries)");
cmp_ok($entries, '>=', 50, 'eviction removed only some of them');
cmp_ok($node->safe_psql('postgres', q{SELECT dealloc FROM udf_stats_info}), '>=', 1, 'evictions are counted');
is(calls('notes:inc'), '20/0', 'the most used entry was not evicted');
is(calls('many:f149'), '1/0', 'the newest entry is there');

# -- a clean restart keeps everything
my $before = $node->safe_psql('postgres', q{SELECT string_agg(function || '=' || calls, ',' ORDER BY function) FROM udf_stats});
my $dealloc = $node->safe_psql('postgres', q{SELECT dealloc FROM udf_stats_info});
$node->restart;
is($node->safe_psql('postgres', q{SELECT string_agg(function || '=' || calls, ',' ORDER BY function) FROM udf_stats}),
	$before, 'a clean restart keeps every entry and its counts');
is($node->safe_psql('postgres', q{SELECT dealloc FROM udf_stats_info}), $dealloc, 'and the eviction count');
ok(!-e $node->data_dir . '/pg_stat/udf_stats.stat', 'the saved file is removed once read');
$node->safe_psql('postgres', q{SELECT udf_invoke('notes:inc', '{"x": 1}')});
is(calls('notes:inc'), '21/0', 'counting goes on after the restart');

# -- a crash loses them (shared memory is rebuilt, nothing was saved)
my $victim = $node->background_psql('postgres');
my $vpid = $victim->query_safe('SELECT pg_backend_pid()');
kill 'KILL', $vpid;
eval { $victim->quit };
$node->poll_query_until('postgres', 'SELECT true') or die;
like(slurp_file($node->logfile), qr/all server processes terminated; reinitializing/, 'the server went through crash recovery');
is($node->safe_psql('postgres', q{SELECT count(*) FROM udf_stats}), '0', 'a crash starts the statistics afresh');

# -- udf.stats_save = off: a clean restart forgets them
$node->safe_psql('postgres', q{SELECT udf_invoke('notes:inc', '{"x": 1}')});
$node->append_conf('postgresql.conf', "udf.stats_save = off\n");
$node->reload;
$node->restart;
is($node->safe_psql('postgres', q{SELECT count(*) FROM udf_stats}), '0', 'udf.stats_save = off: a restart forgets');

# -- udf.log_min_duration: slow calls reach the log with their numbers
my $offset = -s $node->logfile;
$node->safe_psql('postgres', q{SET udf.log_min_duration = 0; SELECT udf_invoke('notes:add', '{"body": "x", "n": 1}')});
$node->safe_psql('postgres', q{SET udf.log_min_duration = '1h'; SELECT udf_invoke('notes:list')});
my $log = slurp_file($node->logfile, $offset);
like($log, qr/udf: duration: [0-9.]+ ms  function: notes:add  kind: mutation  documents read: 0  documents written: 1  query id: -?\d+/,
	'udf.log_min_duration = 0 logs the call with its numbers');
unlike($log, qr/function: notes:list/, 'a call faster than udf.log_min_duration is not logged');

$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal 6|terminated by signal 11/, 'no backend crashed on its own');

# -- without shared_preload_libraries
my $plain = PostgreSQL::Test::Cluster->new('stats_plain');
$plain->init;
$plain->start;
$plain->safe_psql('postgres', 'CREATE EXTENSION udf');
$plain->safe_psql('postgres', "SELECT udf_deploy(\$json\$$app\$json\$)");
is($plain->safe_psql('postgres', q{SELECT udf_invoke('notes:inc', '{"x": 1}')}), '2', 'not preloaded: calls work');
($rc, $out, $err) = $plain->psql('postgres', 'SELECT * FROM udf_stats');
like($err, qr/udf_stats must be loaded via "shared_preload_libraries".*HINT:  Add udf to shared_preload_libraries/s,
	'not preloaded: the view refuses with a hint');
($rc, $out, $err) = $plain->psql('postgres', 'SELECT udf_stats_reset()');
like($err, qr/must be loaded via "shared_preload_libraries"/, 'and so does the reset');
for my $sql ('SELECT * FROM udf_scheduler_stats', 'SELECT * FROM udf_http_stats', q{SELECT udf_stats_reset_subsystem('http')})
{
	($rc, $out, $err) = $plain->psql('postgres', $sql);
	like($err, qr/must be loaded via "shared_preload_libraries".*HINT:  Add udf to shared_preload_libraries/s,
		"not preloaded: $sql refuses with the same hint");
}
# (the first call of a fresh backend: its statements are kept past the op's SPI memory)
is($plain->safe_psql('postgres', q{SELECT jsonb_array_length(e->'syscalls') || ' ' || (e#>>'{syscalls,0,sql,0}' LIKE 'SELECT %')
	FROM udf_invoke_explain('notes:list') e}), '3 true', 'not preloaded: udf_invoke_explain works, with its SQL');
($rc, $out, $err) = $plain->psql('postgres', q{SET udf.trace = on; SELECT udf_invoke('notes:list')});
like($err, qr/NOTICE:  udf trace: notes:list 1.0\/queryStream on notes: 0 rows/, 'not preloaded: udf.trace works');
$plain->stop;
done_testing();
