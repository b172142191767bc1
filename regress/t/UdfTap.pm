# UdfTap.pm -- what udf's TAP tests share: a test app's modules as the SQL
# literal udf_deploy takes, and waiting for a condition on a node.
package UdfTap;

use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use JSON::PP;
use Test::More;
use Time::HiRes qw(time sleep);
use Exporter 'import';

our @EXPORT = qw(app_sql wait_until flaky_table_sql);

my $top = abs_path(dirname(__FILE__) . '/../..');

# The modules of regress/apps/<dir> (leaving out those named in @skip) as a quoted SQL literal.
sub app_sql
{
	my ($dir, @skip) = @_;
	my $json = `node $top/regress/app-json.mjs $top/regress/apps/$dir`;
	die "app-json failed for $dir" if $? || $json eq '';
	if (@skip)
	{
		my $mods = decode_json($json);
		delete $mods->{$_} for @skip;
		$json = encode_json($mods);
	}
	$json =~ s/'/''/g;
	return "'$json'";
}

# Poll until $sql answers 't' in database postgres of $node (at most $timeout s, 60 by default).
sub wait_until
{
	my ($node, $sql, $what, $timeout) = @_;
	my $deadline = time + ($timeout // 60);
	while (time < $deadline)
	{
		my $v = eval { $node->safe_psql('postgres', $sql) } // '';
		return 1 if $v eq 't';
		sleep 0.05;
	}
	diag("timed out waiting for: $what");
	return 0;
}

# SQL making table flaky, whose first two inserts fail with a serialization failure (40001).
sub flaky_table_sql
{
	return q{CREATE SEQUENCE flaky_seq;
     CREATE TABLE flaky (_id text PRIMARY KEY, "_creationTime" float8 NOT NULL, n float8);
     CREATE FUNCTION flaky_fail() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF nextval('flaky_seq') <= 2 THEN
         RAISE EXCEPTION 'simulated serialization failure' USING ERRCODE = '40001';
       END IF;
       RETURN NEW;
     END $$;
     CREATE TRIGGER flaky_fail BEFORE INSERT ON flaky FOR EACH ROW EXECUTE FUNCTION flaky_fail()};
}

1;
