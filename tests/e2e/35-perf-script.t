#!/usr/bin/env bash
# perf script text as input: real programs recorded by perf (frame-pointer
# and DWARF callchains, several threads, kernel frames where perf may record
# them), `perf script` dumped, and cprof's numbers checked against perf's
# own, computed here by `perf report --stdio` on the same perf.data: the
# sample and event totals, every symbol's flat samples and its cum (perf's
# "Children"), the samples of every thread, the kernel samples.
. "$(dirname "$0")/lib.sh"

command -v perf >/dev/null || skip_all "perf is not installed (scripts/deps.sh test installs linux-perf)"
run_limited 60 perf record -q -o "$T/probe.data" -- true >/dev/null 2>&1 ||
	skip_all "perf record is not allowed here (perf_event_paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null))"

plan 30

# report DATA ARGS...: perf report's table rows, without comments
report() {
	local d=$1
	shift
	perf report -i "$d" --stdio -n -g none "$@" 2>/dev/null | grep -v '^#' | grep -v '^$'
}

# flat_cmp DATA TXT NAME: every named symbol's self samples in perf report
# equal cprof-top's flat samples of that function. Not comparable: a
# frame perf script prints as "SYM (inlined)" only, where perf report
# counts the self samples to the enclosing symbol, which the text does not
# name (docs/converting.md); those names are left out on both sides.
flat_cmp() {
	{ echo "-"; awk '/ \(inlined\)$/ { s = $2; sub(/\+0x[0-9a-f]+$/, "", s); print s }' "$2"; } |
		sort -u >"$T/inl" # never empty: awk's NR == FNR needs a first file
	report "$1" --no-children --sort sym |
		awk '$3 ~ /^\[/ { s = $4; for (i = 5; i <= NF; i++) s = s " " $i;
			if (s !~ /^0x/ && s !~ / \(inlined\)$/) print s "\t" $2 }' |
		while IFS="$(printf '\t')" read -r s n; do
			grep -qF " $s+0x" "$2" && printf '%s\t%s\n' "$s" "$n"
		done | sort >"$T/want"
	"$BIN/cprof-top" --value samples --no-header -n 100000 --nodefraction 0 "$2" |
		awk 'NR > 1 && $1 > 0 && $1 ~ /^[0-9]+$/ { s = $6; for (i = 7; i <= NF; i++) s = s " " $i; print s "\t" $1 }' |
		sort | awk -F'\t' 'NR == FNR { inl[$1] = 1; next } !($1 in inl)' "$T/inl" - >"$T/got"
	join -t "$(printf '\t')" "$T/want" "$T/got" >"$T/both"
	local nwant ngot nboth
	nwant=$(wc -l <"$T/want")
	nboth=$(awk -F'\t' '$2 == $3' "$T/both" | wc -l)
	if [ "$nwant" -gt 0 ] && [ "$nboth" -eq "$nwant" ]; then ok 0 "$3 ($nwant symbols)"; else
		ok 1 "$3"; diag "perf report (symbol, samples) vs cprof-top:" "$(diff "$T/want" "$T/got" | head -20)"; fi
}

# cum_cmp DATA TXT FUNC NAME: perf report's Children % of FUNC, as samples,
# equals cprof-top's cum samples
cum_cmp() {
	local total want got
	total=$(perf script -i "$1" -F tid 2>/dev/null | wc -l)
	want=$(report "$1" --children --sort sym | awk -v f="$3" -v n="$total" \
		'$4 ~ /^\[/ && $5 == f { v = $1; sub(/%/, "", v); printf "%d\n", v * n / 100 + 0.5; exit }')
	got=$("$BIN/cprof-top" --value samples --no-header -n 100000 --nodefraction 0 "$2" |
		awk -v f="$3" '$6 == f && NF == 6 { print $4 }')
	is "$got" "$want" "$4"
}

# ---- frame pointers, several threads ---------------------------------------
run_limited 120 perf record -q -F 499 -g -o "$T/fp.data" -- "$PROGS/threads" 3 1 >/dev/null 2>&1
ok $? "perf record -g of samples/threads (3 threads)"
perf script -i "$T/fp.data" >"$T/fp.txt" 2>/dev/null
ok $? "perf script dumps it"

raw=$("$BIN/cprof-raw" "$T/fp.txt" 2>&1)
like "$(echo "$raw" | head -1)" "\(perf script\)$" "cprof-raw detects perf script text"
nperf=$(perf script -i "$T/fp.data" -F tid 2>/dev/null | wc -l)
like "$(echo "$raw" | sed -n 2p)" "^# samples: $nperf, total cpu-clock: " "every record is a sample ($nperf)"
events=$(perf report -i "$T/fp.data" --stdio 2>/dev/null | sed -n 's/^# Event count (approx.): //p')
like "$(echo "$raw" | sed -n 2p)" "total cpu-clock: $events nanoseconds$" "periods sum to perf report's event count ($events)"
like "$(echo "$raw" | grep '^# threads:')" "busy-0.*busy-1.*busy-2|busy-.*busy-.*busy-" "threads named by their comm"
stamps=$(echo "$raw" | awk '!/^#/ { print $1 }' | sort -n -c 2>&1 && echo sorted)
is "$stamps" "sorted" "times in order, from 0"

flat_cmp "$T/fp.data" "$T/fp.txt" "flat samples per symbol equal perf report --no-children"
cum_cmp "$T/fp.data" "$T/fp.txt" worker "cum of worker equals perf report's Children"

# per thread: perf report --sort pid (the thread) against cprof-fold --tid
report "$T/fp.data" --no-children --sort pid | awk '{ split($3, a, ":"); print a[1] "\t" $2 }' | sort >"$T/want"
"$BIN/cprof-fold" --tid --value samples "$T/fp.txt" |
	awk '{ split($1, f, ";"); n = split(f[1], t, "/"); s[t[n]] += $NF } END { for (k in s) print k "\t" s[k] }' |
	sort >"$T/got"
is "$(cat "$T/got")" "$(cat "$T/want")" "samples per thread equal perf report --sort pid"

# the same file through the other tools
"$BIN/cprof-raw" --timeline "$T/fp.txt" >"$T/tl" 2>&1
# (the main thread may have a sample too, while it starts the others)
like "$(grep -c '^thread .*(busy-[0-9])' "$T/tl")" "^3$" "cprof-raw --timeline: one row per busy thread"
"$BIN/cprof-html" "$T/fp.txt" -o "$T/fp.html" 2>"$T/err"
ok $? "cprof-html writes a report of it"
"$BIN/cprof-pprof" "$T/fp.txt" -o "$T/fp.pb.gz" && "$BIN/cprof-top" --value samples "$T/fp.pb.gz" >/dev/null
ok $? "cprof-pprof converts it, and the pprof reads back"
perf script -i "$T/fp.data" 2>/dev/null | "$BIN/cprof-fold" - >"$T/stdin.folded"
"$BIN/cprof-fold" "$T/fp.txt" >"$T/file.folded"
ok $(cmp -s "$T/stdin.folded" "$T/file.folded"; echo $?) "'-' reads perf script from stdin"
# (any line: the main thread's samples while it starts the others, if any, sort apart)
like "$(grep -c '^busy-[0-9];start_thread;worker;' "$T/file.folded")" "^[1-9]" "cprof-fold: the process name first, as stackcollapse-perf.pl"

# -F variants: without cpu and period, without time, with pid/tid, without
# dso (and without event: the head then ends in its period, as a folded line)
for f in "comm,tid,time,event,ip,sym,dso" "comm,pid,tid,period,ip,sym,dso" "comm,tid,ip,sym,dso" \
	"comm,tid,time,period,ip,sym"; do
	perf script -i "$T/fp.data" -F "$f" >"$T/v.txt" 2>/dev/null
	n=$("$BIN/cprof-raw" "$T/v.txt" 2>&1 | sed -n 's/^# samples: \([0-9]*\).*/\1/p')
	is "$n" "$nperf" "perf script -F $f: every record read"
done

# side-band records first (--show-mmap-events, --show-task-events): still
# perf script text, the same stacks (stackcollapse-perf.pl skips them too)
perf script -i "$T/fp.data" --show-mmap-events --show-task-events >"$T/sb.txt" 2>/dev/null
head -1 "$T/sb.txt" | grep -q 'PERF_RECORD_' &&
	cmp -s <("$BIN/cprof-fold" "$T/sb.txt" 2>/dev/null) "$T/file.folded"
ok $? "perf script --show-mmap-events --show-task-events: read as perf script, the same folded stacks"

# ---- without callchains: perf record without -g ---------------------------
# perf prints each sample on one line, the command right-aligned in 16
# columns and the sample's frame last (stackcollapse-perf.pl reads nothing)
run_limited 120 perf record -q -F 499 -o "$T/ng.data" -- "$PROGS/threads" 3 1 >/dev/null 2>&1
perf script -i "$T/ng.data" >"$T/ng.txt" 2>/dev/null
nng=$(perf script -i "$T/ng.data" -F tid 2>/dev/null | wc -l)
n=$("$BIN/cprof-raw" "$T/ng.txt" 2>&1 | sed -n 's/^# samples: \([0-9]*\).*/\1/p')
is "$n" "$nng" "perf record without -g, perf script: every record read ($nng)"
flat_cmp "$T/ng.data" "$T/ng.txt" "without callchains: flat samples per symbol equal perf report"
perf script -i "$T/ng.data" --show-mmap-events --show-task-events >"$T/ngsb.txt" 2>/dev/null
cmp -s <("$BIN/cprof-fold" "$T/ngsb.txt" 2>/dev/null) <("$BIN/cprof-fold" "$T/ng.txt" 2>/dev/null)
ok $? "without callchains, --show-mmap-events --show-task-events: the same folded stacks"
perf script -i "$T/ng.data" -F comm,tid,time,ip,sym >"$T/ngF.txt" 2>/dev/null
n=$("$BIN/cprof-raw" "$T/ngF.txt" 2>&1 | sed -n 's/^# samples: \([0-9]*\).*/\1/p')
is "$n" "$nng" "without callchains, -F comm,tid,time,ip,sym: every record read"

# ---- DWARF callchains -------------------------------------------------------
run_limited 120 perf record -q -F 999 --call-graph dwarf -o "$T/dw.data" -- "$PROGS/abc" >/dev/null 2>&1
ok $? "perf record --call-graph dwarf of samples/abc"
perf script -i "$T/dw.data" >"$T/dw.txt" 2>/dev/null
flat_cmp "$T/dw.data" "$T/dw.txt" "dwarf: flat samples per symbol equal perf report"
cum_cmp "$T/dw.data" "$T/dw.txt" A "dwarf: cum of A equals perf report's Children"
cum_cmp "$T/dw.data" "$T/dw.txt" C "dwarf: cum of C equals perf report's Children"

# ---- kernel frames ----------------------------------------------------------
run_limited 120 perf record -q -F 999 -g -o "$T/k.data" -- dd if=/dev/zero of=/dev/null bs=512 count=300000 >/dev/null 2>&1
perf script -i "$T/k.data" >"$T/k.txt" 2>/dev/null
kwant=$(report "$T/k.data" --no-children --sort dso | awk '$3 == "[kernel.kallsyms]" { print $2 }')
if [ -z "$kwant" ]; then
	ok 0 "kernel samples # SKIP perf recorded no kernel frames here (not allowed)"
else
	kgot=$("$BIN/cprof-fold" --kernel --value samples "$T/k.txt" | awk '$1 ~ /_\[k\]$/ { s += $NF } END { print s + 0 }')
	is "$kgot" "$kwant" "kernel leaf samples (cprof-fold --kernel _[k]) equal perf report --sort dso"
fi

# ---- errors -----------------------------------------------------------------
perf report -i "$T/fp.data" --stdio >"$T/report.txt" 2>/dev/null
"$BIN/cprof-top" "$T/report.txt" >"$T/out" 2>"$T/err"
like "$? $(cat "$T/err")" "^1 cprof-top: .*report.txt: this is \`perf report\` output" "perf report output: says to use perf script"
