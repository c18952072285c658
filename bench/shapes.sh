#!/bin/sh
# bench/shapes.sh BUILD — cprof-flame and cprof-top on profiles of several
# shapes, each beside its peer on the same input (make bench-shapes):
#   cprof-flame FOLDED > svg      vs  flamegraph.pl FOLDED > svg
#   cprof-top PPROF               vs  go tool pprof -top PPROF
# and beside the I/O floor: reading the input (cat) and writing an output
# of the same size, so "how close to the limit" is a number.
#
# Shapes (fixed seeds, generated here):
#   shared   50k stacks, random walks down a call graph of 3000 functions
#            (long shared prefixes, as real profiles have)
#   random   20k stacks of 33 frames drawn from 80k names (few shared
#            prefixes: ~640k frames to draw)
#   flat     50k distinct leaves directly under main (wide and flat)
#   deep     2000 stacks of a 1000-deep recursion with distinct leaves
#   cxx      5000 stacks of depth 12 with ~430 byte C++ template names
#
# flamegraph.pl is found through FLAMEGRAPH_DIR (a FlameGraph checkout);
# without it, and without go, those columns say "not run".
# Goals (issue 14): >= 100x flamegraph.pl, >= 20x go tool pprof -top.
set -eu
BUILD=${1:-build}
BIN=$BUILD/bin
W=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bench-shapes.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
[ -x /usr/bin/time ] || { echo "bench-shapes: SKIP: needs GNU time (/usr/bin/time)"; exit 0; }
FG=""
if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -f "$FLAMEGRAPH_DIR/flamegraph.pl" ]; then
	FG="$FLAMEGRAPH_DIR/flamegraph.pl"
fi
GO=""
command -v go > /dev/null && GO=go

# cpu R CMD...: user + system seconds of one run of CMD (stdout to $W/out),
# R runs timed together, best of 3 rounds (R = 1: one round, for the slow
# peers; R = -1: three rounds of one run, for go, whose single runs vary
# by half under load)
cpu() {
	r=$1
	shift
	best=""
	rounds="1 2 3"
	[ "$r" -gt 1 ] || rounds=1
	[ "$r" -ge 0 ] || { r=1; rounds="1 2 3"; }
	for i in $rounds; do
		/usr/bin/time -f "%U %S" -o "$W/time" sh -c \
			'n=$1; shift; while [ "$n" -gt 0 ]; do "$@" > "$OUT" 2>/dev/null; n=$((n - 1)); done' \
			sh "$r" "$@"
		t=$(awk -v r="$r" '{ printf "%.4f", ($1 + $2) / r }' "$W/time")
		best=$(awk -v a="$best" -v b="$t" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
	done
	echo "$best"
}
export OUT="$W/out"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf("%.0fx", a / b); else print "-" }'; }

gen() { # gen SHAPE > folded
	case "$1" in
	shared) awk 'BEGIN {
		srand(42); nf = 3000
		for (f = 0; f < nf; f++) { nc[f] = 1 + int(rand() * 6); for (c = 0; c < nc[f]; c++) callee[f, c] = int(rand() * nf) }
		while (n < 50000) {
			d = 6 + int(rand() * 40); f = 0; s = "main"
			for (i = 0; i < d; i++) { f = callee[f, int(rand() * nc[f])]; s = s ";mod" (f % 40) "::func" f }
			if (!(s in seen)) { seen[s] = 1; n++; print s, 1 + int(rand() * 100) }
		} }' ;;
	random) awk 'BEGIN { srand(7)
		for (n = 0; n < 20000; n++) { s = "main"
			for (i = 0; i < 32; i++) s = s ";fn" int(rand() * 80000)
			print s, 1 + int(rand() * 100) } }' ;;
	flat) awk 'BEGIN { srand(3); for (n = 0; n < 50000; n++) print "main;leaf_function_" n, 1 + int(rand() * 100) }' ;;
	deep) awk 'BEGIN { srand(5); r = "main"; for (i = 0; i < 1000; i++) r = r ";recurse"
		for (n = 0; n < 2000; n++) print r ";leaf" n, 1 + int(rand() * 100) }' ;;
	cxx) awk 'BEGIN { srand(11)
		for (k = 0; k < 3000; k++) {
			t = "std::vector<std::pair<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, ns" k % 97 "::Value<" k ">>>"
			name[k] = "void ns" k % 31 "::Handler<" t ", std::allocator<" t ">>::process" k "(" t "&, unsigned long) const"
		}
		for (n = 0; n < 5000; n++) { s = "main"; f = int(rand() * 50)
			for (i = 0; i < 12; i++) { f = (f * 7 + int(rand() * 60)) % 3000; s = s ";" name[f] }
			print s, 1 + int(rand() * 100) } }' ;;
	esac
}

printf '%-7s %9s %10s | %9s %11s %9s %6s | %9s %9s %9s %6s\n' shape "input" "svg" \
	"flame s" "flamegr.pl" ratio floor "top s" "go pprof" ratio floor
for shape in shared random flat deep cxx; do
	gen $shape > "$W/in.folded"
	insize=$(wc -c < "$W/in.folded")
	"$BIN/cprof-pprof" -o "$W/in.pb.gz" "$W/in.folded"
	fl=$(cpu 10 "$BIN/cprof-flame" "$W/in.folded")
	svgsize=$(wc -c < "$W/out")
	# the I/O floor: read the input, write an output of the SVG's size
	head -c "$svgsize" /dev/zero > "$W/zero"
	io=$(cpu 20 sh -c 'cat "$1" > /dev/null; cat "$2"' sh "$W/in.folded" "$W/zero")
	if [ -n "$FG" ]; then
		fg=$(cpu 1 perl "$FG" "$W/in.folded")
		fgr=$(ratio "$fg" "$fl")
	else
		fg="not run"
		fgr="-"
	fi
	top=$(cpu 10 "$BIN/cprof-top" "$W/in.pb.gz")
	topsize=$(wc -c < "$W/out")
	head -c "$topsize" /dev/zero > "$W/zero"
	io2=$(cpu 20 sh -c 'cat "$1" > /dev/null; cat "$2"' sh "$W/in.pb.gz" "$W/zero")
	if [ -n "$GO" ]; then
		gp=$(cpu -1 go tool pprof -top "$W/in.pb.gz")
		gpr=$(ratio "$gp" "$top")
	else
		gp="not run"
		gpr="-"
	fi
	printf '%-7s %8sK %9sK | %9s %11s %9s %6s | %9s %9s %9s %6s\n' "$shape" \
		$((insize / 1024)) $((svgsize / 1024)) "$fl" "$fg" "$fgr" "$(ratio "$fl" "$io")" \
		"$top" "$gp" "$gpr" "$(ratio "$top" "$io2")"
done
echo "(CPU seconds: cprof best of 3 rounds of 10 runs (GNU time counts 10 ms ticks: one"
echo " round of 10 resolves 1 ms), go best of 3 runs, flamegraph.pl once; ratio = peer / cprof; floor = cprof / (cat input + write"
echo " an output of the same size): how many times the bare I/O the tool takes)"
