# The HTTP endpoint on a real cluster with udf preloaded, driven by curl on
# loopback: uploads through generated URLs (single use, expiring, unforgeable),
# file downloads (type, length, ETag, ranges, checksum with sha256sum), delete
# and rollback, HTTP action routes (exact, prefix, 404, method mismatch), JSON
# and binary bodies, headers, a throwing handler (500, stack only in the log),
# the handler's role (only what it was granted), udf_http from SQL, body
# limits, streamed responses (chunks on the wire while the handler awaits,
# the 20 MiB cut-off, a failing stream, a client that leaves mid-stream), a
# Stripe-style webhook checked with an HMAC signature, 50 concurrent
# requests over two workers, a slow handler that does
# not block the other worker, pg_cancel_backend of a running handler,
# clients that disconnect or dawdle, and kill -9 of a worker.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);
use File::Basename qw(dirname);
use Cwd qw(abs_path);
use JSON::PP;
use IO::Socket::INET;
use Socket;
use FindBin;
use lib $FindBin::Bin;
use UdfTap;

my $top = abs_path(dirname(__FILE__) . '/../..');

# a free port of the range this suite may use: below Linux's ephemeral ports (32768-60999), where a client that connects before the server listens can meet itself on the port and keep the server from binding it
my $port;
for my $p (18750 .. 18799)
{
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $p, Proto => 'tcp', ReuseAddr => 0);
	if ($s) { close $s; $port = $p; last; }
}
die "no free port in 18750-18799" unless $port;
my $base = "http://127.0.0.1:$port";

my $node = PostgreSQL::Test::Cluster->new('http');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'udf'
udf.http_port = $port
udf.http_workers = 2
udf.http_timeout = 2
udf.http_max_body_size = '64kB'
udf.http_max_upload_size = '4MB'
restart_after_crash = on
});
$node->start;

sub q1 { return $node->safe_psql('postgres', $_[0]); }
sub app { return app_sql(@_); }
# curl: [status, body, headers]
sub http
{
	my (@args) = @_;
	my $hdr = "$PostgreSQL::Test::Utils::tmp_check/h.$$";
	my $out = `curl -s -S -D $hdr -w '\\n%{http_code}' @args`;
	my ($body, $code) = $out =~ /\A(.*)\n(\d+)\z/s;
	my $h = slurp_file($hdr);
	return ($code // 0, $body // '', $h);
}
sub wait_listening
{
	my $deadline = time + 30;
	while (time < $deadline)
	{
		my ($code) = http("$base/api/storage/x");
		return 1 if $code == 404;
		sleep 0.1;
	}
	return 0;
}

q1("CREATE EXTENSION udf; CREATE EXTENSION pgcrypto;");
q1("SELECT udf_deploy(" . app('storage') . ")");
ok(wait_listening(), 'the endpoint listens once udf is installed');

# ---------------------------------------------------------------- uploads and files
my $file = "$PostgreSQL::Test::Utils::tmp_check/upload.bin";
system("head -c 1000000 /dev/urandom > $file") == 0 or die;
my ($want_sha) = split ' ', `sha256sum $file`;
my $url = q1(q{SELECT udf_invoke('files:uploadUrl') #>> '{}'});
like($url, qr{^\Q$base\E/api/storage/upload\?token=}, 'generateUploadUrl builds on the endpoint');
my ($code, $body) = http('-X', 'POST', '-H', "'Content-Type: image/png'", '--data-binary', "\@$file", "'$url'");
is($code, 200, 'upload accepted');
my $id = decode_json($body)->{storageId};
ok($id, 'the answer is {"storageId": ...}');
($code, $body) = http('-X', 'POST', '--data-binary', "\@$file", "'$url'");
is($code, 403, 'an upload URL works once');
like($body, qr/already used/, '... and says so');

my $geturl = q1("SELECT udf_invoke('files:meta', jsonb_build_object('id', '$id')) ->> 'url'");
is($geturl, "$base/api/storage/$id", 'getUrl points at the endpoint');
my $down = "$PostgreSQL::Test::Utils::tmp_check/down.bin";
my $h;
($code, undef, $h) = http('-o', $down, $geturl);
is($code, 200, 'download');
my ($got_sha) = split ' ', `sha256sum $down`;
is($got_sha, $want_sha, 'the bytes are the uploaded ones (sha256sum)');
like($h, qr/^Content-Type: image\/png\r$/mi, 'content type kept');
like($h, qr/^Content-Length: 1000000\r$/mi, 'Content-Length');
my ($etag) = $h =~ /^ETag: (\S+)\r$/mi;
is($etag, '"' . q1("SELECT sha256 FROM _storage WHERE _id = '$id'") . '"', 'ETag is the sha256');
($code) = http('-H', "'If-None-Match: $etag'", $geturl);
is($code, 304, 'If-None-Match answers 304');
($code, $body, $h) = http('-H', "'Range: bytes=100-109'", $geturl);
is($code, 206, 'range request');
is($body, substr(slurp_file($file), 100, 10), 'range bytes');
like($h, qr{^Content-Range: bytes 100-109/1000000\r$}mi, 'Content-Range');
($code, $body) = http('-H', "'Range: bytes=-5'", $geturl);
is($body, substr(slurp_file($file), -5), 'suffix range');
($code) = http('-H', "'Range: bytes=2000000-'", $geturl);
is($code, 416, 'unsatisfiable range');
like($h, qr/^Access-Control-Allow-Origin: \*\r$/mi, 'files are for any origin');
($code, undef, $h) = http('-X', 'OPTIONS', '-H', "'Origin: https://app.example'", '-H', "'Access-Control-Request-Method: POST'",
	"'$base/api/storage/upload?token=x'");
is($code, 204, 'a CORS preflight of an upload');
like($h, qr/^Access-Control-Allow-Methods: POST\r$/mi, '... allows POST');
($code) = http('-X', 'DELETE', $geturl);
is($code, 405, 'files are GET only');
($code) = http("$base/api/storage/..%2F..%2Fetc%2Fpasswd");
is($code, 404, 'a path is no file');

# expired and forged tokens: made with the database's secret, as storage.c signs them
my $expired = q1(q{
	WITH p AS (SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.' || (extract(epoch FROM now())::bigint - 10) AS payload)
	SELECT payload || '.' || encode(substring(hmac('upload:' || payload, (SELECT key FROM udf_secret), 'sha256') FROM 1 FOR 16), 'hex') FROM p});
($code, $body) = http('-X', 'POST', '-d', 'x', "'$base/api/storage/upload?token=$expired'");
is($code, 403, 'an expired upload URL is refused');
like($body, qr/expired/, '... as expired');
(my $forged = q1(q{SELECT udf_invoke('files:uploadUrl') #>> '{}'})) =~ s/\.([0-9a-f])([0-9a-f]{31})$/'.' . ($1 eq '0' ? '1' : '0') . $2/e;
($code, $body) = http('-X', 'POST', '-d', 'x', "'$forged'");
is($code, 403, 'a forged upload URL is refused');
like($body, qr/invalid upload token/, '... as invalid');
($code) = http('-X', 'POST', '-d', 'x', "'$base/api/storage/upload'");
is($code, 400, 'an upload without a token');
my $big = "$PostgreSQL::Test::Utils::tmp_check/big.bin";
system("head -c 5000000 /dev/zero > $big") == 0 or die;
$url = q1(q{SELECT udf_invoke('files:uploadUrl') #>> '{}'});
($code) = http('-X', 'POST', '--data-binary', "\@$big", "'$url'");
is($code, 413, 'an upload over udf.http_max_upload_size');

# delete removes the bytes; a rolled-back store leaves nothing to serve
q1("SELECT udf_invoke('files:remove', jsonb_build_object('id', '$id'))");
($code) = http($geturl);
is($code, 404, 'a deleted file is gone');
my $rolled = $node->safe_psql('postgres', q{
	BEGIN;
	SELECT udf_storage_put('\x01'::bytea);
	ROLLBACK;});
($code) = http("$base/api/storage/$rolled");
is($code, 404, 'a rolled-back store serves nothing');

# ---------------------------------------------------------------- HTTP actions
q1("SELECT udf_deploy(" . app('http') . ")");
($code, $body, $h) = http('-X', 'POST', '-H', "'x-test: abc'", '-d', q{'{"a":[1,2]}'}, "$base/echo");
is($code, 201, 'JSON route: status');
is_deeply(decode_json($body), { got => { a => [ 1, 2 ] }, method => 'POST', agent => 'abc' }, 'JSON body and request header');
like($h, qr/^x-route: echo\r$/mi, 'response header');
($code, $body) = http("$base/files/exact");
is($body, 'exact', 'an exact path beats a prefix');
($code, $body) = http("$base/files/a/b");
is($body, 'prefix /files/a/b', 'prefix route');
($code, $body) = http("'$base/files/deep/x?q=two%20words'");
is($body, 'deep /files/deep/x q=two words', 'the longest prefix wins; the query reaches the handler');
($code, $body) = http("$base/nowhere");
is($code, 404, 'no route: 404');
($code) = http('-X', 'DELETE', "$base/files/exact");
is($code, 404, 'a route of another method: 404');
($code, $body) = http('-X', 'PUT', '--data-binary', "\@$file", "$base/reverse");
is($code, 413, 'a body over udf.http_max_body_size');
my $small = "$PostgreSQL::Test::Utils::tmp_check/small.bin";
system("head -c 5000 /dev/urandom > $small") == 0 or die;
($code, $body) = http('-X', 'PUT', '--data-binary', "\@$small", "$base/reverse");
is($body, scalar reverse(slurp_file($small)), 'binary body in and out');
my $log_pos = -s $node->logfile;
($code, $body) = http("$base/throw");
is($code, 500, 'a throwing handler gives 500');
unlike($body, qr/secret|at http/, 'no message or stack reaches the client');
ok($node->wait_for_log(qr/HTTP action http\.js:GET \/throw failed: Uncaught Error: secret detail/, $log_pos),
	'the error goes to the server log with the route');
like(substr(slurp_file($node->logfile), $log_pos), qr/failed: Uncaught Error: secret detail[^\n]*\n[^\n]*DETAIL:\s+at http\.js:\d+/,
	'... and its stack too');
($code) = http("$base/bad");
is($code, 500, 'a handler that returns no Response gives 500');

# the handler's role has what it was granted, no more
($code) = http('-X', 'POST', '-d', q{'{"body":"n1"}'}, "$base/note");
is($code, 500, 'udf_http may not write a table it was not granted');
q1("GRANT SELECT, INSERT ON http_notes TO udf_http");
($code, $body) = http('-X', 'POST', '-d', q{'{"body":"n1"}'}, "$base/note");
is($code, 200, 'after GRANT it may');
is(q1("SELECT count(*) FROM http_notes"), '1', 'the mutation committed');
($code, $body) = http('-X', 'POST', '-H', "'content-type: text/x-test'", '--data-binary', "'hello'", "$base/store");
my $stored = decode_json($body);
($code, $body, $h) = http($stored->{url});
is($body, 'hello', 'an HTTP action stores a file, served by its getUrl');
like($h, qr{^Content-Type: text/x-test\r$}mi, '... with the request content type');

my $files_before = q1("SELECT count(*) FROM _storage");
($code) = http('-X', 'POST', '-H', "'content-type: text/x-kept'", '--data-binary', "'kept'", "$base/store-then-throw");
is($code, 500, 'an HTTP action that stores a file and then throws');
is(q1("SELECT count(*) - $files_before || ' ' || bool_and(\"contentType\" = 'text/x-kept') FILTER (WHERE size = 4) FROM _storage"), '1 true',
	'... keeps the file, as a Convex action keeps what it did before it failed');

# udf_http from SQL: the same routes, as the calling role
is(q1(q{SELECT status || ' ' || (response_headers ->> 'x-route') || ' ' || convert_from(response_body, 'UTF8')
	FROM udf_http('POST', '/echo', '{"X-Test": "sql"}', '{"b":1}')}),
	'201 echo {"got":{"b":1},"method":"POST","agent":"sql"}', 'udf_http runs a route from SQL');
is(q1(q{SELECT status FROM udf_http('GET', '/nowhere')}), '404', 'udf_http: no route');

# ---------------------------------------------------------------- streamed responses
# a ReadableStream body goes out as it is produced: the first chunk arrives
# while the handler still awaits the 1.5 s timer before the second
{
	my $t_start = time;
	open(my $stream, '-|', 'curl', '-s', '-N', '-i', "$base/stream") or die "curl: $!";
	my (%at, $head);
	while (my $line = <$stream>)
	{
		$head .= $line unless %at;
		$at{$1} = time - $t_start if $line =~ /^(first|second)$/;
	}
	close $stream;
	is($?, 0, 'a streamed response ends cleanly');
	like($head, qr{^HTTP/1\.1 207 }, '... with the handler\'s status');
	like($head, qr/^Transfer-Encoding: chunked\r$/mi, '... chunked');
	like($head, qr/^x-stream: yes\r$/mi, '... and its headers');
	ok(defined $at{first} && $at{first} < 1.0, sprintf('the first chunk arrives before the handler is done (%.2f s)', $at{first} // -1));
	ok(defined $at{second} && $at{second} >= 1.4, sprintf('... the second after its timer (%.2f s)', $at{second} // -1));
}
my $w = `curl -s -N -w ' %{time_starttransfer} %{time_total}' $base/stream-writer`;
my ($wbody, $first_byte, $total) = split ' ', $w;
is($wbody, 'abc', 'a body written by the handler\'s own async code after it returned');
ok($first_byte < 0.5 && $total >= 0.6, "... sent as written (first byte at $first_byte s, end at $total s)");

$log_pos = -s $node->logfile;
my $huge = "$PostgreSQL::Test::Utils::tmp_check/huge.out";
my $got = `curl -s -o $huge -w '%{size_download}' $base/stream-huge`;
is($? >> 8, 18, 'a stream past 20 MiB is cut off (curl: partial transfer)');
ok($got > 0 && $got <= 20 * 1024 * 1024, "... after at most 20 MiB ($got bytes)");
ok($node->wait_for_log(qr/HTTP action http\.js:GET \/stream-huge failed: .*too large/, $log_pos),
	'... and the server log names the route');
$got = `curl -s $base/stream-throw`;
is($? >> 8, 18, 'a stream that errors half way is cut off');
is($got, "partial\n", '... after what it had sent');
ok($node->wait_for_log(qr/HTTP action http\.js:GET \/stream-throw failed: Uncaught Error: the stream broke\n.*DETAIL:\s+at Object\.pull \(http\.js:\d+/, $log_pos),
	'... its error and stack in the server log');

# a client that goes away mid-stream: the stream is canceled, the worker serves on
$log_pos = -s $node->logfile;
$got = `curl -s -N --max-time 0.5 $base/stream-forever`;
is($? >> 8, 28, 'a client leaves an endless stream');
like($got, qr/^tick\n/, '... after its first chunks');
ok($node->wait_for_log(qr/went away during its streamed response/, $log_pos)
	&& $node->wait_for_log(qr/stream-forever canceled/, $log_pos), '... and the stream is canceled');
my $after = `seq 1 8 | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\\n' '$base/files/exact'`;
is(scalar(grep { $_ eq '200' } split /\n/, $after), 8, 'the workers serve on');

# a client slower than the handler holds it back (the handler waits while
# more than 1 MiB is queued) and gets every byte
my $mib = "$PostgreSQL::Test::Utils::tmp_check/mib.out";
$got = `curl -s --limit-rate 4M -o $mib -w '%{http_code} %{size_download}' '$base/stream-mib?n=6'`;
is($? . ' ' . $got, '0 200 6291456', 'a slow client gets all of a 6 MiB stream');
my $pattern = join('', map { chr($_) } 0 .. 255) x 4096;
is(slurp_file($mib), $pattern x 6, '... byte for byte');
# one that stops reading is given up on after udf.http_timeout, and the worker serves on
$log_pos = -s $node->logfile;
my $stalled = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp') or die;
setsockopt($stalled, Socket::SOL_SOCKET(), Socket::SO_RCVBUF(), 65536);
print $stalled "GET /stream-mib?n=19 HTTP/1.1\r\nHost: x\r\n\r\n";
ok($node->wait_for_log(qr/streamed response to GET \/stream-mib took nothing for 2 s; its answer is cut off/, $log_pos), 'a client that stops reading a stream is given up on');
close $stalled;
# a stream keeps its connection: the next request on it is answered
is(`curl -s $base/stream-writer $base/files/exact`, 'abcexact', 'keep-alive after a streamed response');

# from SQL a stream body is read whole, under the same limit
is(q1(q{SELECT status || ' ' || convert_from(response_body, 'UTF8') FROM udf_http('GET', '/stream')}), "207 first\nsecond\n",
	'udf_http reads a stream body whole');
is(q1(q{SELECT status FROM udf_http('GET', '/stream-huge')}), '500', '... and refuses one past 20 MiB');

# ---------------------------------------------------------------- a Stripe-style webhook
# Stripe-Signature: t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">, signed here with python's hmac
# and sent with python's urllib (the good one) or curl
q1("GRANT SELECT, INSERT ON webhook_events TO udf_http");
my $whsec = 'whsec_udf_test_7b1f0c52e9a84d36';
sub stripe_sig
{
	my ($secret, $t, $payload) = @_;
	my $out = `python3 -c 'import hmac, hashlib, sys; print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest())' '$secret' '$t.$payload'`;
	chomp $out;
	return $out;
}
my $event = '{"id":"evt_1","type":"checkout.session.completed","data":{"amount":1200}}';
my $now = int(time);
my $sig = stripe_sig($whsec, $now, $event);
sub hook { return http('-X', 'POST', '-H', "'Stripe-Signature: $_[0]'", '--data-binary', "'$_[1]'", "$base/stripe"); }
# the signed one as Stripe's servers would send it, from python's urllib
my $poster = "$PostgreSQL::Test::Utils::tmp_check/post.py";
open(my $py, '>', $poster) or die;
print $py <<'PY';
import sys, urllib.request, urllib.error
req = urllib.request.Request(sys.argv[1], data=sys.argv[3].encode(), method="POST",
                             headers={"Stripe-Signature": sys.argv[2], "Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req) as r:
        print(r.status, r.read().decode(), end="")
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode(), end="")
PY
close $py;
($code, $body) = split / /, `python3 $poster '$base/stripe' 't=$now,v1=$sig' '$event'`, 2;
is($code, 200, 'a webhook with a good signature is accepted');
is($body, '{"received":true}', '... answered');
is(q1(q{SELECT count(*) FROM webhook_events WHERE "eventId" = 'evt_1'}), '1', '... and its mutation wrote the event');
(my $tampered = $event) =~ s/1200/1/;
($code, $body) = hook("t=$now,v1=$sig", $tampered);
is($code, 400, 'a tampered body is refused');
is($body, 'bad signature', '... as a bad signature');
($code) = hook("t=$now,v1=" . stripe_sig('whsec_someone_else', $now, $event), $event);
is($code, 400, 'a signature with another secret is refused');
($code, $body) = hook("t=" . ($now - 3600) . ",v1=" . stripe_sig($whsec, $now - 3600, $event), $event);
is($code . ' ' . $body, '400 stale signature', 'an old signature is refused (replay)');
($code) = http('-X', 'POST', '--data-binary', "'$event'", "$base/stripe");
is($code, 400, 'no signature at all is refused');
is(q1(q{SELECT count(*) FROM webhook_events}), '1', 'nothing was written for the refused ones');

# ---------------------------------------------------------------- concurrency and bad clients
my $t0 = time;
my $many = `seq 1 50 | xargs -P 25 -I{} curl -s -o /dev/null -w '%{http_code}\\n' '$base/files/n{}'`;
is(scalar(grep { $_ eq '200' } split /\n/, $many), 50, '50 concurrent requests all answered');
# answers go out at once, not at the worker's next poll (200 ms): 30 requests one after another on one connection
my $seq_t0 = time;
my $seq = `curl -s @{[ join ' ', map { "-o /dev/null $base/files/exact" } 1 .. 30 ]} -w '%{http_code}\\n'`;
my $seq_took = time - $seq_t0;
ok(scalar(grep { $_ eq '200' } split /\n/, $seq) == 30 && $seq_took < 3, sprintf('30 requests in a row take %.2f s', $seq_took));

# a slow handler (2 s of JS) holds up its own worker only: of 16 requests
# made meanwhile, those the kernel gives the other worker finish at once
my $pid = fork();
if ($pid == 0) { exec('curl', '-s', '-o', '/dev/null', "$base/slow"); }
sleep 0.2;
my $times = `seq 1 16 | xargs -P 16 -I{} curl -s -o /dev/null -w '%{time_total}\\n' '$base/files/exact'`;
my @quick = grep { $_ < 1.0 } split /\n/, $times;
waitpid($pid, 0);
ok(@quick >= 1, 'requests are served while a handler is slow (' . scalar(@quick) . ' of 16 under 1 s)');

# pg_cancel_backend stops a running handler: its client gets a 500 at once,
# and the worker serves on
my $cancel_t0 = time;
$pid = fork();
if ($pid == 0) { exec("curl -s -o /dev/null -w '%{http_code}' '$base/slow' > $PostgreSQL::Test::Utils::tmp_check/cancel.out"); }
my $canceled = 0;
for (1 .. 100)
{
	$canceled = q1("SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE query = 'udf http: action' AND state = 'active'");
	last if $canceled;
	sleep 0.02;
}
waitpid($pid, 0);
my $cancel_took = time - $cancel_t0;
ok($canceled && $cancel_took < 1.8, "pg_cancel_backend stops a running HTTP action ($cancel_took s)");
is(slurp_file("$PostgreSQL::Test::Utils::tmp_check/cancel.out"), '500', '... which answers 500');
($code, $body) = http("$base/files/exact");
is($body, 'exact', '... and the worker serves on');

# and stops a streaming one: its response is cut off
my $ticks = "$PostgreSQL::Test::Utils::tmp_check/ticks.out";
$pid = fork();
if ($pid == 0) { exec("curl -s -N -o $ticks '$base/stream-forever'; echo \$? > $PostgreSQL::Test::Utils::tmp_check/cancel2.out"); }
# once its first chunk is out (a cancel before that is an ordinary 500)
for (1 .. 100) { last if -s $ticks; sleep 0.05; }
$canceled = 0;
for (1 .. 100)
{
	$canceled = q1("SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE query = 'udf http: action' AND state = 'active'");
	last if $canceled;
	sleep 0.05;
}
waitpid($pid, 0);
ok($canceled, 'pg_cancel_backend of a streaming HTTP action');
is(slurp_file("$PostgreSQL::Test::Utils::tmp_check/cancel2.out"), "18\n", '... cuts its response off');
($code, $body) = http("$base/files/exact");
is($body, 'exact', '... and the worker serves on');

# a client that sends half its body and disconnects
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp') or die;
print $s "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"a\":";
close $s;
# and one that never finishes its headers (slowloris): dropped after udf.http_timeout
my $slowloris = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp') or die;
print $slowloris "GET /files/exact HTTP/1.1\r\nHost: x\r\n";
my $closed_at;
my $started = time;
$slowloris->blocking(1);
my $buf;
my $n = sysread($slowloris, $buf, 100);
$closed_at = time - $started;
ok(defined $n && $closed_at < 10, "a client that never ends its headers is dropped ($closed_at s)");
($code, $body) = http("$base/files/exact");
is($body, 'exact', 'the endpoint survives clients that disconnect or dawdle');

# kill -9 of a worker: PostgreSQL restarts, and the endpoint is back
my $worker = q1("SELECT pid FROM pg_stat_activity WHERE backend_type = 'udf http' LIMIT 1");
ok($worker, 'a worker is a backend of its own');
kill 'KILL', $worker;
sleep 1;
ok(wait_listening(), 'after kill -9 of a worker the endpoint comes back');
($code, $body) = http("$base/files/exact");
is($body, 'exact', '... and serves HTTP actions');

$node->stop;
done_testing();
