# shared_preload_libraries = 'udf': the library loads once in the postmaster,
# which starts no V8 and no thread; backends start V8 themselves, and calls,
# cancels and crashes behave as without preloading.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'udf'\n");
$node->start;

my $postmaster = (split /\n/, slurp_file($node->data_dir . '/postmaster.pid'))[0];
like(slurp_file("/proc/$postmaster/status"), qr/^Threads:\s+1$/m, 'the postmaster has no threads of V8');

$node->safe_psql('postgres', 'CREATE EXTENSION udf');
$node->safe_psql('postgres', q{SELECT udf_deploy('{"b.js": "import { query } from \"./_generated/server\";\nexport const inc = query(() => 1);\nexport const spin = query(() => { while (true) {} });"}')});
is($node->safe_psql('postgres', q{SELECT udf_invoke('b:inc')}), '1', 'a call works with the library preloaded');

my @first;
for (1 .. 5)
{
	my $out = $node->safe_psql('postgres', q{EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) SELECT udf_invoke('b:inc')});
	push @first, $1 if $out =~ /Execution Time: ([0-9.]+) ms/;
}
@first = sort { $a <=> $b } @first;
diag(sprintf('first call in a fresh backend with shared_preload_libraries: median %.1f ms', $first[2]));

my ($rc, $out, $err) = $node->psql('postgres', q{SET statement_timeout = '200ms'; SELECT udf_invoke('b:spin')});
like($err, qr/canceling statement due to statement timeout/, 'statement_timeout still stops a loop');
is($node->safe_psql('postgres', q{SELECT udf_invoke('b:inc')}), '1', 'and calls go on');
like(slurp_file("/proc/$postmaster/status"), qr/^Threads:\s+1$/m, 'the postmaster still has no threads');
$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');
done_testing();
