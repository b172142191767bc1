# Limits and safety: every runaway function is stopped with a clear ERROR,
# the same connection keeps working, the postmaster never restarts, and a
# concurrent session never notices. Real cluster, real signals.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use List::Util qw(sum);

my $node = PostgreSQL::Test::Cluster->new('limits');
$node->init;
$node->append_conf('postgresql.conf', qq{
udf.max_heap_size = '64MB'
udf.max_execution_time = '30s'
log_min_messages = log
});
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION udf');
my $modules = <<'JSON';
{
 "bomb.js": "import { query, mutation } from './_generated/server';\nexport const ok = query(() => 'fine');\nexport const arrays = query(() => { const a = []; while (true) a.push(new Array(10000).fill(1.5)); });\nexport const strings = query(() => { const a = []; let s = 'x'; while (true) { s = s + s.length; a.push(s + 'y'); } });\nexport const map = query(() => { const m = new Map(); let i = 0; while (true) m.set(i++, { i }); });\nexport const buffers = query(() => { const a = []; while (true) a.push(new ArrayBuffer(1 << 20)); });\nexport const objects = query(() => { let o = {}; for (;;) o = { o, pad: [o, o, o] }; });\nexport const deep = query(() => { const f = (n) => f(n + 1) + 1; return f(0); });\nexport const deepCaught = query(() => { const f = (n) => f(n + 1) + 1; try { return f(0); } catch (e) { return e.constructor.name; } });\nexport const never = query(() => new Promise(() => {}));\nexport const big = query(() => 'x'.repeat(2 * 1024 * 1024));\nexport const echo = query((ctx, args) => Object.keys(args).length);",
 "loop.js": "import { query, mutation, action } from './_generated/server';\nexport const spin = query(() => { while (true) {} });\nexport const trySpin = query(() => { for (;;) { try { while (true) {} } catch (e) {} finally { continue; } } });\nexport const mspin = mutation(() => { while (true) {} });\nexport const aspin = action(async () => { while (true) {} });"
}
JSON
$node->safe_psql('postgres', "SELECT udf_deploy(\$json\$$modules\$json\$)");

my $start_time = $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()');

# The server is the same one, and no backend died of a signal.
sub server_intact
{
	my ($what) = @_;
	is($node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()'),
		$start_time, "$what: postmaster did not restart");
	my $log = slurp_file($node->logfile);
	unlike($log, qr/terminated by signal|server process .* was terminated/,
		"$what: no backend crashed");
}

# Start a bystander that is mid-statement while the case runs.
sub start_bystander
{
	my $b = $node->background_psql('postgres', on_error_stop => 0);
	$b->query_until(qr/go/, "\\echo go\nSELECT pg_sleep(1), udf_invoke('bomb:ok');\n");
	return $b;
}

sub bystander_fine
{
	my ($b, $what) = @_;
	my ($out) = $b->query('SELECT 1');
	like($out, qr/"fine"/, "$what: concurrent session finished its own call");
	is($b->{stderr}, '', "$what: concurrent session saw no error");
	$b->quit;
}

# A statement that must fail with $error_re and leave the connection usable.
sub check_error_case
{
	my ($what, $sql, $error_re) = @_;
	my $bystander = start_bystander();
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	my $t0 = time;
	my ($out, $ret) = $s->query($sql);
	my $elapsed = time - $t0;
	like($s->{stderr}, $error_re, "$what: clear error");
	note sprintf('%s: error after %.0f ms', $what, $elapsed * 1000);
	$s->{stderr} = '';    # BackgroundPsql keeps stderr across queries
	($out) = $s->query("SELECT udf_invoke('bomb:ok')");
	is($out, '"fine"', "$what: same connection runs a normal call afterwards");
	is($s->{stderr}, '', "$what: ... without error");
	$s->quit;
	bystander_fine($bystander, $what);
	server_intact($what);
	return $elapsed;
}

# heap: every kind of bomb ends with the out-of-memory ERROR, isolate rebuilt
for my $bomb (qw(arrays strings map objects))
{
	check_error_case("heap bomb $bomb", "SELECT udf_invoke('bomb:$bomb')",
		qr/JavaScript execution ran out of memory \(maximum memory usage: 64 MB\)/);
}
check_error_case('ArrayBuffer bomb', "SELECT udf_invoke('bomb:buffers')",
	qr/Uncaught RangeError: Array buffer allocation failed/);
like($node->safe_psql('postgres',
		"SELECT udf_invoke('bomb:ok'); SELECT udf_info()->'isolates_created'"),
	qr/"fine"\n1$/, 'a fresh backend starts with one isolate');
{
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	$s->query("SELECT udf_invoke('bomb:arrays')");
	my ($info) = $s->query("SELECT udf_invoke('bomb:ok'), udf_info()->'isolates_created', udf_info()->'terminations'->'out_of_memory'");
	is($info, '"fine"|2|1', 'udf_info counts the rebuilt isolate and the termination');
	$s->quit;
}
ok($node->log_contains(qr/udf: stopped JavaScript in bomb:arrays because it reached udf.max_heap_size/),
	'the server log says why the call was stopped');
{
	my @unwind = sort { $a <=> $b } (slurp_file($node->logfile) =~ /stopped ([0-9.]+) ms after the limit was hit/g);
	ok(@unwind >= 4, 'every heap bomb logged how long it took to stop');
	diag(sprintf('heap limit hit to ERROR (%d bombs): median %.1f ms, max %.1f ms',
		scalar(@unwind), $unwind[int(@unwind / 2)], $unwind[-1]));
}

# time: statement_timeout and udf.max_execution_time stop pure-JS loops
check_error_case('statement_timeout', "SET statement_timeout = '200ms'; SELECT udf_invoke('loop:spin')",
	qr/canceling statement due to statement timeout/);
check_error_case('statement_timeout in a mutation', "SET statement_timeout = '200ms'; SELECT udf_invoke('loop:mspin')",
	qr/canceling statement due to statement timeout/);
check_error_case('udf.max_execution_time', "SET udf.max_execution_time = '200ms'; SELECT udf_invoke('loop:trySpin')",
	qr/Function execution timed out \(maximum duration: 0.2s\)/);
check_error_case('udf.max_action_execution_time', "SET udf.max_action_execution_time = '200ms'; SELECT udf_invoke('loop:aspin')",
	qr/Function execution timed out \(maximum duration: 0.2s\)/);
check_error_case('deploy-time infinite loop',
	q{SET statement_timeout = '300ms'; SELECT udf_deploy('{"top.js": "while (true) {}"}')},
	qr/canceling statement due to statement timeout/);
is($node->safe_psql('postgres', "SELECT count(*) FROM udf_functions() WHERE path LIKE 'bomb:%'"),
	'11', 'the interrupted deploy left the previous deployment live');

# stack and promises
check_error_case('deep recursion', "SELECT udf_invoke('bomb:deep')",
	qr/Uncaught RangeError: Maximum call stack size exceeded/);
is($node->safe_psql('postgres', "SELECT udf_invoke('bomb:deepCaught')"), '"RangeError"',
	'deep recursion is a catchable RangeError');
check_error_case('never-resolving promise', "SELECT udf_invoke('bomb:never')",
	qr/the function did not finish: its promise never settled/);

# sizes
check_error_case('oversize result', "SET udf.max_result_size = '1MB'; SELECT udf_invoke('bomb:big')",
	qr/Function bomb:big return value is too large \(actual: 2097154 bytes, limit: 1048576 bytes\)/);
check_error_case('oversize args',
	"SET udf.max_args_size = '1MB'; SELECT udf_invoke('bomb:echo', jsonb_build_object('x', repeat('y', 2000000)))",
	qr/Function bomb:echo arguments are too large/);

# pg_cancel_backend stops a running while(true){} -- measure how fast, 20 times,
# from a control session that stays connected (no psql start-up in the figure)
my $control = $node->background_psql('postgres');

sub cancel_once
{
	my ($fn, $sql) = @_;
	$sql //= "SELECT udf_invoke('$fn')";
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	# warm: the isolate exists, so the cancel lands in running JS, not in start-up
	my $pid = $s->query_safe("SELECT pg_backend_pid() FROM (SELECT udf_invoke('bomb:ok')) warm");
	$s->query_until(qr/started/, "\\echo started\n$sql;\n");
	$node->poll_query_until('postgres',
		"SELECT state = 'active' FROM pg_stat_activity WHERE pid = $pid AND query LIKE '%$fn%'")
	  or die "$fn did not start";
	my $t0 = time;
	$control->query_safe("SELECT pg_cancel_backend($pid)");
	pump_until($s->{run}, $s->{timeout}, \$s->{stderr}, qr/canceling statement due to user request/);
	my $latency = time - $t0;
	like($s->{stderr}, qr/canceling statement due to user request/, "pg_cancel_backend stops $fn");
	$s->{stderr} = '';
	my ($out) = $s->query("SELECT udf_invoke('bomb:ok')");
	is($out, '"fine"', "after pg_cancel_backend the same connection works ($fn)");
	$s->quit;
	return $latency;
}

# the same harness cancelling a plain pg_sleep: what the harness itself costs
my @baseline = sort { $a <=> $b } map { cancel_once('pg_sleep', 'SELECT pg_sleep(100)') } 1 .. 10;
my @latencies = map { cancel_once('loop:spin') } 1 .. 20;
push @latencies, cancel_once('loop:trySpin');    # JS cannot catch a cancel
my @sorted = sort { $a <=> $b } @latencies;
my $median = $sorted[int(@sorted / 2)];
$control->quit;
diag(sprintf('cancel latency of while(true){} over %d cancels: median %.1f ms, max %.1f ms; '
	  . 'the same harness cancelling pg_sleep: median %.1f ms (from sending pg_cancel_backend to the client holding the error)',
	scalar(@sorted), $median * 1000, $sorted[-1] * 1000, $baseline[int(@baseline / 2)] * 1000));
cmp_ok($sorted[-1], '<', 5, 'every cancel took effect (well under the 5 s we would call stuck)');
server_intact('pg_cancel_backend');

# pg_terminate_backend ends the backend, not the server
{
	my $bystander = start_bystander();
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	my $pid = $s->query_safe('SELECT pg_backend_pid()');
	$s->query_until(qr/started/, "\\echo started\nSELECT udf_invoke('loop:spin');\n");
	$node->poll_query_until('postgres',
		"SELECT state = 'active' FROM pg_stat_activity WHERE pid = $pid AND query LIKE '%loop:spin%'");
	$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
	ok($node->poll_query_until('postgres', "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid"),
		'pg_terminate_backend ends a backend running while(true){}');
	pump_until($s->{run}, $s->{timeout}, \$s->{stderr}, qr/terminating connection|server closed/);
	like($s->{stderr}, qr/terminating connection due to administrator command/, 'the client is told why');
	$s->{run}->kill_kill;
	bystander_fine($bystander, 'pg_terminate_backend');
	server_intact('pg_terminate_backend');
}

# postmaster shutdown (fast) while a loop runs: it stops promptly and cleanly
{
	my $s = $node->background_psql('postgres', on_error_stop => 0);
	$s->query_until(qr/started/, "\\echo started\nSELECT udf_invoke('loop:spin');\n");
	my $pid = $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE query LIKE '%loop:spin%' AND pid <> pg_backend_pid()");
	my $t0 = time;
	$node->stop('fast');
	my $took = time - $t0;
	diag(sprintf('fast shutdown with a running loop took %.0f ms', $took * 1000));
	cmp_ok($took, '<', 10, 'fast shutdown does not wait for the loop');
	$s->{run}->kill_kill;
	my $log = slurp_file($node->logfile);
	unlike($log, qr/terminated by signal/, 'no backend crashed during shutdown');
	like($log, qr/database system is shut down/, 'the server shut down cleanly');
	$node->start;
	is($node->safe_psql('postgres', "SELECT udf_invoke('bomb:ok')"), '"fine"', 'and starts again');
}

done_testing();
