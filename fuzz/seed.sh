#!/usr/bin/env bash
# Writes seed corpora for the fuzz targets into fuzz/seeds/TARGET, from the
# CCTV vectors in tests/data/age-vectors (the vector's own header, up to
# the first blank line, stripped; `compressed: zlib` bodies inflated) and
# the post-quantum known answers. Fast (well under a second) and
# deterministic, so CI regenerates the seeds instead of committing them.
set -euo pipefail
cd "$(dirname "$0")"
out=seeds
rm -rf "$out"
mkdir -p "$out"/{header,armor,stream,identity,recipients,open}

if ! perl -MCompress::Zlib -e 1 2>/dev/null; then
    echo "seed.sh: needs perl with Compress::Zlib (Debian: apt-get install perl)" >&2
    exit 1
fi

perl -MCompress::Zlib -e '
use strict; use warnings;
my ($out, @files) = @ARGV;
sub put { my ($dir, $name, $data) = @_;
  open(my $f, ">:raw", "$out/$dir/$name") or die "$out/$dir/$name: $!";
  print $f $data; close $f; }
for my $path (@files) {
  (my $name = $path) =~ s{.*/}{};
  next if $name =~ /^(README|UPSTREAM)/;
  open(my $f, "<:raw", $path) or die "$path: $!"; local $/; my $all = <$f>; close $f;
  my $at = index($all, "\n\n"); die "$path: no blank line" if $at < 0;
  my ($head, $body) = (substr($all, 0, $at), substr($all, $at + 2));
  my %h; my @ids;
  for (split /\n/, $head) { my ($k, $v) = split /: /, $_, 2;
    push @ids, $v if $k eq "identity"; $h{$k} = $v; }
  if (($h{compressed} // "") eq "zlib") {
    $body = uncompress($body) // die "$path: bad zlib"; }
  put("open", $name, $body);
  put("header", $name, $body);
  put("armor", $name, $body) if $body =~ /^\s*-----BEGIN/;
  # The stream target uses the "YELLOW SUBMARINE" file key of most vectors.
  if (($h{"file key"} // "") eq "59454c4c4f57205355424d4152494e45") {
    my $end = index($body, "\n--- ");
    if ($end >= 0 && $body !~ /^\s*-----BEGIN/) {
      my $nl = index($body, "\n", $end + 1);
      put("stream", $name, substr($body, $nl + 1)) if $nl >= 0;
    }
  }
  if (@ids) {
    put("identity", $name, "# created: 2024-01-01T00:00:00Z\n# public key: age1...\n" . join("\n", @ids) . "\n");
  }
  # A passphrase-sealed file as a (protected) identity file; the fuzz
  # target answers "password", the vectors'\'' passphrase.
  put("identity", $name, $body) if $name =~ /^(armor_)?scrypt$/;
}
' "$out" ../tests/data/age-vectors/*

for f in ../tests/data/pq-kat/*identity*.txt; do
    cp "$f" "$out/identity/pq-$(basename "$f")"
done
for f in ../tests/data/pq-kat/*recipient*.txt; do
    cp "$f" "$out/recipients/pq-$(basename "$f")"
done
# Recipients of every type lockbox parses, with comments and blank lines.
# The X25519 one is the vectors' identity's recipient.
cat > "$out/recipients/mixed" <<'RECIPIENTS'
# a comment
age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef

ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEO7NvmYB1EFWmqCLc+Xc4Jckxy1dV4TR39gHq1JL7Te fuzz
age1lockboxtest1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0spwxcr7
RECIPIENTS
printf 'age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef\r\n' > "$out/recipients/crlf"
echo "seeds: $(find "$out" -type f | wc -l) files in $(cd "$out" && echo */ | tr -d /)"
