#!/usr/bin/env bash
# What signing costs (issue 12): seal and open 1 GiB, signed and unsigned
# back to back, to -o FILE, to standard output (/dev/null, a pipe, a file).
# Prints one line per run: wall seconds, user+system CPU seconds, peak RSS.
#
#   scripts/bench-sign.sh [DIR] [ROUNDS]
#
# DIR (default: a new folder under /tmp) gets 1 GiB of random input, an
# identity and two sealed files; ROUNDS defaults to 3. Needs a release
# build (cargo build --release) and GNU time (/usr/bin/time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-$root/target/release/lockbox}
dir=${1:-$(mktemp -d /tmp/bench-sign.XXXXXX)}
rounds=${2:-3}
mkdir -p "$dir"
cd "$dir"
[ -f in.bin ] || head -c 1073741824 /dev/urandom > in.bin
[ -f id.txt ] || "$B" keygen -q -o id.txt > /dev/null
R=$("$B" keygen -q -y id.txt)
[ -f u.age ] || "$B" seal -q -r "$R" -o u.age in.bin
[ -f s.age ] || "$B" seal -q -r "$R" --sign-with id.txt -o s.age in.bin
t() { /usr/bin/time -f "$1 %e s, cpu %U+%S s, %M KB" sh -c "$2" 2>&1 >/dev/null | tail -1; }
for _ in $(seq "$rounds"); do
  rm -f o.age; t "seal -o unsigned" "$B seal -q -r $R -o o.age in.bin"
  rm -f o.age; t "seal -o signed" "$B seal -q -r $R --sign-with id.txt -o o.age in.bin"
  t "seal >/dev/null unsigned" "$B seal -q -r $R in.bin > /dev/null"
  t "seal >/dev/null signed" "$B seal -q -r $R --sign-with id.txt in.bin > /dev/null"
  t "seal |cat unsigned" "$B seal -q -r $R in.bin | cat > /dev/null"
  t "seal |cat signed" "$B seal -q -r $R --sign-with id.txt in.bin | cat > /dev/null"
  rm -f f.age; t "seal >file unsigned" "$B seal -q -r $R in.bin > f.age"
  rm -f f.age; t "seal >file signed" "$B seal -q -r $R --sign-with id.txt in.bin > f.age"
  rm -f o.bin; t "open -o unsigned" "$B open -q -i id.txt -o o.bin u.age"
  rm -f o.bin; t "open -o signed" "$B open -q -i id.txt -o o.bin s.age"
  t "open >/dev/null unsigned" "$B open -q -i id.txt u.age > /dev/null"
  t "open >/dev/null signed" "$B open -q -i id.txt s.age > /dev/null"
done
rm -f o.age o.bin f.age
