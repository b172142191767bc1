# The standing fault suite: the bug classes that must stay fixed, each case
# with a check that fails while the bug is there.
#  1. search_path hijack: no SQL that udf runs as the extension owner
#     (loading a deployment, saving one, the udf_table registry, the cursor
#     secret) resolves a function or operator in a schema of the caller's.
#  2. out of memory, pg_cancel_backend and statement_timeout at every nesting
#     (SQL -> udf -> SQL -> udf: CHECK constraints, plpgsql triggers,
#     udf_trigger, syscalls waiting in SQL, nested runQuery/runMutation) end
#     the call with its ERROR, never the server.
#  3. a cancel or statement_timeout that arrives while a ctx.db call is in SQL
#     cannot be caught by JavaScript.
#  4. no microtask, promise or module state survives a stopped call.
#  5. count() in a mutation sees the mutation's own writes.
#  6. concurrent deploys with a schema.js never deadlock and leave one
#     consistent deployment.
#  7. pg_terminate_backend during a deploy, a mutation or a trigger ends the
#     backend only, and nothing half-written is visible.
#  8. a pgbench soak with cancels injected: the counter matches the committed
#     increments, and the postmaster never restarts.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use List::Util qw(min);
use JSON::PP;
use IPC::Run;

my $suite_start = time;
my $node = PostgreSQL::Test::Cluster->new('faults');
$node->init;
$node->append_conf('postgresql.conf', qq{
udf.max_heap_size = '64MB'
udf.max_execution_time = '30s'
max_connections = 80
restart_after_crash = on
});
$node->start;
my $suite_mark = { pos => 0, start => $node->safe_psql('postgres', 'SELECT pg_postmaster_start_time()') };
my $json = JSON::PP->new->canonical(1);

# ---------------------------------------------------------------- helpers

# SQL that deploys a hash of modules (path => source).
sub deploy_sql
{
	my ($modules) = @_;
	my $text = $json->encode($modules);
	die 'module text contains the dollar-quote tag' if $text =~ /\$udfjson\$/;
	return "SELECT udf_deploy(\$udfjson\$$text\$udfjson\$::jsonb)";
}

sub log_pos { return -s $node->logfile; }

sub log_since
{
	my ($pos) = @_;
	return substr(slurp_file($node->logfile), $pos);
}

# Wait until the server accepts connections (after a crash it restarts:
# restart_after_crash is on, so that one crash fails its checks, not the rest).
sub wait_ready
{
	$node->poll_query_until('postgres', 'SELECT true')
	  or diag('the server did not accept connections again');
}

# Run SQL in a new connection; never dies. Returns (rc, stdout, stderr).
sub psql_run
{
	my ($db, $sql, %o) = @_;
	my ($rc, $out, $err) = $node->psql($db, $sql, timeout => $o{timeout} // 60,
		timed_out => \my $timed_out, on_error_stop => 1,
		extra_params => $o{user} ? [ '-U', $o{user} ] : []);
	return (1, '', 'psql timed out') if $timed_out;
	return ($rc, $out, $err);
}

# The SQL's output in a new connection, or '<error: ...>'.
sub value_of
{
	my ($sql, $db) = @_;
	my ($rc, $out, $err) = psql_run($db // 'postgres', $sql);
	return $rc == 0 ? $out : "<error: $err>";
}

# Where a case starts: the log position and the postmaster's start time.
sub mark
{
	wait_ready();
	return { pos => log_pos(), start => value_of('SELECT pg_postmaster_start_time()') };
}

# Since mark(): the same postmaster, and no backend died of a signal.
sub server_intact
{
	my ($what, $mark) = @_;
	wait_ready();
	is(value_of('SELECT pg_postmaster_start_time()'), $mark->{start}, "$what: postmaster did not restart");
	my @crash = log_since($mark->{pos}) =~ /^(.*(?:terminated by signal|was terminated by exception|all server processes terminated|Fatal error in).*)$/mg;
	is(join("\n", @crash), '', "$what: no backend crashed");
}

# A psql session that keeps going after errors; errors are verbose, so they
# carry their SQLSTATE ("ERROR:  57014: canceling statement ...").
sub start_session
{
	my ($db, %o) = @_;
	my $s = $node->background_psql($db // 'postgres', on_error_stop => 0, timeout => 120,
		extra_params => $o{user} ? [ '-U', $o{user} ] : []);
	$s->set_query_timer_restart;
	sq($s, '\set VERBOSITY verbose');
	return $s;
}

# Run SQL in a session: (stdout, stderr), or (undef, why) if the session died.
sub sq
{
	my ($s, $sql) = @_;
	$s->{stderr} = '';
	my $out = eval { $s->query($sql) };
	return (undef, "the session died: " . ($@ || $s->{stderr})) unless defined $out;
	my $err = $s->{stderr};
	$s->{stderr} = '';
	return ($out, $err);
}

sub end_session
{
	my ($s) = @_;
	eval { $s->{run}->pumpable ? $s->quit : $s->{run}->finish; 1 } or eval { $s->{run}->kill_kill };
}

sub pump_quietly
{
	my ($s) = @_;
	eval { $s->{run}->pump_nb if $s->{run}->pumpable; 1 };
}

# Pump a session until its case printed "case-finished" or psql ended.
sub wait_end
{
	my ($s, $secs) = @_;
	my $deadline = time + $secs;
	while (time < $deadline)
	{
		return 1 if $s->{stdout} =~ /^case-finished$/m;
		return 0 unless eval { $s->{run}->pumpable };
		pump_quietly($s);
		sleep 0.005;
	}
	return 0;
}

# Poll a condition (SQL returning t/f) for up to $secs, pumping $s meanwhile.
sub poll_true
{
	my ($sql, $secs, $s) = @_;
	my $deadline = time + $secs;
	while (time < $deadline)
	{
		pump_quietly($s) if $s;
		my ($rc, $out) = psql_run('postgres', $sql);
		return 1 if $rc == 0 && $out eq 't';
		sleep 0.02;
	}
	return 0;
}

# Run one statement and interrupt it.
#  sql: the statement; setup: SQL run first in the same session; s: an
#  existing session to use; action: cancel | terminate | none (the statement
#  stops by itself: statement_timeout, a heap limit); wait: the condition on
#  its pg_stat_activity row to wait for before acting; settle: seconds to wait
#  after that; deadline: seconds to wait for the statement to end, after which
#  the backend is terminated (a stuck case fails instead of hanging).
# Returns { s, pid, err, elapsed (from the action, or from sending), finished,
# stuck (the statement outlived the deadline and its backend was ended) }.
sub run_case
{
	my (%a) = @_;
	my $s = $a{s} // start_session($a{db}, user => $a{user});
	sq($s, $a{setup}) if $a{setup};
	my ($pid) = sq($s, 'SELECT pg_backend_pid()');
	$pid //= 0;
	$s->{stdout} = $s->{stderr} = '';
	$s->{timeout}->start;
	$s->{stdin} .= "\\echo case-started\n$a{sql};\n\\echo case-finished\n";
	my $t0 = time;
	my $deadline = time + 10;
	pump_quietly($s) until $s->{stdout} =~ /case-started/ || time > $deadline || !eval { $s->{run}->pumpable };
	my $action = $a{action} // 'none';
	if ($action ne 'none')
	{
		my $cond = $a{wait} // "state = 'active'";
		poll_true("SELECT coalesce((SELECT $cond FROM pg_stat_activity WHERE pid = $pid), false)", 15, $s)
		  or diag("$a{sql}: the condition '$cond' never held");
		my $settle = time + ($a{settle} // 0);
		pump_quietly($s) while time < $settle;
		$t0 = time;
		my $fn = $action eq 'terminate' ? 'pg_terminate_backend' : 'pg_cancel_backend';
		psql_run('postgres', "SELECT $fn($pid)");
	}
	my $finished = wait_end($s, $a{deadline} // 10);
	my $elapsed = time - $t0;
	my $stuck = !$finished && eval { $s->{run}->pumpable };
	if ($stuck)
	{
		diag(sprintf('%s: still running after %.1f s; ending its backend', $a{sql}, $elapsed));
		stop_backend($pid, $s);
	}
	(my $err = $s->{stderr}) =~ s/^case-started\n//m;
	$s->{stderr} = $s->{stdout} = '';
	return { s => $s, pid => $pid, err => $err, elapsed => $elapsed, finished => $finished, stuck => $stuck };
}

# End a backend that did not stop: pg_terminate_backend, and if even that is
# ignored, SIGKILL (the server then restarts, and server_intact fails), so a
# stuck case costs seconds, not the whole run.
sub stop_backend
{
	my ($pid, $s) = @_;
	psql_run('postgres', "SELECT pg_terminate_backend($pid)");
	return if poll_true("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $pid", 5, $s);
	diag("backend $pid ignored pg_terminate_backend; killing it with SIGKILL");
	kill 'KILL', $pid;
	wait_end($s, 10) if $s;
	wait_ready();
}

# After a case that was stopped with an ERROR: the connection still works.
sub connection_works
{
	my ($c, $what) = @_;
	my ($out, $err) = sq($c->{s}, "RESET statement_timeout; RESET udf.max_execution_time; RESET ROLE; SELECT udf_invoke('m:ok')");
	is($out, '"fine"', "$what: the same connection runs a normal call afterwards");
}

# A case that must end with an ERROR matching $re, quickly, leaving the
# connection and the server fine.
sub error_case
{
	my ($what, $re, %a) = @_;
	my $mark = mark();
	my $c = run_case(%a);
	like($c->{err}, $re, "$what: clear error");
	cmp_ok($c->{elapsed}, '<', $a{max_seconds} // 3, "$what: stopped promptly")
	  or diag(sprintf('%s: took %.2f s', $what, $c->{elapsed}));
	note sprintf('%s: %.0f ms', $what, $c->{elapsed} * 1000);
	connection_works($c, $what);
	end_session($c->{s});
	server_intact($what, $mark);
	return $c;
}

my $TIMEOUT = qr/ERROR:\s+57014: canceling statement due to statement timeout/;
my $CANCEL = qr/ERROR:\s+57014: canceling statement due to user request/;
my $OOM = qr/ERROR:\s+53200: JavaScript execution ran out of memory \(maximum memory usage: 64 MB\)/;
my $TERMINATED = qr/terminating connection due to administrator command/;

# ---------------------------------------------------------------- the app

my $m_js = <<'JS';
import { query, mutation, internalQuery, internalMutation } from './_generated/server';
import { internal } from './_generated/api';
import { v } from 'convex/values';
const heap = () => { const a = []; for (;;) a.push(new Array(10000).fill(1.5)); };
const spin = () => { for (;;) {} };
export const ok = query(() => 'fine');
export const bomb = query(() => heap());
export const qspin = query(() => spin());
export const ibomb = internalMutation(() => heap());
export const ispin = internalMutation(() => spin());
export const iqspin = internalQuery(() => spin());
export const trigBomb = internalMutation(() => heap());
export const trigSpin = internalMutation(() => spin());
export const trigWriteSpin = internalMutation(async (ctx) => { await ctx.db.insert('half', { v: 'from trigger' }); spin(); });
export const insertInto = mutation({ args: { table: v.string() }, handler: async (ctx, { table }) => { await ctx.db.insert(table, { v: 'x' }); return 'inserted'; } });
export const nestedBomb = mutation(async (ctx) => ctx.runMutation(internal.m.ibomb, {}));
export const nestedSpin = mutation(async (ctx) => ctx.runMutation(internal.m.ispin, {}));
export const nestedQSpin = query(async (ctx) => ctx.runQuery(internal.m.iqspin, {}));
export const level = internalMutation({ args: { n: v.number() }, handler: async (ctx, { n }) => { if (n === 0) spin(); return ctx.runMutation(internal.m.level, { n: n - 1 }); } });
export const deepSpin = mutation(async (ctx) => ctx.runMutation(internal.m.level, { n: 3 }));
export const writeThenSpin = mutation(async (ctx) => { await ctx.db.insert('half', { v: 'from mutation' }); spin(); });
export const slowLoop = mutation(async (ctx) => { let done = 0; for (let i = 0; i < 500; i++) { try { await ctx.db.insert('slow', { v: String(i) }); done++; } catch (e) {} } return done; });
export const rlsLoop = query(async (ctx) => { let n = 0; for (let i = 0; i < 500; i++) { try { n += (await ctx.db.query('slowrls').collect()).length; } catch (e) {} } return n; });
export const cntCount = internalQuery(async (ctx) => ctx.db.query('cnt').count());
export const countOwn = mutation(async (ctx) => {
  const before = await ctx.db.query('cnt').count();
  const id = await ctx.db.insert('cnt', { v: 'a' });
  const afterInsert = await ctx.db.query('cnt').count();
  const collected = (await ctx.db.query('cnt').collect()).length;
  const nested = await ctx.runQuery(internal.m.cntCount, {});
  await ctx.db.delete('cnt', id);
  const afterDelete = await ctx.db.query('cnt').count();
  return { before, afterInsert, collected, nested, afterDelete };
});
JS

my $g_js = <<'JS';
import { query, mutation } from './_generated/server';
const heap = () => { const a = []; for (;;) a.push(new Array(10000).fill(1.5)); };
export const spinGhost = mutation(async (ctx) => { Promise.resolve().then(() => ctx.db.insert('t', { v: 'ghost' })); for (;;) {} });
export const bombGhost = mutation(async (ctx) => { Promise.resolve().then(() => ctx.db.insert('t', { v: 'ghost' })); heap(); });
export const throwGhost = mutation(async (ctx) => {
  (async () => { for (let i = 0; i < 50; i++) await null; await ctx.db.insert('t', { v: 'ghost' }); })();
  Promise.resolve().then(() => ctx.db.insert('t', { v: 'ghost' }));
  throw new Error('thrown on purpose');
});
export const after = mutation(async (ctx) => { await ctx.db.insert('t', { v: 'after' }); return 'after'; });
JS

my $st_js = <<'JS';
import { mutation } from './_generated/server';
let n = 0;
export const inc = mutation(async () => ++n);
export const spin = mutation(async () => { n += 100; for (;;) {} });
JS

my $soak_js = <<'JS';
import { query, mutation } from './_generated/server';
import { v } from 'convex/values';
export const inc = mutation({ args: { k: v.number() }, handler: async (ctx, { k }) => {
  const c = await ctx.db.get('counter', String(k));
  await ctx.db.patch('counter', String(k), { n: c.n + 1 });
  await ctx.db.insert('inclog', { k });
  return c.n + 1;
} });
export const get = query({ args: { k: v.number() }, handler: async (ctx, { k }) => (await ctx.db.get('counter', String(k))).n });
export const work = query(() => { let s = 0; for (let i = 0; i < 300000; i++) s += i % 7; return s; });
JS

my %app = ('m.js' => $m_js, 'g.js' => $g_js, 'st.js' => $st_js, 'soak.js' => $soak_js);

$node->safe_psql('postgres', <<'SQL');
CREATE EXTENSION udf;
CREATE ROLE reader LOGIN;
CREATE TABLE t (id serial PRIMARY KEY, v text);
CREATE TABLE cnt (id serial PRIMARY KEY, v text);
CREATE TABLE half (id serial PRIMARY KEY, v text);
CREATE FUNCTION call_udf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM udf_invoke(TG_ARGV[0]); RETURN NEW; END $$;
CREATE FUNCTION sleep_trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(TG_ARGV[0]::float8); RETURN NEW; END $$;
CREATE TABLE chk_bomb (id serial PRIMARY KEY, v text CHECK (udf_invoke('m:bomb') IS NOT NULL));
CREATE TABLE chk_spin (id serial PRIMARY KEY, v text CHECK (udf_invoke('m:qspin') IS NOT NULL));
CREATE TABLE ptrg_bomb (id serial PRIMARY KEY, v text);
CREATE TRIGGER b BEFORE INSERT ON ptrg_bomb FOR EACH ROW EXECUTE FUNCTION call_udf('m:bomb');
CREATE TABLE ptrg_spin (id serial PRIMARY KEY, v text);
CREATE TRIGGER s BEFORE INSERT ON ptrg_spin FOR EACH ROW EXECUTE FUNCTION call_udf('m:qspin');
CREATE TABLE utrg_bomb (id serial PRIMARY KEY, v text);
CREATE TRIGGER b AFTER INSERT ON utrg_bomb FOR EACH ROW EXECUTE FUNCTION udf_trigger('m:trigBomb');
CREATE TABLE utrg_spin (id serial PRIMARY KEY, v text);
CREATE TRIGGER s AFTER INSERT ON utrg_spin FOR EACH ROW EXECUTE FUNCTION udf_trigger('m:trigSpin');
CREATE TABLE tterm (id serial PRIMARY KEY, v text);
CREATE TRIGGER w AFTER INSERT ON tterm FOR EACH ROW EXECUTE FUNCTION udf_trigger('m:trigWriteSpin');
CREATE TABLE sleepy (id serial PRIMARY KEY, v text);
CREATE TRIGGER z BEFORE INSERT ON sleepy FOR EACH ROW EXECUTE FUNCTION sleep_trg('60');
CREATE TABLE slow (id serial PRIMARY KEY, v text);
CREATE TRIGGER z BEFORE INSERT ON slow FOR EACH ROW EXECUTE FUNCTION sleep_trg('0.05');
CREATE TABLE slowrls (id serial PRIMARY KEY, v text);
INSERT INTO slowrls (v) SELECT 'r' || g FROM generate_series(1, 20) g;
ALTER TABLE slowrls ENABLE ROW LEVEL SECURITY;
ALTER TABLE slowrls FORCE ROW LEVEL SECURITY;
CREATE POLICY slow_read ON slowrls FOR SELECT USING (pg_sleep(0.01) IS NOT NULL);
GRANT SELECT ON slowrls TO reader;
CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL);
INSERT INTO counter SELECT g, 0 FROM generate_series(1, 8) g;
CREATE TABLE inclog (id bigserial PRIMARY KEY, k int NOT NULL);
SQL
$node->safe_psql('postgres', deploy_sql(\%app));
is($node->safe_psql('postgres', "SELECT udf_invoke('m:ok')"), '"fine"', 'setup: the app is deployed');

# ---------------------------------------------------------------- 1. search_path hijack
# Role mal owns schema mal, full of functions and operators that shadow
# pg_catalog's (exact argument types, so they win resolution). Each one,
# when it runs as any role but mal or mal_dep, logs a WARNING and makes mal
# a superuser. mal then uses udf with search_path = mal, pg_catalog, public.
{
	$node->safe_psql('postgres', 'CREATE DATABASE hj');
	$node->safe_psql('hj', q{
CREATE EXTENSION udf;
CREATE ROLE mal LOGIN;
CREATE ROLE mal_dep LOGIN IN ROLE udf_admin;
CREATE ROLE victim LOGIN;
GRANT CREATE ON DATABASE hj TO mal;
});
	my %hj_app = ('hj.js' => <<'JS');
import { query, mutation } from './_generated/server';
import { v } from 'convex/values';
export const hello = query(() => 'hello');
export const add = mutation(async (ctx) => ctx.db.insert('fresh', { v: 'x' }));
export const get = query({ args: { id: v.string() }, handler: async (ctx, { id }) => (await ctx.db.get(id)).v });
export const page = query(async (ctx) => (await ctx.db.query('fresh').paginate({ numItems: 1, cursor: null })).page.length);
JS
	$node->safe_psql('hj', deploy_sql(\%hj_app));

	my $shadows = q{
CREATE SCHEMA mal;
GRANT USAGE ON SCHEMA mal TO PUBLIC;
CREATE TABLE mal.hijack_log (who name, what text);
GRANT INSERT ON mal.hijack_log TO PUBLIC;
-- a managed-looking table of mal's own: its first insert registers it in udf_table
CREATE TABLE mal.fresh ("_id" text PRIMARY KEY, "_creationTime" double precision NOT NULL, v text);
CREATE FUNCTION mal.note(what text) RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF current_user NOT IN ('mal', 'mal_dep') THEN
    RAISE WARNING 'udf-hijack: mal.% ran as %', what, current_user;
    BEGIN
      INSERT INTO mal.hijack_log VALUES (current_user, what);
      ALTER ROLE mal SUPERUSER;
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'udf-hijack: escalation failed: %', SQLERRM;
    END;
  ELSE
    RAISE NOTICE 'udf-shadow: %', what;
  END IF;
END $$;
};
	# (EXTRACT(... FROM ...) is SQL syntax that names pg_catalog.extract, so
	# its shadows cannot win today; they stay in case the SQL changes)
	my @funcs = (
		[ 'jsonb_array_elements', 'j jsonb', 'SETOF jsonb', 'RETURN QUERY SELECT pg_catalog.jsonb_array_elements(j);' ],
		[ 'extract', 'f text, t timestamptz', 'numeric', 'RETURN pg_catalog.extract(f, t);' ],
		[ 'date_part', 'f text, t timestamptz', 'double precision', 'RETURN pg_catalog.date_part(f, t);' ],
		[ 'encode', 'b bytea, f text', 'text', 'RETURN pg_catalog.encode(b, f);' ],
		[ 'sha256', 'b bytea', 'bytea', 'RETURN pg_catalog.sha256(b);' ],
		[ 'convert_to', 's text, e name', 'bytea', 'RETURN pg_catalog.convert_to(s, e);' ],
	);
	for my $f (@funcs)
	{
		my ($name, $args, $ret, $body) = @$f;
		$shadows .= "CREATE FUNCTION mal.$name($args) RETURNS $ret LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS \$\$ "
		  . "BEGIN PERFORM mal.note('$name'); $body END \$\$;\n";
	}
	my @ops = (
		[ '=', 'regclass', 'oid', 'a::oid = b' ],
		[ '=', 'oid', 'oid', 'a = b' ],
		[ '=', 'integer', 'integer', 'a = b' ],
		[ '=', 'bigint', 'integer', 'a = b' ],
		[ '=', 'bigint', 'bigint', 'a = b' ],
		[ '=', 'text', 'text', 'a = b' ],
		[ '->>', 'jsonb', 'text', 'a ->> b' ],
		[ '*', 'numeric', 'integer', 'a * b' ],
	);
	my %ret = ('=' => 'boolean', '->>' => 'text', '*' => 'numeric');
	for my $i (1 .. @ops)
	{
		my ($op, $l, $r, $expr) = @{ $ops[ $i - 1 ] };
		$shadows .= "CREATE FUNCTION mal.op$i(a $l, b $r) RETURNS $ret{$op} LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS \$\$ "
		  . "BEGIN PERFORM mal.note('$op($l,$r)'); RETURN $expr; END \$\$;\n"
		  . "CREATE OPERATOR mal.$op (LEFTARG = $l, RIGHTARG = $r, FUNCTION = mal.op$i);\n";
	}
	my ($rc, $out, $err) = psql_run('hj', $shadows, user => 'mal');
	is($rc, 0, 'hijack: mal creates its shadow functions and operators') or diag($err);

	my $path = 'SET search_path = mal, pg_catalog, public';
	# the shadows really win resolution for mal (else the cases below prove nothing)
	($rc, $out, $err) = psql_run('hj', qq{$path;
SELECT count(*) FROM jsonb_array_elements('[{"a": "b"}]'::jsonb) f WHERE f->>'a' = 'b';
SELECT encode(sha256(convert_to('x', 'UTF8')), 'hex') IS NOT NULL;
SELECT 'pg_class'::regclass = 1259::oid, 1259::oid = 1259::oid, 1 = 1, 1::bigint = 1, 1::bigint = 1::bigint, 1.5::numeric * 2;
}, user => 'mal');
	my @missing = grep { index($err, "udf-shadow: $_") < 0 }
	  ((map { $_->[0] } grep { $_->[0] !~ /extract|date_part/ } @funcs), map { "$_->[0]($_->[1],$_->[2])" } @ops);
	is(join(', ', @missing), '', "hijack: every shadow wins resolution under mal's search_path");

	# and the trap is seen when it springs: another (unprivileged) role
	# resolving through mal's schema runs mal's code, which the log shows
	my $pos = log_pos();
	psql_run('hj', "$path; SELECT encode('x'::bytea, 'hex')", user => 'victim');
	like(log_since($pos), qr/udf-hijack: mal\.encode ran as victim/, 'hijack: the trap is detected when it springs (control)');

	my $hijack_start = log_pos();
	my $step = sub {
		my ($what, $s, $sql, $expect) = @_;
		my $pos = log_pos();
		my ($o) = sq($s, $sql);
		like($o // '<session died>', $expect, "hijack: $what works under mal's search_path");
		my %ran = map { $_ => 1 } log_since($pos) =~ /udf-hijack: (mal\.\S+ ran as \S+)/g;
		is(join(', ', sort keys %ran), '', "hijack: $what runs none of mal's functions as another role");
		return $o;
	};
	my $s = start_session('hj', user => 'mal');
	sq($s, "$path; SET client_min_messages = warning");
	$step->('loading the deployment (fresh backend)', $s, "SELECT udf_invoke('hj:hello')", qr/^"hello"$/);
	my $id = $step->('registering a table in udf_table (first insert)', $s, "SELECT udf_invoke('hj:add') #>> '{}'", qr/^\w+$/);
	$step->('finding a table by number in udf_table (db.get)', $s,
		"SELECT udf_invoke('hj:get', jsonb_build_object('id', '" . ($id // '') . "'))", qr/^"x"$/);
	$step->('making the cursor secret (first paginate)', $s, "SELECT udf_invoke('hj:page')", qr/^1$/);
	end_session($s);
	$s = start_session('hj', user => 'mal_dep');
	sq($s, "$path; SET client_min_messages = warning");
	$step->('saving a deployment (udf_deploy by a udf_admin member)', $s,
		deploy_sql({ %hj_app, 'extra.js' => "export const x = 1;\n" }) . " ? 'deployment'", qr/^t$/);
	end_session($s);
	$s = start_session('hj', user => 'mal');
	sq($s, "$path; SET client_min_messages = warning");
	$step->('loading the new deployment (fresh backend)', $s, "SELECT udf_invoke('hj:hello')", qr/^"hello"$/);
	end_session($s);

	is(value_of("SELECT rolsuper FROM pg_roles WHERE rolname = 'mal'"), 'f', 'hijack: mal is still not a superuser');
	is(value_of('SELECT count(*) FROM mal.hijack_log', 'hj'), '0', 'hijack: no shadow function ran as another role (log table)');
	my @ran = log_since($hijack_start) =~ /(udf-hijack: .*)$/mg;
	is(scalar(@ran), 0, 'hijack: no shadow function ran as another role (server log)')
	  or diag(join("\n", (sort keys %{ { map { $_ => 1 } @ran } })[ 0 .. min(9, $#ran) ]));
	$node->safe_psql('postgres', 'ALTER ROLE mal NOSUPERUSER');
}

# ---------------------------------------------------------------- 2. OOM and cancel at every nesting
{
	my @oom = (
		[ 'OOM in a CHECK constraint, from ctx.db.insert', "SELECT udf_invoke('m:insertInto', '{\"table\": \"chk_bomb\"}')" ],
		[ 'OOM in a plpgsql trigger, from ctx.db.insert', "SELECT udf_invoke('m:insertInto', '{\"table\": \"ptrg_bomb\"}')" ],
		[ 'OOM in a udf_trigger mutation, from ctx.db.insert', "SELECT udf_invoke('m:insertInto', '{\"table\": \"utrg_bomb\"}')" ],
		[ 'OOM in a udf_trigger mutation, from INSERT', "INSERT INTO utrg_bomb (v) VALUES ('x')" ],
		[ 'OOM in a nested ctx.runMutation', "SELECT udf_invoke('m:nestedBomb')" ],
	);
	error_case($_->[0], $OOM, sql => $_->[1], max_seconds => 15) for @oom;

	my $st = "SET statement_timeout = '300ms'";
	my @stops = (
		[ 'statement_timeout in a CHECK constraint call, from ctx.db.insert', $TIMEOUT, setup => $st,
			sql => "SELECT udf_invoke('m:insertInto', '{\"table\": \"chk_spin\"}')" ],
		[ 'pg_cancel_backend in a CHECK constraint call, from ctx.db.insert', $CANCEL, action => 'cancel', settle => 0.3,
			sql => "SELECT udf_invoke('m:insertInto', '{\"table\": \"chk_spin\"}')" ],
		[ 'statement_timeout in a plpgsql trigger call, from ctx.db.insert', $TIMEOUT, setup => $st,
			sql => "SELECT udf_invoke('m:insertInto', '{\"table\": \"ptrg_spin\"}')" ],
		[ 'pg_cancel_backend in a plpgsql trigger call, from ctx.db.insert', $CANCEL, action => 'cancel', settle => 0.3,
			sql => "SELECT udf_invoke('m:insertInto', '{\"table\": \"ptrg_spin\"}')" ],
		[ 'statement_timeout in a udf_trigger mutation, from INSERT', $TIMEOUT, setup => $st,
			sql => "INSERT INTO utrg_spin (v) VALUES ('x')" ],
		[ 'pg_cancel_backend in a udf_trigger mutation, from INSERT', $CANCEL, action => 'cancel', settle => 0.3,
			sql => "INSERT INTO utrg_spin (v) VALUES ('x')" ],
		[ 'statement_timeout in a udf_trigger mutation, from ctx.db.insert', $TIMEOUT, setup => $st,
			sql => "SELECT udf_invoke('m:insertInto', '{\"table\": \"utrg_spin\"}')" ],
		[ 'pg_cancel_backend in a udf_trigger mutation, from ctx.db.insert', $CANCEL, action => 'cancel', settle => 0.3,
			sql => "SELECT udf_invoke('m:insertInto', '{\"table\": \"utrg_spin\"}')" ],
		[ 'pg_cancel_backend in a syscall (ctx.db.insert in pg_sleep)', $CANCEL, action => 'cancel', wait => "wait_event = 'PgSleep'",
			sql => "SELECT udf_invoke('m:insertInto', '{\"table\": \"sleepy\"}')" ],
		[ 'statement_timeout in a syscall (ctx.db.insert in pg_sleep)', $TIMEOUT, setup => $st,
			sql => "SELECT udf_invoke('m:insertInto', '{\"table\": \"sleepy\"}')" ],
		[ 'pg_cancel_backend in a nested ctx.runMutation', $CANCEL, action => 'cancel', settle => 0.3,
			sql => "SELECT udf_invoke('m:nestedSpin')" ],
		[ 'statement_timeout in a nested ctx.runQuery', $TIMEOUT, setup => $st, sql => "SELECT udf_invoke('m:nestedQSpin')" ],
		[ 'statement_timeout four ctx.runMutation levels deep', $TIMEOUT, setup => $st, sql => "SELECT udf_invoke('m:deepSpin')" ],
	);
	for my $c (@stops)
	{
		my ($what, $re, %a) = @$c;
		error_case($what, $re, %a);
	}
}

# ---------------------------------------------------------------- 3. cancels in SQL are not catchable by JS
{
	my @cases = (
		[ 'uncatchable: statement_timeout during slow inserts in try/catch', $TIMEOUT, 'slow',
			setup => "SET statement_timeout = '300ms'", sql => "SELECT udf_invoke('m:slowLoop')" ],
		[ 'uncatchable: one pg_cancel_backend during slow inserts in try/catch', $CANCEL, 'slow',
			action => 'cancel', wait => "wait_event = 'PgSleep'", sql => "SELECT udf_invoke('m:slowLoop')" ],
		[ 'uncatchable: statement_timeout during collect() under a slow RLS policy', $TIMEOUT, undef,
			setup => "SET ROLE reader; SET statement_timeout = '300ms'", sql => "SELECT udf_invoke('m:rlsLoop')" ],
		[ 'uncatchable: one pg_cancel_backend during collect() under a slow RLS policy', $CANCEL, undef,
			setup => 'SET ROLE reader', action => 'cancel', wait => "wait_event = 'PgSleep'",
			sql => "SELECT udf_invoke('m:rlsLoop')" ],
	);
	for my $case (@cases)
	{
		my ($what, $re, $table, %a) = @$case;
		my $c = error_case($what, $re, %a, max_seconds => 1.5, deadline => 4);
		ok($c->{finished}, "$what: the statement ended by itself (no rescue by pg_terminate_backend)");
		is(value_of("SELECT count(*) FROM $table"), '0', "$what: no row committed") if $table;
	}
}

# ---------------------------------------------------------------- 4. nothing survives a stopped call
{
	my @faults = (
		[ 'statement_timeout', $TIMEOUT, setup => "SET statement_timeout = '300ms'", sql => "SELECT udf_invoke('g:spinGhost')" ],
		[ 'pg_cancel_backend', $CANCEL, action => 'cancel', settle => 0.2, sql => "SELECT udf_invoke('g:spinGhost')" ],
		[ 'udf.max_execution_time', qr/ERROR:\s+57014: Function execution timed out/,
			setup => "SET udf.max_execution_time = '300ms'", sql => "SELECT udf_invoke('g:spinGhost')" ],
		[ 'out of memory', $OOM, sql => "SELECT udf_invoke('g:bombGhost')" ],
		[ 'a thrown error', qr/ERROR:\s+UDF00: Uncaught Error: thrown on purpose/, sql => "SELECT udf_invoke('g:throwGhost')" ],
	);
	for my $f (@faults)
	{
		my ($name, $re, %a) = @$f;
		my $what = "leftovers after $name";
		my $mark = mark();
		# the next call is a query
		my $c = run_case(%a);
		like($c->{err}, $re, "$what: the call fails as expected");
		my ($out, $err) = sq($c->{s}, "RESET statement_timeout; RESET udf.max_execution_time; SELECT udf_invoke('m:ok')");
		is($out, '"fine"', "$what: the next query on the connection succeeds");
		unlike($err // '', qr/only allowed in a mutation|ERROR/, "$what: the next query raises nothing left over")
		  or diag($err);
		end_session($c->{s});
		# the next call is a mutation
		$c = run_case(%a);
		($out) = sq($c->{s}, "RESET statement_timeout; RESET udf.max_execution_time; SELECT udf_invoke('g:after')");
		is($out, '"after"', "$what: the next mutation on the connection succeeds");
		is(value_of("SELECT count(*) FROM t WHERE v = 'ghost'"), '0', "$what: the next mutation commits no ghost row");
		end_session($c->{s});
		server_intact($what, $mark);
		$node->safe_psql('postgres', 'DELETE FROM t');
	}

	# module state (top-level lets) starts over after a stopped call
	for my $how ([ 'statement_timeout', setup => "SET statement_timeout = '300ms'" ],
		[ 'pg_cancel_backend', action => 'cancel', settle => 0.2 ])
	{
		my ($name, %a) = @$how;
		my $s = start_session();
		sq($s, "SELECT udf_invoke('st:inc')");
		my ($n) = sq($s, "SELECT udf_invoke('st:inc')");
		is($n, '2', "module state after $name: it counts in one connection");
		my $c = run_case(s => $s, sql => "SELECT udf_invoke('st:spin')", %a);
		like($c->{err}, qr/57014/, "module state after $name: the call is stopped");
		($n) = sq($s, "RESET statement_timeout; SELECT udf_invoke('st:inc')");
		is($n, '1', "module state after $name: the next call starts from fresh module state");
		end_session($s);
	}
}

# ---------------------------------------------------------------- 5. count() sees the mutation's own writes
{
	my $r = eval { $json->decode(value_of("SELECT udf_invoke('m:countOwn')")) } // {};
	is($r->{before}, 0, 'count(): the table starts empty');
	is($r->{afterInsert}, 1, 'count(): in a mutation it sees the mutation\'s own insert');
	is($r->{afterInsert}, $r->{collected}, 'count(): agrees with collect() in the same mutation');
	is($r->{nested}, 1, 'count(): a nested ctx.runQuery sees the caller\'s insert');
	is($r->{afterDelete}, 0, 'count(): sees the mutation\'s own delete');
	is(value_of('SELECT count(*) FROM cnt'), '0', 'count(): the mutation left the table as it was');
}

# ---------------------------------------------------------------- 6. concurrent deploys with schema.js
my $schema_js = sub {
	my ($round, $extra) = @_;
	my $tables = join(', ', map { "r$_: defineTable({ x: v.number() })" } 1 .. $round);
	my $docs_fields = 'body: v.string()' . ($extra ? ', extra: v.optional(v.string())' : '');
	return "import { defineSchema, defineTable } from 'convex/server';\nimport { v } from 'convex/values';\n"
	  . "export default defineSchema({ docs: defineTable({ $docs_fields }).index('by_body', ['body']), $tables });\n";
};
my $ver_js = sub {
	my ($who) = @_;
	return "import { query, mutation } from './_generated/server';\n"
	  . "export const who = query(() => '$who');\n"
	  . "export const add = mutation(async (ctx) => { const id = await ctx.db.insert('docs', { body: 'b' }); return (await ctx.db.get(id)).body; });\n";
};
my (%app6, $live6);
{
	my $mark = mark();
	# one deploy alone first: the number of functions a deploy of this app has
	my $nfunctions = value_of('SELECT jsonb_array_length(udf_deploy(m) -> \'functions\') FROM (SELECT $udfjson$'
		  . $json->encode({ %app, 'schema.js' => $schema_js->(0), 'ver.js' => $ver_js->('alone') }) . '$udfjson$::jsonb AS m) s');
	like($nfunctions, qr/^\d+$/, 'concurrent deploys: a deploy with schema.js alone works');
	my $before = value_of('SELECT count(*) FROM udf_deployment');
	my @sessions = map { start_session() } 1 .. 4;
	my (@errors, $ok, %who);
	my $rounds = 3;
	for my $round (1 .. $rounds)
	{
		for my $i (0 .. $#sessions)
		{
			my $s = $sessions[$i];
			$s->{stdout} = $s->{stderr} = '';
			$s->{timeout}->start;
			$s->{stdin} .= deploy_sql({ %app, 'schema.js' => $schema_js->($round), 'ver.js' => $ver_js->("session $i round $round") })
			  . " ? 'deployment';\n\\echo deployed-$round\n";
		}
		my $deadline = time + 60;
		while (time < $deadline && grep { $_->{stdout} !~ /deployed-$round/ && eval { $_->{run}->pumpable } } @sessions)
		{
			pump_quietly($_) for @sessions;
			sleep 0.005;
		}
		for my $i (0 .. $#sessions)
		{
			my $s = $sessions[$i];
			if ($s->{stdout} =~ /^t\ndeployed-$round/m && $s->{stderr} !~ /ERROR/) { $ok++; $who{"session $i round $round"} = 1; }
			else { push @errors, "session $i round $round: " . ($s->{stderr} || $s->{stdout} || 'no answer'); }
		}
	}
	end_session($_) for @sessions;
	is(scalar(grep { /deadlock|40P01/ } @errors), 0, 'concurrent deploys: no deadlock');
	is($ok, 4 * $rounds, 'concurrent deploys: every deploy succeeded')
	  or diag(join("\n", @errors[ 0 .. min(3, $#errors) ]));
	is(value_of('SELECT count(*) FROM udf_deployment') - ($before =~ /^\d+$/ ? $before : 0), $ok // 0,
		'concurrent deploys: one udf_deployment row per successful deploy');
	is(value_of('SELECT string_agg(path, \',\' ORDER BY path) FROM udf_module'),
		join(',', sort(keys %app, 'schema.js', 'ver.js')), 'concurrent deploys: the live modules are one whole app');
	my $live = value_of("SELECT udf_invoke('ver:who') #>> '{}'");
	like($live, qr/^session \d round $rounds$/, 'concurrent deploys: the live deployment is one of the last round');
	like(value_of("SELECT source FROM udf_module WHERE path = 'ver.js'"), qr/\Q'$live'\E/,
		'concurrent deploys: the loaded code is the code in udf_module');
	is(value_of('SELECT count(*) FROM udf_functions()'), $nfunctions, 'concurrent deploys: udf_functions() lists the whole app');
	is(value_of(q{SELECT count(*) FROM udf_table WHERE relation::text IN ('docs', 'r1', 'r2', 'r3')}), '4',
		'concurrent deploys: every managed table made and registered once');
	is(value_of("SELECT udf_invoke('ver:add')"), '"b"', 'concurrent deploys: the managed table works afterwards');
	server_intact('concurrent deploys', $mark);
	%app6 = (%app, 'schema.js' => $schema_js->($rounds), 'ver.js' => $ver_js->($live));
	$live6 = $live;
}

# ---------------------------------------------------------------- 7. pg_terminate_backend mid-write
{
	my $terminate_case = sub {
		my ($what, $check, %a) = @_;
		my $mark = mark();
		my $deployment = value_of('SELECT max(id) FROM udf_deployment');
		my $c = run_case(action => 'terminate', deadline => 5, %a);
		like($c->{err}, $TERMINATED, "$what: the client is told why");
		ok(!$c->{stuck} && poll_true("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $c->{pid}", 10),
			"$what: the backend ended");
		end_session($c->{s});
		server_intact($what, $mark);
		is(value_of("SELECT udf_invoke('m:ok')"), '"fine"', "$what: a new connection works");
		is(value_of('SELECT max(id) FROM udf_deployment'), $deployment, "$what: the live deployment is unchanged");
		$check->($what);
	};
	$terminate_case->('terminate during a deploy whose module spins at top level',
		sub { is(value_of("SELECT count(*) FROM udf_module WHERE path = 'top.js'"), '0', "$_[0]: no module of it is visible") },
		sql => q{SELECT udf_deploy('{"top.js": "for (;;) {}"}')}, settle => 0.3);

	my $holder = start_session();
	sq($holder, 'BEGIN; LOCK TABLE docs IN ACCESS SHARE MODE');
	$terminate_case->('terminate during a slow schema apply',
		sub {
			my ($what) = @_;
			sq($holder, 'ROLLBACK');
			is(value_of(q{SELECT count(*) FROM pg_attribute WHERE attrelid = 'docs'::regclass AND attname = 'extra'}), '0',
				"$what: the table is not altered");
			is(value_of("SELECT udf_invoke('ver:who') #>> '{}'"), $live6,
				"$what: the previous code is still live");
		},
		sql => deploy_sql({ %app6, 'schema.js' => $schema_js->(3, 1), 'ver.js' => $ver_js->('never') }),
		wait => "wait_event_type = 'Lock'");
	end_session($holder);

	$terminate_case->('terminate during a mutation',
		sub { is(value_of("SELECT count(*) FROM half WHERE v = 'from mutation'"), '0', "$_[0]: its insert is not visible") },
		sql => "SELECT udf_invoke('m:writeThenSpin')", settle => 0.3);
	$terminate_case->('terminate during a trigger',
		sub {
			is(value_of('SELECT count(*) FROM tterm'), '0', "$_[0]: the triggering row is not visible");
			is(value_of("SELECT count(*) FROM half WHERE v = 'from trigger'"), '0', "$_[0]: the trigger's insert is not visible");
		},
		sql => "INSERT INTO tterm (v) VALUES ('row')", settle => 0.3);
}

# ---------------------------------------------------------------- 8. pgbench soak with cancels
{
	my $mark = mark();
	my $dir = $node->basedir . '/soak';
	mkdir $dir or die "mkdir $dir: $!";
	my %scripts = (
		'inc.sql' => "\\set k random(1, 8)\nSELECT udf_invoke('soak:inc', jsonb_build_object('k', :k));\n",
		'get.sql' => "\\set k random(1, 8)\nSELECT udf_invoke('soak:get', jsonb_build_object('k', :k));\n",
		'multi.sql' => "\\set k random(1, 8)\nBEGIN;\nSELECT udf_invoke('soak:inc', jsonb_build_object('k', :k));\n"
		  . "SELECT udf_invoke('soak:work');\nSELECT udf_invoke('soak:inc', jsonb_build_object('k', :k));\nCOMMIT;\n",
		'work.sql' => "SELECT udf_invoke('soak:work');\n",
	);
	my %weight = ('inc.sql' => 4, 'get.sql' => 3, 'multi.sql' => 2, 'work.sql' => 1);
	for my $f (sort keys %scripts)
	{
		open(my $fh, '>', "$dir/$f") or die "$dir/$f: $!";
		print $fh $scripts{$f};
		close $fh;
	}
	my @files = map { ('-f', "$dir/$_\@$weight{$_}") } sort keys %scripts;
	my $ctl = start_session();
	my $cancel_sql = q{SELECT count(*) FILTER (WHERE pg_cancel_backend(pid)) FROM (SELECT pid FROM pg_stat_activity
		WHERE application_name = 'udf-soak' AND state = 'active' ORDER BY random() LIMIT 1) a};
	my ($cancels, $tx, $runs, $stderr) = (0, 0, 0, '');
	my $soak_end = time + 20;
	while (time < $soak_end - 1 && $runs < 10)
	{
		my $secs = int(min(5, $soak_end - time));
		my ($out, $err) = ('', '');
		local $ENV{PGAPPNAME} = 'udf-soak';    # the test framework sets its own name
		my $h = IPC::Run::start([ 'pgbench', '-n', '-h', $node->host, '-p', $node->port, '-c', '16', '-j', '2',
				'-T', $secs, '--max-tries=5', @files, 'postgres' ],
			'>', \$out, '2>', \$err, IPC::Run::timeout($secs + 60));
		$runs++;
		my $next = time + 0.3;
		while (eval { $h->pumpable })
		{
			eval { $h->pump_nb };
			if (time >= $next && $cancels < 200)
			{
				my ($n) = sq($ctl, $cancel_sql);
				$cancels += $n if defined $n && $n =~ /^\d+$/;
				$next = time + 0.1;
			}
			sleep 0.01;
		}
		eval { $h->finish };
		$tx += $1 if $out =~ /number of transactions actually processed: (\d+)/;
		$stderr .= $err;
	}
	end_session($ctl);
	diag(sprintf('soak: %d pgbench runs, %d transactions, %d cancels delivered', $runs, $tx, $cancels));
	cmp_ok($tx, '>', 100, 'soak: pgbench committed transactions');
	cmp_ok($cancels, '>', 10, 'soak: cancels were delivered to running calls');
	my @unexpected = grep { !/ERROR:\s+canceling statement due to user request/ }
	  grep { /ERROR:|FATAL:|PANIC:|server closed|terminated|connection to server/ } split /\n/, $stderr;
	is(scalar(@unexpected), 0, 'soak: every error pgbench saw was PostgreSQL\'s cancel')
	  or diag(join("\n", @unexpected[ 0 .. min(4, $#unexpected) ]));
	my $sum = value_of('SELECT sum(n) FROM counter');
	is($sum, value_of('SELECT count(*) FROM inclog'), 'soak: the counters equal the committed increments');
	is(value_of('SELECT count(*) FROM counter c WHERE n <> (SELECT count(*) FROM inclog l WHERE l.k = c.id)'), '0',
		'soak: ... for every counter');
	note "soak: counters sum to $sum";
	server_intact('soak', $mark);
}

server_intact('the whole suite', $suite_mark);
diag(sprintf('the fault suite took %.0f s', time - $suite_start));
done_testing();
