#!/usr/bin/env bash
# Compares lockbox with Go age and rage, side by side in one run, and prints
# one table with lockbox's ratio to each peer. Installs nothing: it tells you
# what is missing and how to get it.
#
#   scripts/bench-peers.sh [--size MiB] [--runs N] [--dir DIR]
#
# Needs: hyperfine, GNU time (/usr/bin/time), Go age (Debian: apt-get install
# age hyperfine time) and rage (cargo install rage --locked --root DIR, then
# put DIR/bin on PATH or pass RAGE=DIR/bin/rage). lockbox is built in release
# mode from this checkout unless LOCKBOX=path is given.
set -euo pipefail

size_mib=1024
runs=5
dir=""
while [ $# -gt 0 ]; do
    case "$1" in
        --size) size_mib=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "bench-peers: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

here=$(cd "$(dirname "$0")/.." && pwd)
missing=()
command -v hyperfine >/dev/null || missing+=("hyperfine (apt-get install hyperfine)")
[ -x /usr/bin/time ] || missing+=("GNU time (apt-get install time)")
AGE=${AGE:-$(command -v age || true)}
AGE_KEYGEN=${AGE_KEYGEN:-$(command -v age-keygen || true)}
RAGE=${RAGE:-$(command -v rage || true)}
[ -n "$AGE" ] && [ -n "$AGE_KEYGEN" ] || missing+=("Go age (apt-get install age)")
[ -n "$RAGE" ] || missing+=("rage (cargo install rage --locked --root ~/rage; then RAGE=~/rage/bin/rage)")
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench-peers: missing, install them first:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
fi
if [ -z "${LOCKBOX:-}" ]; then
    (cd "$here" && cargo build --release --locked -q)
    LOCKBOX=$here/target/release/lockbox
fi

if [ -z "$dir" ]; then
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
cd "$dir"
echo "inputs in $dir" >&2
[ -f big ] && [ "$(stat -c %s big)" -eq $((size_mib * 1048576)) ] \
    || head -c $((size_mib * 1048576)) /dev/urandom > big
printf 'a 20-byte message.\n\n' | head -c 20 > msg
"$AGE_KEYGEN" -o key.txt 2>/dev/null || true
R=$("$AGE_KEYGEN" -y key.txt)

# Sealed inputs for the open benchmarks: each tool opens its own output.
for t in lockbox age rage; do
    case $t in
        lockbox) bin=$LOCKBOX; seal=(seal -r "$R") ;;
        age) bin=$AGE; seal=(-e -r "$R") ;;
        rage) bin=$RAGE; seal=(-e -r "$R") ;;
    esac
    "$bin" "${seal[@]}" -o "big.$t" big
    "$bin" "${seal[@]}" -a -o "big.$t.asc" big
    "$bin" "${seal[@]}" -o "msg.$t" msg
done

results=$(mktemp)
# bench NAME TOOL ARGS...: mean seconds into $results as "NAME TOOL SECONDS RSS_KIB"
bench() {
    local name=$1 tool=$2; shift 2
    local json
    json=$(mktemp)
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$json" "$*" >/dev/null 2>&1 \
        || { echo "bench-peers: '$*' failed" >&2; exit 1; }
    local mean
    mean=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$json")
    local rss
    rss=$( { /usr/bin/time -v "$@" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}')
    echo "$name $tool $mean $rss" >> "$results"
    rm -f "$json"
}

# Interleave the tools per operation, so load from elsewhere hits all alike.
for t in lockbox age rage; do
    case $t in lockbox) bin=$LOCKBOX ;; age) bin=$AGE ;; rage) bin=$RAGE ;; esac
    if [ $t = lockbox ]; then s=(seal -r "$R"); o=(open -i key.txt); else s=(-e -r "$R"); o=(-d -i key.txt); fi
    bench seal $t "$bin" "${s[@]}" -o /dev/null big
    bench open $t "$bin" "${o[@]}" -o /dev/null "big.$t"
    bench seal-armor $t "$bin" "${s[@]}" -a -o /dev/null big
    bench open-armor $t "$bin" "${o[@]}" -o /dev/null "big.$t.asc"
    bench seal-20B $t "$bin" "${s[@]}" -o /dev/null msg
    bench open-20B $t "$bin" "${o[@]}" -o /dev/null "msg.$t"
done

python3 - "$results" "$size_mib" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    name, tool, mean, rss = line.split()
    rows.setdefault(name, {})[tool] = (float(mean), int(rss))
size = int(sys.argv[2]) * 1048576
print(f"{'operation':<12} {'lockbox':>16} {'Go age':>16} {'rage':>16} {'vs age':>7} {'vs rage':>8}  peak RSS MiB (lockbox/age/rage)")
for name in ["seal", "open", "seal-armor", "open-armor", "seal-20B", "open-20B"]:
    r = rows[name]
    def cell(t):
        mean, _ = r[t]
        if name.endswith("20B"):
            return f"{mean*1000:9.2f} ms"
        return f"{size/mean/2**30:8.2f} GiB/s"
    lb, age, rage = (r[t][0] for t in ("lockbox", "age", "rage"))
    rss = "/".join(f"{r[t][1]/1024:.1f}" for t in ("lockbox", "age", "rage"))
    print(f"{name:<12} {cell('lockbox'):>16} {cell('age'):>16} {cell('rage'):>16} {age/lb:6.2f}x {rage/lb:7.2f}x  {rss}")
print("ratios: how many times faster lockbox is (peer time / lockbox time), same run")
PY
