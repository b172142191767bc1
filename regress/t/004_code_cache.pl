# The code cache: compiled module code saved under the module's source hash
# in $PGDATA/udf_code_cache, used by fresh backends, refused and remade when
# damaged, removed when a deploy replaces the module, and off with
# udf.code_cache. Each safe_psql is a fresh backend.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Math::BigInt;

my $node = PostgreSQL::Test::Cluster->new('code_cache');
$node->init;
$node->start;
my $dir = $node->data_dir . '/udf_code_cache';

# a module large enough that compiling it shows
sub deploy
{
	my ($answer) = @_;
	my $js = "import { query } from \"./_generated/server\";\n"
	  . join('', map { "export function h$_(a) { const xs = []; for (let j = 0; j < a; j++) xs.push(j * $_); return xs.join(\",\"); }\n" } 1 .. 300)
	  . "export const f = query(() => h2(3) + \" $answer\");\n";
	(my $json = $js) =~ s/(["\\])/\\$1/g;
	$json =~ s/\n/\\n/g;
	$node->safe_psql('postgres', qq{SELECT udf_deploy(\$m\${"big.js": "$json"}\$m\$)});
}
sub call_with_stats
{
	my ($sql) = @_;
	return $node->safe_psql('postgres', ($sql // '') . q{SELECT udf_invoke('big:f'), udf_info()->'code_cache'->>'hits', udf_info()->'code_cache'->>'misses', udf_info()->'code_cache'->>'rejected', udf_info()->'code_cache'->>'written'});
}
sub cache_files { opendir(my $dh, $dir) or return (); my @f = sort grep { /\.v8cache$/ } readdir $dh; closedir $dh; return @f; }

$node->safe_psql('postgres', 'CREATE EXTENSION udf');
deploy('one');
my $hash = $node->safe_psql('postgres', q{SELECT source_sha256 FROM udf_module WHERE path = 'big.js'});
like($hash, qr/^[0-9a-f]{64}$/, 'udf_module keeps the source hash');

is(call_with_stats(), '"0,2,4 one"|0|1|0|1', 'the first backend compiles from source and writes the cache');
is_deeply([cache_files()], ["$hash.v8cache"], 'one file, named by the source hash');
is(call_with_stats(), '"0,2,4 one"|1|0|0|0', 'a fresh backend compiles from the cache');

# damage the file: V8 refuses it, the module compiles from source, the file is remade
open(my $fh, '+<', "$dir/$hash.v8cache") or die;
binmode $fh;
seek($fh, 40, 0);
print $fh ("\xff" x 64);
close $fh;
is(call_with_stats(), '"0,2,4 one"|0|0|1|1', 'a damaged cache is refused, and made again');
is(call_with_stats(), '"0,2,4 one"|1|0|0|0', 'and the next backend uses the new one');

# a file that is not a cache at all
open($fh, '>', "$dir/$hash.v8cache") or die;
print $fh "not a code cache";
close $fh;
is(call_with_stats(), '"0,2,4 one"|0|0|1|1', 'garbage in the file is refused too');

# a well-formed file whose code V8 itself refuses (not a V8 code cache)
sub fnv1a
{
	my $h = Math::BigInt->new('14695981039346656037');
	my $mask = Math::BigInt->new(2)->bpow(64)->bsub(1);
	for my $c (unpack 'C*', $_[0]) { $h->bxor($c); $h->bmul('1099511628211')->band($mask); }
	my $hex = substr('0' x 16 . $h->as_hex =~ s/^0x//r, -16);
	return pack('V2', hex(substr($hex, 8, 8)), hex(substr($hex, 0, 8)));
}
my $payload = 'x' x 256;
open($fh, '>', "$dir/$hash.v8cache") or die;
binmode $fh;
print $fh 'udfcc001' . fnv1a($payload) . $payload;
close $fh;
is(call_with_stats(), '"0,2,4 one"|0|0|1|1', 'code V8 refuses is dropped and made again');
is(call_with_stats(), '"0,2,4 one"|1|0|0|0', 'and then used');

# a new deployment: the old module's file goes, the new one's comes on first use
deploy('two');
my $hash2 = $node->safe_psql('postgres', q{SELECT source_sha256 FROM udf_module WHERE path = 'big.js'});
isnt($hash2, $hash, 'the new source has another hash');
is_deeply([cache_files()], [], 'the deploy removed the replaced module\'s file');
is(call_with_stats(), '"0,2,4 two"|0|1|0|1', 'the new module compiles from source');
is_deeply([cache_files()], ["$hash2.v8cache"], 'and its file is written');

# off
is(call_with_stats('SET udf.code_cache = off; '), '"0,2,4 two"|0|0|0|0', 'udf.code_cache = off neither reads nor writes');

# a missing folder is made again; a folder that cannot be made leaves the cache in memory
unlink "$dir/$hash2.v8cache";
rmdir $dir;
is(call_with_stats(), '"0,2,4 two"|0|1|0|1', 'with the folder gone, it is made again');
ok(-f "$dir/$hash2.v8cache", 'and the file written');

$node->stop;
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');
done_testing();
