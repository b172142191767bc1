# The scheduler, the HTTP endpoint and fetch report into the shared
# statistics, on a real cluster with udf preloaded, its scheduler workers,
# its HTTP endpoint driven by curl, and a real loopback HTTP server
# (regress/http-server.mjs) for fetch. After known work the counts are
# exact: udf_scheduler_stats (jobs written and canceled only when their
# transaction commits, runs by outcome, retries, the lag histogram, the
# queue from udf_job), udf_stats' source column (scheduler, http, sql) and
# fetch columns (by status class, bytes, refused, timed out, network
# errors, time waiting), udf_http_stats (per route and status class, bytes
# in and out, uploads and downloads). Then each subsystem's reset, a clean
# restart that keeps them, and workers killed mid-job counted as crashes.
use strict;
use warnings;
use FindBin;
use lib $FindBin::Bin;
use UdfTap;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use File::Basename qw(dirname);
use Cwd qw(abs_path);
use IO::Socket::INET;

my $top = abs_path(dirname(__FILE__) . '/../..');

# free ports of the range this test may use: the endpoint, the fetch server, one nobody listens on
my @free;
# (below Linux's ephemeral ports (32768-60999), where a client that connects before the server listens can meet itself on the port and keep the server from binding it)
for my $p (18800 .. 18899)
{
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $p, Proto => 'tcp', ReuseAddr => 0);
	if ($s) { close $s; push @free, $p; last if @free == 3; }
}
die "no three free ports in 18800-18899" unless @free == 3;
my ($hport, $fport, $closed) = @free;
my $base = "http://127.0.0.1:$hport";
my $srv = "http://127.0.0.1:$fport";
system('node', "$FindBin::Bin/../http-server.mjs", 'start', $fport) == 0 or die "the HTTP server did not start";
END { system("curl -s -o /dev/null http://127.0.0.1:$fport/quit") if $fport; }

my $node = PostgreSQL::Test::Cluster->new('stats_subsystems');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'udf'
udf.http_port = $hport
udf.http_workers = 1
udf.scheduler_max_workers = 2
udf.scheduler_naptime = '60s'
udf.max_execution_time = '120s'
udf.fetch_allowed_hosts = '127.0.0.1:$fport, 127.0.0.1:$closed'
restart_after_crash = on
});
$node->start;

sub q1 { return $node->safe_psql('postgres', $_[0]); }
sub wait_for { return wait_until($node, @_); }
# the scheduler's counters of this database, as "name=value ..." for the names asked
sub sched
{
	my @cols = @_;
	return q1('SELECT ' . join(" || ' ' || ", map { "'$_=' || $_" } @cols)
		  . ' FROM udf_scheduler_stats WHERE datname = current_database()');
}
# curl: the status code (body to $file or discarded)
sub http
{
	my (@args) = @_;
	my $code = `curl -s -o /dev/null -w '%{http_code}' @args`;
	return $code;
}

my $app = `node $top/regress/app-json.mjs $top/regress/apps/stats-subsystems`;
die "app-json failed" if $? || $app eq '';
q1(q{CREATE EXTENSION udf; GRANT udf_admin TO postgres});
q1("SELECT udf_deploy(\$json\$$app\$json\$)");
ok(wait_for(q{SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'udf scheduler'}, 'workers'),
	'two scheduler workers run');
my $deadline = time + 30;
sleep 0.1 while http("$base/api/storage/x") ne '404' && time < $deadline;
is(http("$base/api/storage/x"), '404', 'the endpoint listens');

# ---------------------------------------------------------------- the scheduler
q1(q{SELECT udf_stats_reset()});
is(sched(qw(pending due scheduled runs)), 'pending=0 due=0 scheduled=0 runs=0',
	'after a reset: the current database has a row of zeros and an empty queue');

q1(q{SELECT udf_invoke('jobs:schedule', '{"count": 5, "delay": 0}')});
ok(wait_for(q{SELECT count(*) = 5 FROM udf_jobs() WHERE state = 'success'}, 'five jobs'), 'five jobs ran');
ok(wait_for(q{SELECT runs = 5 FROM udf_scheduler_stats WHERE datname = current_database()}, 'five runs counted'),
	'five runs are counted');
is(sched(qw(scheduled runs succeeded failed retried canceled crashes crash_failed)),
	'scheduled=5 runs=5 succeeded=5 failed=0 retried=0 canceled=0 crashes=0 crash_failed=0',
	'five jobs written, run and succeeded');
is(q1(q{SELECT (SELECT sum(b) FROM unnest(lag_histogram) b) = runs AND max_lag >= 0 AND total_lag >= max_lag
               AND abs(mean_lag * runs - total_lag) < 0.001 AND max_lag < 10000 AND run_time > 0
        FROM udf_scheduler_stats WHERE datname = current_database()}), 't',
	'the lag histogram counts every run; total, mean and max agree; the runs took time');
is(q1(q{SELECT source || ' ' || calls || '/' || errors FROM udf_stats WHERE function = 'jobs:work'}), 'scheduler 5/0',
	'udf_stats: the job function\'s row says it came from the scheduler');
is(q1(q{SELECT source || ' ' || calls FROM udf_stats WHERE function = 'jobs:schedule'}), 'sql 1',
	'and the scheduling call\'s row that it came from SQL');

# a failing job
q1(q{SELECT udf_invoke('jobs:schedule', '{"count": 1, "delay": 0, "fail": true}')});
ok(wait_for(q{SELECT failed = 1 FROM udf_scheduler_stats WHERE datname = current_database()}, 'failed job'),
	'a failing job is counted as failed');
is(sched(qw(scheduled runs succeeded failed)), 'scheduled=6 runs=6 succeeded=5 failed=1', 'six runs: five succeeded, one failed');
is(q1(q{SELECT source || ' ' || calls || '/' || errors_uncaught FROM udf_stats WHERE function = 'jobs:boom'}), 'scheduler 1/1',
	'udf_stats counts the failed call as an uncaught error');

# a retried job: two serialization failures, then it succeeds
q1(flaky_table_sql());
q1(q{SELECT udf_invoke('jobs:later', '{"name": "flaky", "args": {}}')});
ok(wait_for(q{SELECT succeeded = 6 FROM udf_scheduler_stats WHERE datname = current_database()}, 'flaky job', 20),
	'the flaky job succeeds in the end');
is(sched(qw(scheduled runs succeeded failed retried)), 'scheduled=7 runs=9 succeeded=6 failed=1 retried=2',
	'its two system errors are counted as retried runs');

# the queue: jobs not due yet are pending; with the workers stopped, due ones wait
q1(q{SELECT udf_invoke('jobs:schedule', '{"count": 2, "delay": 3600000}')});
is(sched(qw(pending due)), 'pending=2 due=0', 'two jobs an hour away: pending, not due');
is(q1(q{SELECT oldest_due IS NULL FROM udf_scheduler_stats WHERE datname = current_database()}), 't', 'no due job has waited');
q1(q{ALTER SYSTEM SET udf.scheduler_max_workers = 0; SELECT pg_reload_conf()});
ok(wait_for(q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'udf scheduler'}, 'workers gone'),
	'the workers stop');
q1(q{SELECT udf_invoke('jobs:schedule', '{"count": 3, "delay": 0}')});
sleep 0.3;
is(sched(qw(pending due)), 'pending=5 due=3', 'three jobs due now and nobody to run them: due, counted from udf_job');
is(q1(q{SELECT oldest_due <= now() AND oldest_due > now() - interval '1 minute' FROM udf_scheduler_stats WHERE datname = current_database()}),
	't', 'the oldest due job\'s scheduled time is shown');
q1(q{ALTER SYSTEM RESET udf.scheduler_max_workers; SELECT pg_reload_conf()});
# workers that ended for want of work start again when a commit that schedules wakes them
q1(q{SELECT udf_invoke('jobs:schedule', '{"count": 1, "delay": 0}')});
ok(wait_for(q{SELECT due = 0 AND runs = 13 FROM udf_scheduler_stats WHERE datname = current_database()}, 'due jobs drained'),
	'the workers start again and run them');
is(q1(q{SELECT lag_histogram[8] + lag_histogram[9] + lag_histogram[10] + lag_histogram[11] + lag_histogram[12] + lag_histogram[13] >= 3
               AND max_lag >= 300 FROM udf_scheduler_stats WHERE datname = current_database()}), 't',
	'the jobs that waited for a worker show their lag (over 10 ms, the longest at least 300 ms)');

# canceled and scheduled count only what commits
my $id = q1(q{SELECT udf_invoke('jobs:schedule', '{"count": 1, "delay": 3600000}') ->> 0});
my $id2 = q1(q{SELECT udf_invoke('jobs:schedule', '{"count": 1, "delay": 3600000}') ->> 0});
is(q1("SELECT udf_cancel_job('$id')"), 't', 'a pending job is canceled');
q1("BEGIN; SELECT udf_cancel_job('$id2'); ROLLBACK");
q1(q{BEGIN; SELECT udf_invoke('jobs:schedule', '{"count": 4, "delay": 3600000}'); ROLLBACK});
q1(q{BEGIN; SAVEPOINT a; SELECT udf_invoke('jobs:schedule', '{"count": 2, "delay": 3600000}'); ROLLBACK TO a;
     SELECT udf_invoke('jobs:schedule', '{"count": 1, "delay": 3600000}'); COMMIT});
q1(q{SELECT udf_invoke('jobs:scheduleThenCancel')});
is(sched(qw(scheduled canceled pending)), 'scheduled=17 canceled=2 pending=4',
	'a rolled-back cancel, a rolled-back transaction and a rolled-back savepoint count nothing; a job written and canceled in one call counts both');

# ---------------------------------------------------------------- fetch
my @gets = (
	[ "$srv/bytes?n=100" ], [ "$srv/status?code=404" ], [ "$srv/status?code=503" ],
	[ "$srv/redirect?status=302", 'manual' ], [ "$srv/echo", undef, 'abcdefghij' ],
	[ 'http://127.0.0.1:1/' ], [ 'ftp://127.0.0.1/' ], [ "http://127.0.0.1:$closed/" ]);
my $received = 0;
for my $g (@gets)
{
	my ($url, $redirect, $body) = @$g;
	my $args = qq{'{"url": "$url"} '::jsonb};
	$args .= qq{ || '{"redirect": "$redirect"}'} if $redirect;
	$args .= qq{ || '{"method": "POST", "body": "$body"}'} if $body;
	my $got = q1("SELECT udf_invoke('web:get', $args) ->> 'bytes'");
	$received += $got if $got ne '';
}
my $slow = q1(qq{SET udf.fetch_timeout = '200ms'; SELECT udf_invoke('web:get', '{"url": "$srv/slow?ms=3000"}') ->> 'error'});
like($slow, qr/timed out|Timeout/i, 'a fetch past udf.fetch_timeout fails');
is(q1(q{SELECT source || ' calls=' || calls || ' fetches=' || fetches || ' failures=' || fetch_failures
               || ' refused=' || fetch_refused || ' timeouts=' || fetch_timeouts || ' network=' || fetch_network_errors
               || ' 2xx=' || fetch_status_2xx || ' 3xx=' || fetch_status_3xx || ' 4xx=' || fetch_status_4xx
               || ' 5xx=' || fetch_status_5xx || ' sent=' || fetch_bytes_sent
        FROM udf_stats WHERE function = 'web:get'}),
	'sql calls=9 fetches=9 failures=4 refused=2 timeouts=1 network=1 2xx=2 3xx=1 4xx=1 5xx=1 sent=10',
	'web:get: nine fetches by outcome (a non-2xx status is no failure), the POST body sent');
is(q1(q{SELECT fetch_bytes_received FROM udf_stats WHERE function = 'web:get'}), $received,
	"and the response bodies received ($received bytes)");
is(q1(q{SELECT fetch_time >= 190 AND fetch_time <= total_time FROM udf_stats WHERE function = 'web:get'}), 't',
	'fetch_time covers the timed-out wait and is part of the calls\' time');
is(q1(qq{SELECT udf_invoke('web:all', '{"urls": ["$srv/slow?ms=300", "$srv/slow?ms=300", "$srv/slow?ms=300"]}')}),
	'[200, 200, 200]', 'three fetches at once');
is(q1(q{SELECT fetches || ' ' || fetch_status_2xx || ' ' || (fetch_time >= 290 AND fetch_time < 800)
        FROM udf_stats WHERE function = 'web:all'}), '3 3 true',
	'fetch_time is the time the call waited, not the sum of the requests\' times');

# ---------------------------------------------------------------- the HTTP endpoint
is(http("$base/hello"), '200', 'a request before the reset');
is(q1(q{SELECT udf_stats_reset_subsystem('http')}), '1', 'reset the endpoint\'s statistics: its one entry');
is(q1(q{SELECT count(*) FROM udf_http_stats}), '0', 'none left');
is(http("$base/hello"), '200', 'GET /hello') for 1 .. 3;
my $kb = "$PostgreSQL::Test::Utils::tmp_check/kb.bin";
system("head -c 1000 /dev/urandom > $kb") == 0 or die;
is(http('-X', 'POST', '--data-binary', "\@$kb", "$base/echo"), '200', 'POST /echo with 1000 bytes');
is(http("$base/fail"), '500', 'GET /fail');
is(http("$base/moved"), '302', 'GET /moved');
is(http("$base/nothing/here"), '404', 'a path no route takes');
is(http("$base/proxy?to=" . "$srv/bytes%3Fn=7"), '200', 'GET /proxy fetches');
my $upload = q1(q{SELECT udf_invoke('jobs:uploadUrl') #>> '{}'});
my $big = "$PostgreSQL::Test::Utils::tmp_check/file.bin";
system("head -c 5000 /dev/urandom > $big") == 0 or die;
my $answer = `curl -s -X POST --data-binary \@$big -H 'Content-Type: application/octet-stream' '$upload'`;
my ($storage_id) = $answer =~ /"storageId":"([^"]+)"/;
ok($storage_id, 'a file is uploaded');
is(http("$base/api/storage/$storage_id"), '200', 'and downloaded');
is(http('-I', "$base/api/storage/$storage_id"), '200', 'HEAD of the file');
is(http("$base/api/storage/nosuchfile"), '404', 'a missing file');
is(q1(q{SELECT status FROM udf_http('GET', '/hello')}), '200', 'udf_http from SQL');
is(q1(q{SELECT string_agg(route || ' ' || kind || ' ' || requests || ' ' || status_2xx || '/' || status_3xx || '/'
                          || status_4xx || '/' || status_5xx || ' in=' || bytes_in || ' out=' || bytes_out, E'\n' ORDER BY route)
        FROM udf_http_stats}), join("\n",
	'(unmatched) action 1 0/0/1/0 in=0 out=24',
	'GET /api/storage/:id download 2 1/0/1/0 in=0 out=5009',
	'GET /fail action 1 0/0/0/1 in=0 out=21',
	'GET /hello action 3 3/0/0/0 in=0 out=15',
	'GET /moved action 1 0/1/0/0 in=0 out=0',
	'GET /proxy action 1 1/0/0/0 in=0 out=7',
	'HEAD /api/storage/:id download 1 1/0/0/0 in=0 out=0',
	'POST /api/storage/upload upload 1 1/0/0/0 in=5000 out=' . length($answer),
	'POST /echo action 1 1/0/0/0 in=1000 out=1000'),
	'udf_http_stats: each route\'s requests by status class, body bytes in and out (udf_http from SQL is not the endpoint)');
is(q1(q{SELECT bool_and((SELECT sum(b) FROM unnest(latency_histogram) b) = requests AND min_time <= mean_time
                        AND mean_time <= max_time AND abs(mean_time * requests - total_time) < 0.001) FROM udf_http_stats}),
	't', 'each route\'s histogram counts its requests; min, mean, max and total agree');
is(q1(q{SELECT string_agg(function || ' ' || source || ' ' || calls || '/' || errors, ', ' ORDER BY function, source)
        FROM udf_stats WHERE kind = 'httpAction'}),
	'http.js:GET /fail http 1/1, http.js:GET /hello http 4/0, http.js:GET /hello sql 1/0, http.js:GET /moved http 1/0, '
	  . 'http.js:GET /proxy http 1/0, http.js:POST /echo http 1/0',
	'udf_stats: HTTP actions by route, from the endpoint or from SQL');
is(q1(q{SELECT fetches || ' ' || fetch_status_2xx || ' ' || fetch_bytes_received FROM udf_stats WHERE function = 'http.js:GET /proxy'}),
	'1 1 7', 'the fetch of an HTTP action counts toward its route');

# ---------------------------------------------------------------- resets and a restart
my ($rc, $out, $err) = $node->psql('postgres', q{SELECT udf_stats_reset_subsystem('queues')});
like($err, qr/unknown subsystem 'queues'.*HINT:  The subsystems are 'functions'/s, 'an unknown subsystem is refused with a hint');
q1(q{CREATE ROLE bob LOGIN});
($rc, $out, $err) = $node->psql('postgres', q{SET ROLE bob; SELECT udf_stats_reset_subsystem('http')});
like($err, qr/permission denied for function udf_stats_reset_subsystem/, 'a role outside udf_admin may not reset');
is(q1(q{SELECT count(*) > 0 FROM udf_http_stats}) . q1(q{SET ROLE bob; SELECT count(*) FROM udf_scheduler_stats}), 't1',
	'but may read');

my $http_before = q1(q{SELECT string_agg(route || requests || bytes_out, ',' ORDER BY route) FROM udf_http_stats});
my $sched_before = sched(qw(scheduled canceled runs succeeded failed retried));
$node->restart;
is(q1(q{SELECT string_agg(route || requests || bytes_out, ',' ORDER BY route) FROM udf_http_stats}), $http_before,
	'a clean restart keeps udf_http_stats');
is(sched(qw(scheduled canceled runs succeeded failed retried)), $sched_before, 'and udf_scheduler_stats');
is(q1(q{SELECT fetches FROM udf_stats WHERE function = 'web:get'}), '9', 'and the fetch columns');

is(q1(q{SELECT udf_stats_reset_subsystem('scheduler')}), '1', 'reset the scheduler\'s entry');
is(sched(qw(scheduled runs pending)), 'scheduled=0 runs=0 pending=4', 'its counters are zero; the queue is still counted');
is(q1(q{SELECT count(*) > 0 FROM udf_http_stats}) . q1(q{SELECT count(*) > 0 FROM udf_stats}), 'tt',
	'the other views keep theirs');
is(q1(q{SELECT udf_stats_reset_subsystem('functions') > 0}), 't', 'reset udf_stats\' entries');
is(q1(q{SELECT count(*) FROM udf_stats}) . ' ' . q1(q{SELECT count(*) > 0 FROM udf_http_stats}), '0 t', 'only those');
q1(q{SELECT udf_invoke('jobs:schedule', '{"count": 1, "delay": 3600000}')});
is(sched(qw(scheduled)), 'scheduled=1', 'counting goes on');
q1(q{SELECT udf_stats_reset()});
is(q1(q{SELECT count(*) FROM udf_http_stats}) . ' ' . q1(q{SELECT count(*) FROM udf_stats}) . ' ' . sched(qw(scheduled)),
	'0 0 scheduled=0', 'udf_stats_reset() resets all three');

# ---------------------------------------------------------------- crashes
# kill -9 of a worker mid-job is a crash: shared memory (and the statistics) start afresh, and the
# next worker counts the crash; a job that ends its worker twice is failed, counted as crash_failed
sub worker_running
{
	my $pid = '';
	my $deadline = time + 30;
	while (!$pid && time < $deadline)
	{
		$pid = eval { $node->safe_psql('postgres',
			"SELECT pid FROM pg_stat_activity WHERE backend_type = 'udf scheduler' AND query = 'jobs.js:spin' AND state = 'active'") } // '';
		sleep 0.02 unless $pid;
	}
	return $pid;
}
my $doomed = q1(q{SELECT udf_invoke('jobs:later', '{"name": "spin", "args": {"loops": 3e9}}') #>> '{}'});
my $pid = worker_running();
ok($pid, 'the spinning job runs in a worker');
kill 'KILL', $pid;
$node->poll_query_until('postgres', 'SELECT true');
ok(wait_for(q{SELECT crashes = 1 FROM udf_scheduler_stats WHERE datname = current_database()}, 'first crash counted'),
	'after the crash the next worker counts it');
$pid = worker_running();
ok($pid, 'the job runs again');
kill 'KILL', $pid;
$node->poll_query_until('postgres', 'SELECT true');
ok(wait_for(qq{SELECT state = 'failed' FROM udf_jobs() WHERE id = '$doomed'}, 'doomed job'), 'the job that ended its worker twice is failed');
ok(wait_for(q{SELECT crashes = 1 AND crash_failed = 1 FROM udf_scheduler_stats WHERE datname = current_database()}, 'crash_failed'),
	'and counted as crash_failed (the statistics started afresh at the second crash)');

$node->stop;
my @crashes = (slurp_file($node->logfile) =~ /terminated by signal (\d+)/g);
is(join(',', grep { $_ != 9 } @crashes), '', 'no process died but those killed with kill -9');
done_testing();
