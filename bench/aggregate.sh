#!/bin/sh
# bench/aggregate.sh BUILD N — raw -> model -> aggregate on a synthetic
# N-sample raw file (1000 stacks of depth 16, 4 threads), without
# symbolization. Goal (issue 3): >= 20M samples/s aggregation.
set -eu
BUILD=${1:-build}
N=${2:-10000000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$BUILD/bench/aggregate-gen" -n "$N" --stacks 1000 --depth 16 --threads 4 -o "$dir/big.cprof"
echo "raw file: $N samples, $(du -m "$dir/big.cprof" | cut -f1) MiB"
"$BUILD/bench/aggregate-bench" "$dir/big.cprof" 3
if [ -x "$BUILD/bin/cprof-raw" ]; then
	/usr/bin/time -f "cprof-raw --no-symbolize (all lines to /dev/null): %U s user, %S s sys, peak RSS %M KiB" \
		"$BUILD/bin/cprof-raw" --no-symbolize "$dir/big.cprof" > /dev/null
fi

# Side by side with the classic peer: aggregating the same samples as
# per-sample folded lines ("stack 1"), the way flamegraph.pl and
# stackcollapse users do with awk, versus cprof-fold on the folded file and
# on the raw file. 1M samples (the folded text is ~200 bytes a sample).
if [ -x "$BUILD/bin/cprof-fold" ] && [ -x "$BUILD/bin/cprof-raw" ]; then
	P=${PEER_N:-1000000}
	"$BUILD/bench/aggregate-gen" -n "$P" --stacks 1000 --depth 16 --threads 4 -o "$dir/peer.cprof"
	"$BUILD/bin/cprof-raw" --no-symbolize "$dir/peer.cprof" | awk '!/^#/ { print $NF, 1 }' > "$dir/peer.folded"
	# CPU seconds (user + system) and peak RSS: the build machine is shared,
	# so wall time would mostly measure the neighbours
	t() { /usr/bin/time -f "%U %S %M" "$@" 2>&1 >/dev/null | tail -1 | awk '{ printf "%.2f %d", $1 + $2, $3 }'; }
	awk_t=$(t awk '{ c[$1] += $2 } END { for (s in c) print s, c[s] }' "$dir/peer.folded")
	fold_t=$(t "$BUILD/bin/cprof-fold" "$dir/peer.folded")
	raw_t=$(t "$BUILD/bin/cprof-fold" --no-symbolize "$dir/peer.cprof")
	echo "aggregate $P samples (CPU s, peak RSS KiB):"
	echo "  awk on per-sample folded lines   $awk_t"
	echo "  cprof-fold on the same folded    $fold_t"
	echo "  cprof-fold on the raw file       $raw_t"
	awk -v a="${awk_t% *}" -v f="${fold_t% *}" -v r="${raw_t% *}" 'BEGIN {
		printf "  ratio awk / cprof-fold(folded) = %.2f, awk / cprof-fold(raw) = %.2f\n",
			a / (f > 0 ? f : 0.001), a / (r > 0 ? r : 0.001) }'
fi
