# The scheduler's background workers on a real cluster with udf preloaded:
# jobs start at commit (the naptime is a minute, so no poll can start them),
# a rollback or cancel prevents them, failures are recorded, jobs run as the
# role that scheduled them, they survive a restart, a mutation job survives
# kill -9 of its worker and runs exactly once, an action does not run again,
# a job that keeps killing its worker is failed, a serialization failure is
# retried, finished jobs expire, two workers never take one job, 10,000 jobs
# drain, a one-second cron fires until a redeploy removes it, and what an
# action schedules or cancels commits at once.
#
# kill -9 of a worker is a backend crash to PostgreSQL: the postmaster ends
# every other session ("terminating connection because of crash of another
# server process"), runs crash recovery, and starts the launcher again,
# which starts the workers; the test checks that on a session of its own.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use File::Basename qw(dirname);
use Cwd qw(abs_path);
use JSON::PP;
use IPC::Run;
use FindBin;
use lib $FindBin::Bin;
use UdfTap;

my $top = abs_path(dirname(__FILE__) . '/../..');
my $node = PostgreSQL::Test::Cluster->new('scheduler');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'udf'
udf.scheduler_max_workers = 2
udf.scheduler_naptime = '60s'
udf.max_execution_time = '120s'
restart_after_crash = on
});
$node->start;

sub app { return app_sql(@_); }
sub q1 { return $node->safe_psql('postgres', $_[0]); }
sub wait_for { return wait_until($node, @_); }

q1(q{CREATE EXTENSION udf});
q1(q{CREATE TABLE wlog (_id text PRIMARY KEY, "_creationTime" float8 NOT NULL, tag text, n float8,
                        who text DEFAULT current_user, at timestamptz DEFAULT clock_timestamp())});
q1(q{CREATE ROLE alice LOGIN; GRANT INSERT, SELECT ON wlog TO alice; GRANT udf_admin TO postgres});
my $app = app('scheduler-workers', 'crons.js');
q1("SELECT udf_deploy($app)");
ok(wait_for(q{SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'udf scheduler' AND datname = 'postgres'},
	'two scheduler workers'), 'the launcher starts udf.scheduler_max_workers workers in the database');

# a launcher that exits is started again and adopts the running workers
my $launcher = q1(q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'udf launcher'});
q1("SELECT pg_terminate_backend($launcher)");
ok(wait_for(qq{SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'udf launcher' AND pid <> $launcher}, 'new launcher'),
	'a terminated launcher is started again');
sleep 1.5;
is(q1(q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'udf scheduler' AND datname = 'postgres'}), '2',
	'and starts no second set of workers');

# runAfter(0) starts at commit
my @lat;
for my $i (1 .. 5)
{
	my $t0 = q1(q{SELECT extract(epoch FROM clock_timestamp()); SELECT udf_invoke('jobs:after', '{"delay": 0, "tag": "prompt"}')});
	($t0) = split /\n/, $t0;
	wait_for(qq{SELECT count(*) = $i FROM wlog WHERE tag = 'prompt'}, 'prompt job', 10);
	push @lat, q1(qq{SELECT (extract(epoch FROM max(at)) - $t0) * 1000 FROM wlog WHERE tag = 'prompt'});
}
@lat = sort { $a <=> $b } @lat;
cmp_ok($lat[2], '<', 1000, sprintf('runAfter(0) runs promptly after commit (median %.1f ms from the call, naptime 60 s)', $lat[2]));

# a rollback leaves nothing; a cancel prevents
q1(q{BEGIN; SELECT udf_invoke('jobs:after', '{"delay": 0, "tag": "rolledback"}'); ROLLBACK});
my $canceled = q1(q{SELECT udf_invoke('jobs:after', '{"delay": 700, "tag": "canceled"}') #>> '{}'});
is(q1("SELECT udf_cancel_job('$canceled')"), 't', 'a pending job can be canceled');
q1(q{SELECT udf_invoke('jobs:after', '{"delay": 0, "tag": "marker"}')});
wait_for(q{SELECT count(*) = 1 FROM wlog WHERE tag = 'marker'}, 'marker');
sleep 1;
is(q1(q{SELECT count(*) FROM wlog WHERE tag IN ('rolledback', 'canceled')}), '0', 'a rolled-back or canceled job never runs');
is(q1(q{SELECT count(*) FROM udf_jobs() WHERE state = 'canceled'}), '1', 'the canceled job stays canceled');
is(q1(q{SELECT count(*) FROM udf_jobs()}), '7', 'the rolled-back job was never written');

# failures are recorded with their message and logged with the function's name
my $boom = q1(q{SELECT udf_invoke('jobs:after', '{"delay": 0, "tag": "boom"}') #>> '{}'});
wait_for(qq{SELECT state = 'failed' FROM udf_jobs() WHERE id = '$boom'}, 'failed job');
is(q1(qq{SELECT state #>> '{}' FROM "_scheduled_functions" WHERE _id = '$boom'}),
	'{"kind": "failed", "error": "Uncaught Error: boom in a job"}', 'a job that throws is failed with its message');
like(slurp_file($node->logfile), qr/udf scheduler: jobs\.js:log \(job $boom\) failed: Uncaught Error: boom in a job/,
	'the failure is logged with the function name and the error');
is(q1(qq{SELECT udf_cancel_job('$boom')}), 'f', 'canceling a finished job changes nothing');

# scheduled before an insert in the same mutation, run after the commit: it sees the insert
q1(q{SELECT udf_invoke('jobs:beforeInsert')});
wait_for(q{SELECT count(*) = 1 FROM wlog WHERE tag = 'seen'}, 'seen');
is(q1(q{SELECT n FROM wlog WHERE tag = 'seen'}), '1', 'a job scheduled before an insert sees it');

# jobs run as the role that scheduled them
$node->safe_psql('postgres', q{SELECT udf_invoke('jobs:after', '{"delay": 0, "tag": "alice"}')}, extra_params => [ '-U', 'alice' ]);
wait_for(q{SELECT count(*) = 1 FROM wlog WHERE tag = 'alice'}, 'alice');
is(q1(q{SELECT who FROM wlog WHERE tag = 'alice'}), 'alice', 'a job runs as the role that scheduled it');

# a later deploy that removes a job's function or changes its validator fails the job
# with that error; pending jobs survive the deploy
my $changed = q1(q{SELECT udf_invoke('jobs:after', '{"delay": 1000, "tag": "changed"}') #>> '{}'});
my $removed = q1(q{SELECT udf_invoke('jobs:slowLater', '{"loops": 1, "tag": "x", "delay": 1000}') #>> '{}'});
(my $v2 = $app) =~ s/args: \{ tag: v\.string\(\), n: v\.optional\(v\.number\(\)\) \}/args: { tag: v.number() }/;
$v2 =~ s/export const slow = internalMutation/const slow = internalMutation/;
q1("SELECT udf_deploy($v2)");
ok(wait_for(qq{SELECT count(*) = 2 FROM udf_jobs() WHERE id IN ('$changed', '$removed') AND state = 'failed'}, 'jobs of a changed deploy'),
	'jobs whose function changed or went are failed');
like(q1(qq{SELECT error FROM udf_jobs() WHERE id = '$changed'}), qr/ArgumentValidationError: .*tag/s, 'with the new validator\'s error');
like(q1(qq{SELECT error FROM udf_jobs() WHERE id = '$removed'}), qr/Could not find function for 'jobs:slow'/, 'or the missing function');
q1("SELECT udf_deploy($app)");

# an action: pending -> inProgress -> success
my $act = q1(q{SELECT udf_invoke('jobs:actLater', '{"loops": 1e6}') #>> '{}'});
ok(wait_for(qq{SELECT state = 'success' FROM udf_jobs() WHERE id = '$act'}, 'action'), 'a scheduled action runs');

# a serialization failure is a system error: retried with backoff until the mutation runs, once
q1(flaky_table_sql());
my $flaky = q1(q{SELECT udf_invoke('jobs:flakyLater') #>> '{}'});
ok(wait_for(qq{SELECT state = 'success' FROM udf_jobs() WHERE id = '$flaky'}, 'flaky job', 20),
	'a mutation that hits serialization failures is retried until it succeeds');
is(q1(qq{SELECT attempts FROM udf_jobs() WHERE id = '$flaky'}) . '/' . q1(q{SELECT count(*) FROM flaky}), '2/1',
	'after two retries, with its writes applied once');
like(slurp_file($node->logfile), qr/jobs\.js:flaky \(job $flaky\) hit a system error and runs again in 1000 ms/,
	'the retries back off and are logged');

# an action canceled while it runs finishes, but what it schedules then never runs
my $spinner = q1(q{SELECT udf_invoke('jobs:spinThenScheduleLater', '{"loops": 1.5e9}') #>> '{}'});
ok(wait_for(qq{SELECT state = 'inProgress' FROM udf_jobs() WHERE id = '$spinner'}, 'spinning action'), 'the action runs');
is(q1(qq{SELECT udf_cancel_job('$spinner')}), 't', 'a running action can be canceled');
ok(wait_for(q{SELECT count(*) = 1 FROM udf_jobs() WHERE name = 'jobs.js:log' AND state = 'canceled' AND completed_at IS NOT NULL
              AND id IN (SELECT id FROM udf_job WHERE args->>'tag' = 'from canceled action')}, 'canceled child'),
	'it finishes, and the job it scheduled is written canceled');
is(q1(qq{SELECT state FROM udf_jobs() WHERE id = '$spinner'}), 'canceled', 'the action stays canceled');
sleep 0.3;
is(q1(q{SELECT count(*) FROM wlog WHERE tag = 'from canceled action'}), '0', 'and the job never runs');

# an action is not transactional: what it schedules or cancels commits at once (a job
# writer worker commits it), so the job runs while the action goes on, and stays when the
# action throws and its caller rolls back
is(q1(q{SELECT udf_invoke('jobs:scheduleThenWait', '{"tag": "while waiting"}') #>> '{}'}), 'success',
	'a job an action schedules runs while the action goes on');
my ($rc, $out, $err) = $node->psql('postgres',
	q{BEGIN; SELECT udf_invoke('jobs:scheduleThenFail', '{"tag": "kept"}'); ROLLBACK});
like($err, qr/failed after scheduling/, 'the action throws and its caller rolls back');
ok(wait_for(q{SELECT count(*) = 1 FROM wlog WHERE tag = 'kept'}, 'kept job'), 'what it scheduled still runs');
my $far = q1(q{SELECT udf_invoke('jobs:after', '{"delay": 3600000, "tag": "canceled by an action"}') #>> '{}'});
($rc, $out, $err) = $node->psql('postgres',
	qq{BEGIN; SELECT udf_invoke('jobs:cancelThenFail', '{"id": "$far"}'); ROLLBACK});
like($err, qr/failed after canceling/, 'an action cancels a job, throws, and its caller rolls back');
is(q1(qq{SELECT state FROM udf_jobs() WHERE id = '$far'}), 'canceled', 'the cancel stays');
q1(q{SELECT udf_invoke('jobs:scheduleThenWaitLater', '{"tag": "in a job"}')});
ok(wait_for(q{SELECT count(*) = 1 FROM wlog WHERE tag = 'in a job: success'}, 'scheduled action'),
	'in a scheduled action too, what it schedules runs while it goes on (on the other worker)');
ok(wait_for(q{SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type = 'udf job writer'}, 'idle job writers', 10),
	'job writers exit when idle');

# restart with pending jobs; finished jobs past udf.scheduler_retention are deleted
q1(q{SELECT udf_invoke('jobs:after', jsonb_build_object('delay', 1500, 'tag', 'restart', 'n', i)) FROM generate_series(1, 3) i});
q1(q{UPDATE udf_job SET completed_time = completed_time - 8 * 86400000 WHERE args->>'tag' = 'prompt'});
$node->restart;
ok(wait_for(q{SELECT count(*) = 3 FROM wlog WHERE tag = 'restart'}, 'jobs after restart'), 'pending jobs run after a restart');
ok(wait_for(q{SELECT count(*) = 0 FROM udf_job WHERE args->>'tag' = 'prompt'}, 'retention', 20),
	'finished jobs older than udf.scheduler_retention (7 days) are deleted by the workers');
is(q1(q{SELECT count(*) FROM udf_job WHERE args->>'tag' = 'marker'}), '1', 'and younger ones are kept');

# kill -9 of a worker mid-mutation-job: the job runs once after recovery
sub worker_running
{
	my ($name) = @_;
	my $pid = '';
	my $deadline = time + 30;
	while (!$pid && time < $deadline)
	{
		$pid = eval { $node->safe_psql('postgres',
			"SELECT pid FROM pg_stat_activity WHERE backend_type = 'udf scheduler' AND query = '$name' AND state = 'active'") } // '';
		sleep 0.02 unless $pid;
	}
	return $pid;
}
my $crash_log = -s $node->logfile;
my $slow = q1(q{SELECT udf_invoke('jobs:slowLater', '{"loops": 3e9, "tag": "killed once"}') #>> '{}'});
my $pid = worker_running('jobs.js:slow');
ok($pid, 'the slow mutation job is running in a worker');
my ($in, $out, $err) = ('', '', '');
my $other = IPC::Run::start([ 'psql', '-X', '-d', $node->connstr('postgres'), '-c', 'SELECT pg_sleep(60)' ],
	\$in, \$out, \$err);
sleep 0.3;
kill 'KILL', $pid;
$other->finish;
like($err, qr/terminating connection because of crash of another server process|server closed the connection/,
	'kill -9 of a worker ends the other sessions: PostgreSQL runs crash recovery');
ok(wait_for(qq{SELECT state = 'success' FROM udf_jobs() WHERE id = '$slow'}, 'slow job after the crash'),
	'after recovery the mutation job runs again');
is(q1(q{SELECT count(*) FROM wlog WHERE tag = 'killed once'}), '1', 'and its writes are applied exactly once');
is(q1(qq{SELECT crashes FROM udf_jobs() WHERE id = '$slow'}), '1', 'the crash is counted');
like(substr(slurp_file($node->logfile), $crash_log), qr/the worker running jobs\.js:slow \(job $slow\) died/,
	'the crash of the job is logged');

# a job that ends its worker twice is failed, not retried forever
my $doomed = q1(q{SELECT udf_invoke('jobs:slowLater', '{"loops": 3e9, "tag": "killed twice"}') #>> '{}'});
for my $round (1 .. 2)
{
	$pid = worker_running('jobs.js:slow');
	kill 'KILL', $pid if $pid;
	$node->poll_query_until('postgres', 'SELECT true');
}
ok(wait_for(qq{SELECT state = 'failed' FROM udf_jobs() WHERE id = '$doomed'}, 'doomed job'), 'a job that ends its worker twice is failed');
like(q1(qq{SELECT error FROM udf_jobs() WHERE id = '$doomed'}), qr/ended its worker process 2 times/, 'with a message saying so');
is(q1(q{SELECT count(*) FROM wlog WHERE tag = 'killed twice'}), '0', 'none of its writes was kept');

# kill -9 mid-action: the action is failed, never run again
my $action = q1(q{SELECT udf_invoke('jobs:actLater', '{"loops": 3e9}') #>> '{}'});
$pid = worker_running('jobs.js:act');
ok($pid, 'the action is running');
is(q1(qq{SELECT state FROM udf_jobs() WHERE id = '$action'}), 'inProgress', 'and is inProgress, committed before it started');
kill 'KILL', $pid;
$node->poll_query_until('postgres', 'SELECT true');
ok(wait_for(qq{SELECT state = 'failed' FROM udf_jobs() WHERE id = '$action'}, 'action failed'), 'an action whose worker died is failed');
is(q1(qq{SELECT error FROM udf_jobs() WHERE id = '$action'}), 'Transient error while executing action', 'with Convex\'s message');

# 10,000 jobs drain; two workers never run one job
my $t0 = time;
q1(q{BEGIN; SELECT udf_invoke('jobs:batch', jsonb_build_object('from', i * 1000, 'count', 1000)) FROM generate_series(0, 9) i; COMMIT});
ok(wait_for(q{SELECT count(*) = 10000 FROM wlog WHERE tag = 'batch'}, '10,000 jobs', 120), '10,000 queued jobs drain');
my $secs = time - $t0;
diag(sprintf('10,000 jobs drained in %.1f s (%.0f jobs/s, 2 workers)', $secs, 10000 / $secs));
is(q1(q{SELECT count(DISTINCT n) FROM wlog WHERE tag = 'batch'}), '10000', 'each job ran once: two workers never take one job');
is(q1(q{SELECT count(*) FROM udf_jobs() WHERE name = 'jobs.js:log' AND state = 'success' AND cron IS NULL AND attempts = 0}),
	q1(q{SELECT count(*) FROM wlog WHERE tag IN ('marker', 'alice', 'restart', 'batch', 'while waiting', 'kept', 'in a job')}),
	'every job that wrote is recorded as one success');

# a one-second cron fires repeatedly; a run still going when the next is due is skipped; a redeploy removes them
my $cron_log = -s $node->logfile;
my $with_crons = app('scheduler-workers');
q1("SELECT udf_deploy($with_crons)");
sleep 4.5;
my $ticks = q1(q{SELECT count(*) FROM wlog WHERE tag = 'tick'});
cmp_ok($ticks, '>=', 3, "a one-second cron fired repeatedly ($ticks times in 4.5 s)");
like(substr(slurp_file($node->logfile), $cron_log), qr/cron "slowtick" skipped a run/, 'a run of a cron still running is skipped')
  or diag(q1(q{SELECT state, error, completed_at - scheduled_at FROM udf_jobs() WHERE cron = 'slowtick'}));
is(q1(q{SELECT count(*) FROM udf_jobs() WHERE cron = 'tick' AND state = 'success'}), $ticks, 'each cron run is recorded as a job');
q1("SELECT udf_deploy($app)");
is(q1(q{SELECT count(*) FROM udf_crons()}), '0', 'a redeploy without crons.js removes them');
sleep 1.5;
my $settled = q1(q{SELECT count(*) FROM wlog WHERE tag = 'tick'});
sleep 2;
is(q1(q{SELECT count(*) FROM wlog WHERE tag = 'tick'}), $settled, 'and the cron stops firing');

# without a free worker slot for the job writer, what an action schedules commits with
# the caller's transaction, with a warning (the logical replication launcher, the udf
# launcher and the two scheduler workers take all four slots)
$node->append_conf('postgresql.conf', 'max_worker_processes = 4');
$node->restart;
ok(wait_for(q{SELECT count(*) = 2 FROM pg_stat_activity WHERE backend_type = 'udf scheduler'}, 'workers after restart'),
	'restarted with no spare worker slot');
($rc, $out, $err) = $node->psql('postgres',
	q{BEGIN; SELECT udf_invoke('jobs:scheduleThenFail', '{"tag": "rolled back"}'); ROLLBACK});
like($err, qr/WARNING:  what this action schedules commits with the calling transaction, not at once.*max_worker_processes/s,
	'an action with no job writer warns, naming the setting');
sleep 0.5;
is(q1(q{SELECT count(*) FROM udf_job WHERE args->>'tag' = 'rolled back'}), '0', 'and its job is rolled back with the caller');

$node->stop;
my $log = slurp_file($node->logfile);
my @crashes = ($log =~ /terminated by signal (\d+)/g);
is(join(',', grep { $_ != 9 } @crashes), '', 'no process died but those killed with kill -9');
done_testing();
