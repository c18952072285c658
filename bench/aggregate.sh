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
	/usr/bin/time -f "cprof-raw --no-symbolize (all lines to /dev/null): %e s, peak RSS %M KiB" \
		"$BUILD/bin/cprof-raw" --no-symbolize "$dir/big.cprof" > /dev/null
fi
