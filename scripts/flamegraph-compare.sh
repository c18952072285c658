#!/bin/sh
# flamegraph-compare.sh FLAMEGRAPH_DIR [BUILD_DIR]
#
# Runs FlameGraph's own test suite (test/*.txt with each option of its
# test.sh) through cprof-fold and stackcollapse-perf.pl and compares the
# outputs line for line after sorting; then renders every folded file of
# test/results with cprof-flame and flamegraph.pl and compares the totals
# each shows in its root frame's title, "all (N samples, 100%)" (a fractional
# total: flamegraph.pl's is cprof-flame's exact one rounded).
#
# Not run by make check: FlameGraph's files are not part of this project.
# Get a checkout with: git clone https://github.com/brendangregg/FlameGraph
set -u
fg=${1:?usage: flamegraph-compare.sh FLAMEGRAPH_DIR [BUILD_DIR]}
build=${2:-$(dirname "$0")/../build}
fold=$build/bin/cprof-fold
flame=$build/bin/cprof-flame
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for opt in pid tid kernel jit all addrs; do
	for t in "$fg"/test/*.txt; do
		perl "$fg/stackcollapse-perf.pl" --"$opt" "$t" 2>/dev/null | LC_ALL=C sort >"$tmp/want"
		if "$fold" --"$opt" "$t" 2>"$tmp/err" | LC_ALL=C sort >"$tmp/got" &&
		   cmp -s "$tmp/want" "$tmp/got"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
			echo "DIFFER: $(basename "$t") --$opt: $(diff "$tmp/want" "$tmp/got" | grep -c '^[<>]') lines; $(head -c 200 "$tmp/err")"
		fi
	done
done
echo "stackcollapse-perf.pl cases: $pass equal, $fail differ"

# totals: flamegraph.pl's "all" frame against cprof-flame's
tpass=0 tfail=0
for f in "$fg"/test/results/*.txt; do
	want=$(perl "$fg/flamegraph.pl" "$f" 2>/dev/null |
		sed -n 's/.*<title>all (\([0-9.,]*\) samples.*/\1/p' | head -1 | tr -d ,)
	got=$("$flame" "$f" 2>"$tmp/err" |
		sed -n 's/.*<title>all (\([0-9.,]*\) samples.*/\1/p' | head -1 | tr -d ,)
	if [ -n "$want" ] && [ -n "$got" ] &&
	   awk -v w="$want" -v g="$got" 'BEGIN { d = w - g; exit !(w == g || d * d <= 0.25) }'; then
		tpass=$((tpass + 1))
	else
		tfail=$((tfail + 1))
		echo "TOTAL DIFFERS: $(basename "$f"): flamegraph.pl $want, cprof-flame ${got:-none} $(head -c 200 "$tmp/err")"
	fi
done
echo "flame graph totals: $tpass equal, $tfail differ"
[ "$fail" -eq 0 ] && [ "$tfail" -eq 0 ]
