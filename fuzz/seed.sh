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
# Keys of small order (issue 10): lockbox refuses them, the age crate does
# not. Ed25519 and X25519 points of small order (libsodium's blocklists,
# each also with the top bit set), as ssh-ed25519 lines, age1 strings and
# the X25519 half of a post-quantum recipient; an OpenSSH private key whose
# stored public key is of small order (its recipient is refused); ssh-rsa
# keys with exponent 1 and 2 or a number of zero bytes (and an OpenSSH
# private key with one); an ssh-ed25519 key that is no point (y = 2).
# To both targets: the recipients target parses every line, the identity
# target refuses the lines and parses the private key.
perl -MMIME::Base64 -e '
use strict; use warnings;
my ($out, $pq) = @ARGV;
my @ed = qw(
  0000000000000000000000000000000000000000000000000000000000000000
  0100000000000000000000000000000000000000000000000000000000000000
  26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05
  c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a
  ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f
  edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f
  eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f);
my @x = qw(
  0000000000000000000000000000000000000000000000000000000000000000
  0100000000000000000000000000000000000000000000000000000000000000
  e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800
  5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157
  ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f
  edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f
  eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f);
sub both { map { my $k = pack("H*", $_); ($k, substr($k, 0, 31) . chr(ord(substr($k, 31)) | 0x80)) } @_ }
sub str { pack("N", length $_[0]) . $_[0] }
sub b64 { encode_base64($_[0], "") }
my @CH = split //, "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
my %V; @V{@CH} = 0 .. 31;
my @G = (0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3);
sub polymod { my $c = 1; for my $v (@_) { my $b = $c >> 25; $c = (($c & 0x1ffffff) << 5) ^ $v;
  for my $i (0 .. 4) { $c ^= $G[$i] if ($b >> $i) & 1 } } $c }
sub regroup { my ($from, $to, $pad, @in) = @_; my ($acc, $bits, @o) = (0, 0);
  for (@in) { $acc = (($acc << $from) | $_) & 0xffff; $bits += $from;
    while ($bits >= $to) { $bits -= $to; push @o, ($acc >> $bits) & ((1 << $to) - 1) } }
  push @o, ($acc << ($to - $bits)) & ((1 << $to) - 1) if $pad && $bits; @o }
# Bech32 without the length limit, as age.
sub bech32 { my ($hrp, $data) = @_; my @d = regroup(8, 5, 1, unpack "C*", $data);
  my @h = ((map { ord($_) >> 5 } split //, $hrp), 0, (map { ord($_) & 31 } split //, $hrp));
  my $pm = polymod(@h, @d, (0) x 6) ^ 1;
  $hrp . "1" . join "", map { $CH[$_] } @d, map { ($pm >> 5 * (5 - $_)) & 31 } 0 .. 5 }
sub unbech32 { my ($s) = @_; $s =~ s/^.*1//; my @d = map { $V{$_} } split //, $s;
  pack "C*", regroup(5, 8, 0, @d[0 .. $#d - 6]) }
my @lines;
push @lines, "ssh-ed25519 " . b64(str("ssh-ed25519") . str($_)) . " low-order" for both(@ed);
push @lines, bech32("age", $_) for both(@x);
my $pk = unbech32($pq);
die "pq recipient: " . length($pk) . " bytes" unless length($pk) == 1216;
push @lines, bech32("age1pq", substr($pk, 0, 1184) . $_) for both(@x[0, 2]);
my $n = "\x00\xc5" . ("\x5a" x 254) . "\x5b";
push @lines, "ssh-rsa " . b64(str("ssh-rsa") . str($_) . str($n)) . " exponent" for "\x01", "\x02";
push @lines, "ssh-ed25519 " . b64(str("ssh-ed25519") . str("\x02" . "\x00" x 31)) . " no-point";
# A number of zero bytes, which the age crate read past its end (a crash
# the recipients target found).
push @lines, "ssh-rsa " . b64(str("ssh-rsa") . str("\x00")) . " zero";
my $all = join("\n", @lines) . "\n";
for my $t ("recipients", "identity") {
  open(my $f, ">", "$out/$t/low-order") or die $!; print $f $all; close $f;
  my $i = 0;
  for (@lines) { open(my $g, ">", sprintf("%s/%s/low-order-%02d", $out, $t, $i++)) or die $!; print $g "$_\n"; close $g }
}
# An unencrypted OpenSSH private key whose public key is of small order.
my ($low) = both($ed[2]);
my $priv = "ZZZZZZZZ" . str("ssh-ed25519") . str($low) . str(("\x09" x 32) . $low) . str("low-order");
$priv .= chr($_) for 1 .. (8 - length($priv) % 8) % 8;
my $key = "openssh-key-v1\x00" . str("none") . str("none") . str("") . pack("N", 1)
  . str(str("ssh-ed25519") . str($low)) . str($priv);
# And an RSA one whose private exponent is a number of zero bytes.
my $rpriv = "ZZZZZZZZ" . str("ssh-rsa") . str($n) . str("\x01\x00\x01") . str("\x00\x00")
  . str("\x01") x 3 . str("zero");
$rpriv .= chr($_) for 1 .. (8 - length($rpriv) % 8) % 8;
my $rkey = "openssh-key-v1\x00" . str("none") . str("none") . str("") . pack("N", 1)
  . str(str("ssh-rsa") . str("\x01\x00\x01") . str($n)) . str($rpriv);
for (["openssh-low-order", $key], ["openssh-rsa-zero", $rkey]) {
  (my $pem = b64($_->[1])) =~ s/(.{70})/$1\n/g;
  $pem =~ s/\n$//;
  open(my $f, ">", "$out/identity/$_->[0]") or die $!;
  print $f "-----BEGIN OPENSSH PRIVATE KEY-----\n$pem\n-----END OPENSSH PRIVATE KEY-----\n"; close $f;
}
' "$out" "$(cat ../tests/data/pq-kat/spec-recipient.txt)"
echo "seeds: $(find "$out" -type f | wc -l) files in $(cd "$out" && echo */ | tr -d /)"
