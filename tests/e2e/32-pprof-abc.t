#!/bin/bash
# The real peer, part 2: cprof-pprof's output of samples/abc, read by
# `go tool pprof`. -top and -traces show the functions, sample counts and
# CPU totals of cprof's own reading of the same raw file; -lines shows
# file:line inside A, B and C; --thread-labels become -tags per thread.
# Two raw files: one recorded by cprof-record, one synthetic (the model's
# generator lays abc's real functions out as a PIE recording would).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/30-pprof-lib.sh"
P=$BIN/cprof-pprof
[ -x "$P" ] && [ -x "$BIN/cprof-fold" ] && [ -x "$BIN/cprof-raw" ] && [ -x "$PROGS/abc" ] ||
	skip_all "cprof-pprof, cprof-fold, cprof-raw or samples/abc not built"
command -v go > /dev/null || skip_all "go is not installed (scripts/deps.sh test)"
plan 24
mkdir -p "$T/home"

# go -traces as folded stacks (root first), summed per stack, sorted.
traces_folded() { # FILE
	gopprof -traces -sample_index=samples "$1" | awk '
		/^-+\+-+$/ { if (st != "") sum[st] += v; st = ""; on = 1; next }
		!on || NF == 0 { next }
		st == "" { v = $1 + 0; st = $2; next }
		{ st = $1 ";" st }
		END { for (s in sum) print s, sum[s] }' | LC_ALL=C sort
}
# The line range of a function in samples/abc.c: "first last".
src_range() { awk -v f="$1" '
	$0 ~ "(void|int) " f "\\(" { s = NR }
	s && !e && /^}/ { e = NR }
	END { print s, e }' "$ROOT/samples/abc.c"; }

check_file() { # RAW LABEL
	local raw=$1 what=$2 pb=$1.pb.gz
	"$P" "$raw" -o "$pb" 2> "$T/warn.txt"; ok $? "$what: cprof-pprof converts it"
	# sample counts and cpu totals per function: go -top = cprof's reading
	for idx in samples cpu; do
		is "$(go_top "$pb" $idx)" "$("$BIN/cprof-fold" --value $idx "$raw" | pprof_names | folded_top)" \
			"$what: go tool pprof -top ($idx) = cprof's per-function flat/cum"
	done
	# every stack with its count: go -traces = cprof's folded stacks
	is "$(traces_folded "$pb")" "$("$BIN/cprof-fold" --value samples "$raw" | pprof_names | LC_ALL=C sort)" \
		"$what: go tool pprof -traces = cprof's stacks and counts"
	# totals against the raw view (one line per sample)
	local n w
	n=$("$BIN/cprof-raw" "$raw" | awk '!/^#/ { n++ } END { print n + 0 }')
	w=$("$BIN/cprof-raw" "$raw" | awk '!/^#/ { w += $4 } END { printf "%d", w }')
	is "$(go_top "$pb" samples | awk '{ s += $2 } END { print s + 0 }')" "$n" \
		"$what: total samples = cprof-raw's sample lines ($n)"
	is "$(go_top "$pb" cpu | awk '{ s += $2 } END { printf "%d", s }')" "$w" \
		"$what: total cpu = the sum of cprof-raw's weights"
	# -lines: file:line of A, B, C inside their source
	local lines bad=0 f r
	lines=$(gopprof -lines -top -nodecount=1000 -nodefraction=0 "$pb" |
		awk 'p && NF >= 7 { print $6, $7 } /flat%.*cum%/ { p = 1 }')
	for f in A B C; do
		r=$(src_range $f)
		echo "$lines" | awk -v f=$f -v r="$r" 'BEGIN { split(r, a, " ") }
			$1 == f { n++; if ($2 !~ /abc\.c:[0-9]+$/) bad++
				split($2, x, ":"); if (x[2] < a[1] || x[2] > a[2]) bad++ }
			END { exit !(n > 0 && !bad) }'
		ok $? "$what: go tool pprof -lines shows $f at abc.c lines $r" || { bad=1; diag "$lines"; }
	done
	# thread labels: go -tags per tid = cprof-raw's samples per thread
	"$P" --thread-labels "$raw" -o "$T/tl.pb.gz"
	is "$(gopprof -tags -sample_index=samples -tagfocus= "$T/tl.pb.gz" | awk '
		/^ *tid: Total/ { on = 1; next } /Total/ { on = 0 }
		on && /\): / { v = $NF; sub(/^[^)]*\): /, "", v); print v, $1 + 0 }' | LC_ALL=C sort)" \
		"$("$BIN/cprof-raw" "$raw" | awk '!/^#/ { n[$2]++ } END { for (t in n) print t, n[t] }' |
		LC_ALL=C sort)" "$what: --thread-labels: go -tags tid counts = cprof-raw's per thread"
	is "$(gopprof -tags -sample_index=samples "$T/tl.pb.gz" | awk '
		/^ *thread: Total/ { on = 1; next } /Total/ { on = 0 }
		on && /\): / { v = $0; sub(/^[^)]*\): /, "", v); print v, $1 + 0 }' | LC_ALL=C sort)" \
		"$("$BIN/cprof-raw" "$raw" | awk '!/^#/ && $3 != "-" { n[$3]++ } END { for (t in n) print t, n[t] }' |
		LC_ALL=C sort)" "$what: --thread-labels: go -tags thread-name counts = cprof-raw's"
}

# 1. synthetic: abc's functions at a PIE base, 5:3:4 pattern, 4 threads
if [ -x "$BUILD/bench/aggregate-gen" ]; then
	"$BUILD/bench/aggregate-gen" --abc "$PROGS/abc" -n 1200 --threads 4 -o "$T/syn.cprof"
	ok $? "synthetic abc raw file written"
	check_file "$T/syn.cprof" "synthetic abc"
else
	for i in $(seq 12); do ok 0 "# SKIP bench/aggregate-gen not built"; done
fi

# 2. recorded: cprof-record on samples/abc (1 s of CPU at 1 kHz)
if [ -x "$BIN/cprof-record" ] && [ -e "$LIB/libcprof-sample.so" ]; then
	run_limited 60 "$BIN/cprof-record" -q -F 1000 -o "$T/rec.cprof" -- "$PROGS/abc" 1 > /dev/null
	ok $? "cprof-record -- abc 1"
	check_file "$T/rec.cprof" "recorded abc"
else
	for i in $(seq 12); do ok 0 "# SKIP cprof-record not built"; done
fi
