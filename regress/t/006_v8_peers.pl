# Another V8 embedder in the same backend: V8 starts once per process, so
# whichever of udf and the other library starts it second gets an ERROR (not
# V8's fatal error and a server restart), and that session goes on. The other
# library is regress/v8peer, built here with g++ against the same
# libnode.so.108 and used by absolute path (nothing is installed), and plv8
# too if it is installed. Each session() is a fresh backend.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use File::Basename qw(dirname);
use Cwd qw(abs_path);

my $top = abs_path(dirname(__FILE__) . '/../..');
my $libnode = "$top/.deps/libnode/usr";
sub pg_config { my $v = `pg_config --$_[0]`; chomp $v; return $v; }

my $peer = PostgreSQL::Test::Utils::tempdir() . '/v8peer.so';
system_or_bail('g++', '-std=c++17', '-fPIC', '-shared', '-fno-rtti',
	'-I' . pg_config('includedir-server'), "-I$libnode/include/node",
	"$top/regress/v8peer/v8peer.cc", '-o', $peer,
	"-L$libnode/lib/x86_64-linux-gnu", '-l:libnode.so.108', '-Wl,-rpath,' . pg_config('pkglibdir'));

my $node = PostgreSQL::Test::Cluster->new('v8_peers');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION udf');
$node->safe_psql('postgres', q{SELECT udf_deploy('{"a.js": "import { query } from \"./_generated/server\";\nexport const one = query(() => 1);"}')});
# (checking a C function loads its library, so this backend starts the peer's V8)
$node->safe_psql('postgres', "CREATE FUNCTION v8peer_start() RETURNS text AS '$peer' LANGUAGE C");

# statements in one backend, going on after errors: (stdout, stderr)
sub session
{
	my ($rc, $out, $err) = $node->psql('postgres', join('', map { "$_;\n" } '\set VERBOSITY default', @_),
		on_error_stop => 0);
	return ($out, $err);
}
my $udf_refused = qr/ERROR:  udf cannot start V8: another library in this backend \(plv8\?\) already started it\n.*DETAIL:  V8 can be started only once per process\.\n.*HINT:  Use udf and plv8 in separate sessions\./;
sub peer_refused
{
	my ($lib) = @_;
	return qr/ERROR:  \Q$lib\E cannot start V8: udf already started it in this backend\n.*DETAIL:  V8 can be started only once per process\.\n.*HINT:  Use udf and \Q$lib\E in separate sessions\./;
}
sub count_of { my ($re, $s) = @_; my $n = () = $s =~ /$re/g; return $n; }

my ($out, $err) = session('SELECT v8peer_start()', q{SELECT udf_invoke('a:one')},
	q{SELECT udf_invoke('a:one')}, q{SELECT v8peer_start() || ' alive'});
is($out, "42\n42 alive", 'the peer first: its V8 runs before and after udf is refused');
is(count_of($udf_refused, $err), 2, 'the peer first: udf raises a clear ERROR each time');

($out, $err) = session(q{SELECT udf_invoke('a:one')}, 'SELECT v8peer_start()', 'SELECT v8peer_start()',
	q{SELECT udf_invoke('a:one'), 'alive'});
is($out, "1\n1|alive", 'udf first: udf runs before and after the peer is refused');
is(count_of(peer_refused('v8peer'), $err), 2, 'udf first: the peer\'s _PG_init raises the same clear ERROR each time');

($out, $err) = session(q{LOAD 'udf'}, 'SELECT v8peer_start()', q{SELECT udf_invoke('a:one')}, q{SELECT 'alive'});
is($out, "42\nalive", 'udf loaded but not started: the peer starts V8, then udf is refused');
like($err, $udf_refused, 'with the clear ERROR');

SKIP:
{
	skip 'plv8 is not installed', 4 unless -e pg_config('sharedir') . '/extension/plv8.control';
	$node->safe_psql('postgres', 'CREATE EXTENSION plv8');
	my $do = q{DO $$ plv8.elog(NOTICE, 'plv8 says ' + 6 * 7) $$ LANGUAGE plv8};
	($out, $err) = session($do, q{SELECT udf_invoke('a:one')}, $do, q{SELECT 'alive'});
	is(count_of(qr/NOTICE:  plv8 says 42/, $err), 2, 'plv8 first: plv8 runs before and after udf is refused');
	like($err, $udf_refused, 'plv8 first: udf raises a clear ERROR');
	($out, $err) = session(q{SELECT udf_invoke('a:one')}, $do, $do, q{SELECT udf_invoke('a:one'), 'alive'});
	is($out, "1\n1|alive", 'udf first: udf runs before and after plv8 is refused');
	my $lib = $node->safe_psql('postgres', q{SELECT regexp_replace(probin, '^.*/', '') FROM pg_proc WHERE proname = 'plv8_call_handler'});
	is(count_of(peer_refused($lib), $err), 2, 'udf first: plv8 raises the same clear ERROR each time');
}

$node->stop;
my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no backend crashed');
unlike($log, qr/reinitializing|Fatal error in|Wrong initialization order/, 'no V8 fatal error, and the postmaster never restarted the backends');
done_testing();
