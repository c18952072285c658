#!/bin/sh
# bench/html.sh BUILD [NSAMPLES NSTACKS NTHREADS]: cprof-html's report at
# scale. A synthetic raw-like profile (bench/html_gen.c: default 1M samples,
# 100k distinct stacks, 8 threads) is written as the HTML report, as
# speedscope JSON and as pprof; the report is opened in headless Chromium
# (bench/html.js: open time, timeline zoom, range selection, flame zoom,
# search), beside the peer cprof-flame's SVG of the same profile.
set -eu
B=${1:-build}
N=${2:-1000000}
K=${3:-100000}
TH=${4:-8}
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench-html.XXXXXX")
trap 'rm -rf "$d"' EXIT INT TERM

ms() { date +%s%N | cut -c1-13; }
size() { wc -c < "$1" | awk '{ printf "%.1f MiB", $1 / 1048576 }'; }

echo "== cprof-html at scale: $N samples, $K distinct stacks, $TH threads"
t0=$(ms)
"$B/bench/html_gen" "$N" "$K" "$TH" "$d/big.html" "$d/big.speedscope.json" "$d/big.pb.gz"
t1=$(ms)
echo "generate model + write report/speedscope/pprof: $((t1 - t0)) ms"
t0=$(ms); "$B/bin/cprof-html" "$d/big.pb.gz" -o "$d/from-pprof.html" 2>/dev/null; t1=$(ms)
echo "cprof-html on the pprof file (no timeline): $((t1 - t0)) ms"
t0=$(ms); "$B/bin/cprof-flame" --value cpu "$d/big.pb.gz" > "$d/big.svg" 2>/dev/null; t1=$(ms)
echo "peer cprof-flame (SVG) on the same pprof file: $((t1 - t0)) ms"
echo "sizes: report $(size "$d/big.html") (with every sample and its time) | speedscope JSON $(size "$d/big.speedscope.json") | pprof.gz $(size "$d/big.pb.gz") | cprof-flame SVG $(size "$d/big.svg")"
awk -v a="$(wc -c < "$d/big.html")" -v b="$(wc -c < "$d/big.speedscope.json")" \
	'BEGIN { printf "ratio: report / speedscope JSON size = %.2f\n", a / b }'
cd "$here/../tests/web"
node "$here/html.js" "$d/big.html" "$d/big.svg"
