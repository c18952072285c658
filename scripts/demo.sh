#!/bin/sh
# make demo: record samples/abc and show the same run raw and aggregated.
# Usage: scripts/demo.sh BUILD_DIR
set -eu
B=${1:-build}
bin=$B/bin
out=$B/demo
mkdir -p "$out"
say() { printf '\n== %s\n' "$*"; }

say "1. Record: cprof-record -F 100 -o $out/abc.cprof -- $B/samples/abc 2"
"$bin/cprof-record" -F 100 -o "$out/abc.cprof" -- "$B/samples/abc" 2

say "2. The raw view: every sample in time order (cprof-raw -n 12)"
"$bin/cprof-raw" -n 12 "$out/abc.cprof"

say "   ... and as a timeline, one column per sample (cprof-raw --timeline --to 600ms)"
"$bin/cprof-raw" --timeline --to 600ms "$out/abc.cprof"

say "3. The same samples aggregated by stack (cprof-top --by stack)"
"$bin/cprof-top" --by stack "$out/abc.cprof"

say "   ... by function, like go tool pprof -top (cprof-top)"
"$bin/cprof-top" "$out/abc.cprof"

say "4. Folded stacks for flamegraph.pl (cprof-fold)"
"$bin/cprof-fold" "$out/abc.cprof"

"$bin/cprof-pprof" "$out/abc.cprof" -o "$out/abc.pb.gz"
"$bin/cprof-flame" --title "samples/abc" "$out/abc.cprof" -o "$out/abc.svg"
"$bin/cprof-html" "$out/abc.cprof" -o "$out/abc.html"
say "5. Files to open"
echo "  $out/abc.svg      interactive flame graph (any browser)"
echo "  $out/abc.html     report: timeline, flame graph, top and stack tables, linked"
echo "  $out/abc.pb.gz    pprof: go tool pprof -top $out/abc.pb.gz"
