# A fetch in flight stops promptly: pg_cancel_backend, statement_timeout and
# udf.max_action_execution_time each end an action that waits on a slow
# loopback server (regress/http-server.mjs, started here) within 100 ms of
# the moment they fire, the server sees the connection closed, and the
# same connection keeps working. Real server, real signals.
use strict;
use warnings;
use FindBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

# a port nothing else holds (a fixed one could meet another test run's server)
my $port = PostgreSQL::Test::Cluster::get_free_port();
my $server = "$FindBin::Bin/../http-server.mjs";
system('node', $server, 'start', $port) == 0 or die "the HTTP server did not start";
END { system("curl -s -o /dev/null http://127.0.0.1:$port/quit"); }

my $node = PostgreSQL::Test::Cluster->new('fetch_cancel');
$node->init;
$node->append_conf('postgresql.conf', qq{
udf.fetch_allowed_hosts = '127.0.0.1:$port'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION udf');
my $modules = <<JSON;
{
 "slow.js": "import { action } from './_generated/server';\\nexport const ok = action(async () => (await fetch('http://127.0.0.1:$port/json')).json());\\nexport const wait = action(async () => (await fetch('http://127.0.0.1:$port/slow?ms=20000')).text());\\nexport const many = action(async () => Promise.all(Array.from({ length: 20 }, () => fetch('http://127.0.0.1:$port/slow?ms=20000'))));\\nexport const aborted = action(async () => Number(await (await fetch('http://127.0.0.1:$port/aborted')).text()));"
}
JSON
$node->safe_psql('postgres', "SELECT udf_deploy(\$json\$$modules\$json\$)");
is($node->safe_psql('postgres', "SELECT udf_invoke('slow:ok')"), '{"hello": "world"}', 'fetch reaches the server');

my $control = $node->background_psql('postgres');

# Start $fn in a session of its own, cancel it once it waits, and measure
# from pg_cancel_backend to the client holding the error.
sub cancel_once
{
	my ($fn) = @_;
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $s->query_safe("SELECT pg_backend_pid() FROM (SELECT udf_invoke('slow:ok')) warm");
	$s->query_until(qr/started/, "\\echo started\nSELECT udf_invoke('$fn');\n");
	$node->poll_query_until('postgres',
		"SELECT state = 'active' FROM pg_stat_activity WHERE pid = $pid AND query LIKE '%$fn%'")
	  or die "$fn did not start";
	# let the request reach the server and the action settle into its wait
	select(undef, undef, undef, 0.2);
	my $t0 = time;
	$control->query_safe("SELECT pg_cancel_backend($pid)");
	pump_until($s->{run}, $s->{timeout}, \$s->{stderr}, qr/canceling statement due to user request/);
	my $latency = time - $t0;
	like($s->{stderr}, qr/canceling statement due to user request/, "pg_cancel_backend stops $fn");
	$s->{stderr} = '';
	my ($out) = $s->query("SELECT udf_invoke('slow:ok')");
	is($out, '{"hello": "world"}', "after the cancel the same connection fetches again ($fn)");
	$s->quit;
	return $latency;
}

my $aborted_before = $node->safe_psql('postgres', "SELECT udf_invoke('slow:aborted')");
my @latencies = map { cancel_once('slow:wait') } 1 .. 10;
push @latencies, cancel_once('slow:many');
my @sorted = sort { $a <=> $b } @latencies;
diag(sprintf('cancel latency of an action waiting on fetch over %d cancels: median %.1f ms, max %.1f ms '
	  . '(from sending pg_cancel_backend to the client holding the error)',
	scalar(@sorted), 1000 * $sorted[@sorted / 2], 1000 * $sorted[-1]));
cmp_ok($sorted[-1], '<', 0.1, 'every cancel of a fetch in flight took effect within 100 ms');
# the server saw every cancelled request's connection closed: 10 single ones and 20 under Promise.all
my $aborted = $node->poll_query_until('postgres',
	"SELECT udf_invoke('slow:aborted')::text::int - $aborted_before >= 30");
ok($aborted, 'each cancelled request had its connection closed');

# statement_timeout and udf.max_action_execution_time stop a waiting fetch too
for my $case (["SET statement_timeout = '300ms'", qr/canceling statement due to statement timeout/],
	["SET udf.max_action_execution_time = '300ms'", qr/Function execution timed out/])
{
	my ($set, $error_re) = @$case;
	my $t0 = time;
	my ($ret, $out, $err) = $node->psql('postgres', "$set; SELECT udf_invoke('slow:wait');");
	my $took = time - $t0;
	like($err, $error_re, "$set stops a fetch in flight");
	cmp_ok($took, '<', 0.3 + 0.1 + 0.3, "$set: stopped within 100 ms of the limit (plus psql start-up)");
}

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal|server process .* was terminated/, 'no backend crashed');
$control->quit;
$node->stop;
done_testing();
