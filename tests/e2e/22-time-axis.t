#!/usr/bin/env bash
# One time axis for one run: the files of a run (a shell running abc three
# times, one after another) are placed where they happened, the earliest
# start being 0 — in cprof-raw's listing, in the speedscope export (one
# profile per thread, named with its pid) and in the merged header's
# duration, which go tool pprof reads back; pprof inputs merge by their
# wall-clock starts. --process keeps one process's samples in every tool.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/abc" ] || skip_all "cprof-record or samples/abc not built"
command -v go >/dev/null || skip_all "go (the peer reading the merged pprof) is not installed"
plan 15

run_limited 120 "$BIN/cprof-record" -q -o "$T/r" -- sh -c \
	"\"$PROGS/abc\" 0.2 >/dev/null; \"$PROGS/abc\" 0.2 >/dev/null; \"$PROGS/abc\" 0.2 >/dev/null"
ok $? "sh running abc three times, recorded"
# the abc files in the order they started (pids may wrap: not by pid)
files=$("$BIN/cprof-raw" "$T"/r.* 2>/dev/null | awk '/^# file:/ { f = $3 } /^# start:/ { print $3, f }' | sort -n | cut -d' ' -f2)
is "$(echo "$files" | wc -l)" 3 "three abc files beside the shell's"

# the listing of every file: each abc file's samples come after the previous one's
"$BIN/cprof-raw" "$T/r" $files >"$T/all" 2>/dev/null
awk '/^# file:/ { f++ } /^# start:/ { print f, $3 } !/^#/ { if (!(f in lo)) lo[f] = $1; hi[f] = $1 }
	END { for (k = 2; k <= f; k++) print "range", k, lo[k], hi[k] }' "$T/all" >"$T/ranges"
diag "$(cat "$T/ranges")"
ok "$(awk '$1 == 1 && $2 != "0.000" { bad = 1 } END { exit bad }' "$T/ranges"; echo $?)" "the shell, first to start, is at 0"
ok "$(awk '$1 == "range" { if (n++ && $3 <= prev) bad = 1; prev = $4 } END { exit bad || n != 3 }' "$T/ranges"; echo $?)" \
	"each abc run's samples start after the previous run's last sample"
first=$(echo "$files" | head -1)
own=$("$BIN/cprof-raw" "$first" 2>/dev/null | awk '!/^#/ { print $1; exit }')
start=$(awk '$1 == 2 { print $2 }' "$T/ranges")
got=$(awk '$1 == "range" && $2 == 2 { print $3 }' "$T/ranges")
# (the listing truncates to the microsecond, the start line rounds: 2 us of slack)
ok "$(awk -v a="$own" -v s="$start" -v g="$got" 'BEGIN { d = a + s - g; exit !(d < 0.0025 && d > -0.0025) }'; echo $?)" \
	"a file's time on the common axis = its own time + its start ($own + $start = $got ms)"

# speedscope: one profile per process's thread, named with its pid, one after another
"$BIN/cprof-html" --speedscope "$T/r" $files -o "$T/s.json" 2>/dev/null
grep -o '"name":"abc (pid [0-9]*, tid [0-9]*)","unit":"nanoseconds","startValue":[0-9]*,"endValue":[0-9]*' "$T/s.json" |
	sed 's/.*pid \([0-9]*\), tid.*"startValue":\([0-9]*\),"endValue":\([0-9]*\)/\1 \2 \3/' >"$T/ss"
diag "$(cat "$T/ss")"
is "$(cut -d' ' -f1 "$T/ss" | tr '\n' ' ')" "$(for f in $files; do echo "${f##*.}"; done | sort -n | tr '\n' ' ')" \
	"speedscope: one profile per abc process, named with its pid, in pid order"
ok "$(sort -n -k2 "$T/ss" | awk '{ if (n++ && $2 < prev) bad = 1; prev = $3 } END { exit bad || n != 3 }'; echo $?)" \
	"speedscope: the three runs do not overlap"

# the merged header: the span of the run, as go tool pprof reads it
"$BIN/cprof-pprof" "$T/r" $files -o "$T/m.pb.gz" 2>/dev/null
# go tool pprof -raw prints the duration cut to four characters ("751." for
# 751.2ms): read -top's header, which prints it whole, in seconds
go_duration() {
	go tool pprof -top "$1" 2>/dev/null | sed -n 's/^Duration: \([^,]*\),.*/\1/p' |
		awk '{ v = $1 + 0; if ($1 ~ /ms$/) v /= 1e3; else if ($1 ~ /(us|µs)$/) v /= 1e6; else if ($1 ~ /ns$/) v /= 1e9;
			else if ($1 ~ /m[0-9.]+s$/) { split($1, p, "m"); v = p[1] * 60 + p[2] }; print v }'
}
dur=$(go_duration "$T/m.pb.gz")
last=$(echo "$files" | tail -1)
span=$("$BIN/cprof-raw" "$T/r" $files 2>/dev/null | awk '/^# file:/ { f = $3 } /^# start:/ { s = $3 } /^# duration:/ { e = s / 1000 + $3; if (e > m) m = e } END { print m }')
maxt=$(sort -n -k3 "$T/ss" | tail -1 | awk '{ print $3 / 1e9 }')
diag "go tool pprof: Duration $dur; last end $span s; last sample at $maxt s"
within "$dur" "$span" 2 "the merged duration is the run's span, first start to last end"
ok "$(awk -v d="$dur" -v t="$maxt" 'BEGIN { exit !(t <= d + 0.01) }'; echo $?)" "... and covers the last sample ($maxt s <= $dur s)"

# pprof inputs: placed by their wall-clock starts (time_nanos)
a=$(echo "$files" | head -1); c=$(echo "$files" | tail -1)
"$BIN/cprof-pprof" "$a" -o "$T/a.pb.gz" 2>/dev/null
"$BIN/cprof-pprof" "$c" -o "$T/c.pb.gz" 2>/dev/null
"$BIN/cprof-pprof" "$T/c.pb.gz" "$T/a.pb.gz" -o "$T/ca.pb.gz" 2>/dev/null
is "$(go tool pprof -raw "$T/ca.pb.gz" 2>/dev/null | sed -n 's/^Time: //p')" \
	"$(go tool pprof -raw "$T/a.pb.gz" 2>/dev/null | sed -n 's/^Time: //p')" "merged pprof: the earlier start (go tool pprof's Time)"
want=$("$BIN/cprof-raw" "$a" "$c" 2>/dev/null | awk '/^# start:/ { s = $3 } /^# duration:/ { e = s / 1000 + $3 } END { print e }')
within "$(go_duration "$T/ca.pb.gz")" "$want" 2 \
	"merged pprof: the duration spans both ($want s)"

# --process: one process's samples, the same in every tool (--pid, without
# an argument, is stackcollapse-perf's flag of cprof-fold: name-PID roots)
pid=${c##*.}
n=$("$BIN/cprof-raw" "$c" 2>/dev/null | grep -vc '^#')
is "$("$BIN/cprof-raw" --process "$pid" "$T/r" $files 2>/dev/null | grep -vc '^#')" "$n" "cprof-raw --process $pid: that process's $n samples"
is "$("$BIN/cprof-fold" --value samples --process "$pid" "$T/r" $files 2>/dev/null | awk '{ s += $NF } END { print s }')" "$n" \
	"cprof-fold --process $pid: the same samples"
is "$("$BIN/cprof-top" --process "$pid" --by stack "$T/r" $files 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { s += $1 } END { print s }')" "$n" \
	"cprof-top --process $pid: the same samples"
"$BIN/cprof-top" --process 1 "$ROOT/tests/golden/abc.folded" >/dev/null 2>"$T/err"
like "$(cat "$T/err")" "--process needs raw input" "--process on folded input: a clear error"
