#!/usr/bin/env bash
# The kernel sampler (cprof-record --sampler kernel): perf_event from
# outside the process into one perf.data file, as `perf record -- cmd`.
#  - samples/abc: the sample count follows the CPU time, A / A;C / B split
#    5:3:4 as with the preloaded sampler (recorded here too) within 3
#    points, with DWARF snapshots (default) and frame pointers (--unwind fp);
#    perf report reads the file and gives the same shares as cprof-top;
#  - every cprof tool reads the file;
#  - a static, a static-pie and a Go program (built here) are recorded by
#    default (auto), with symbolized stacks down to main;
#  - a fork/exec chain (sh -c with children in the background and a forked
#    child that does not exec): every process is in the file;
#  - the command killed (SIGKILL), cprof-record sent SIGTERM or SIGINT: the
#    file is written and reads; a failed exec leaves no file; --mode wall
#    and an unwritable output are refused before anything runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/10-record-lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/abc" ] && [ -x "$BIN/cprof-raw" ] ||
	skip_all "cprof-record, cprof-raw or samples/abc not built"
# the same check cprof-record makes: can this user open a user-mode
# cpu-clock event for a child (perf_event_paranoid <= 2, not a container
# that forbids perf_event_open)?
# (only that refusal skips: any other failure is a failure of the tests)
run_limited 30 "$BIN/cprof-record" -q --sampler kernel -o "$T/probe" -- true 2>"$T/probe.err" ||
	! grep -q "cannot record with the kernel sampler: perf_event_open" "$T/probe.err" ||
	skip_all "the kernel sampler cannot record here: $(head -1 "$T/probe.err")"
plan 55

near() { # GOT WANT POINTS NAME
	ok "$(awk -v g="$1" -v w="$2" -v p="$3" 'BEGIN { d = g - w; exit !(d <= p && d >= -p) }'; echo $?)" \
		"$4 ($1 vs $2, within $3 points)"
}

# 1. abc at 1 kHz: kernel (dwarf, fp) and preloaded
usercpu "$T/cpu.k" run_limited 60 "$BIN/cprof-record" -F 1000 --sampler kernel -o "$T/k.data" -- "$PROGS/abc" 1
ok $? "--sampler kernel -- abc 1 exits 0"
like "$(cat "$T/cmd.err")" "k.data: [0-9]+ samples \(0 lost\) in [0-9.]+ s, 1 process \(1 with samples\); perf.data" \
	"the summary names the file, its samples and lost records"
head -c 8 "$T/k.data" >"$T/magic"
is "$(cat "$T/magic")" "PERFILE2" "the file is perf.data"
cpu=$(awk '{ print $1 + $2 }' "$T/cpu.k")
# cprof-record's own CPU is in the time measured (draining the buffers):
# the samples stand for abc's user time, a little less
want=$(awk -v c="$cpu" 'BEGIN { printf "%d", c * 1000 }')
ok "$(awk -v g="$(nsamples "$T/k.data")" -v w="$want" 'BEGIN { exit !(g >= 0.85 * w && g <= 1.05 * w) }'; echo $?)" \
	"1 kHz: samples = CPU time x rate, 85-105% ($(nsamples "$T/k.data") for $cpu s)"
run_limited 60 "$BIN/cprof-record" -q -F 1000 --sampler kernel --unwind fp -o "$T/kfp.data" -- "$PROGS/abc" 1 >/dev/null
ok $? "--unwind fp exits 0"
run_limited 60 "$BIN/cprof-record" -q -F 1000 --sampler preload -o "$T/p.cprof" -- "$PROGS/abc" 1 >/dev/null
ok $? "the preloaded sampler on the same program"
pa=$(share "$T/p.cprof" 'main;A$'); pac=$(share "$T/p.cprof" 'main;A;C$'); pb=$(share "$T/p.cprof" 'main;B$')
for f in k kfp; do
	a=$(share "$T/$f.data" 'main;A$'); ac=$(share "$T/$f.data" 'main;A;C$'); b=$(share "$T/$f.data" 'main;B$')
	diag "$f: A $a% A;C $ac% B $b% (preload: $pa $pac $pb)"
	near "$a" "$pa" 3 "$f: main;A share as the preloaded sampler's"
	near "$ac" "$pac" 3 "$f: main;A;C share as the preloaded sampler's"
	near "$b" "$pb" 3 "$f: main;B share as the preloaded sampler's"
done
ok "$(awk -v s="$(share "$T/k.data" '^_start;__libc_start_main[_a-z]*;__libc_start_call_main;main;')" 'BEGIN { exit !(s >= 97) }'; echo $?)" \
	"dwarf: stacks reach _start through libc (built without frame pointers)"

# perf report reads the file: its self shares are cprof-top's
if command -v perf >/dev/null; then
	perf report -i "$T/k.data" --stdio --no-children --sort sym -F overhead,sym -g none \
		--percent-limit 0 2>/dev/null | awk '!/^#/ && NF >= 3 && $2 == "[.]" { sub(/%$/, "", $1); print $3, $1 }' |
		sort >"$T/perf.top"
	ok "$([ -s "$T/perf.top" ]; echo $?)" "perf report reads the file"
	"$BIN/cprof-top" --nodefraction 0 "$T/k.data" 2>/dev/null |
		awk '$2 ~ /%$/ && $NF ~ /^[A-C]$/ { sub(/%$/, "", $2); print $NF, $2 }' | sort >"$T/cprof.top"
	is "$(awk '$1 ~ /^[A-C]$/' "$T/perf.top")" "$(cat "$T/cprof.top")" "perf report's self shares of A, B, C are cprof-top's"
	perf script -i "$T/k.data" -F pid 2>/dev/null | wc -l >"$T/perf.n"
	is "$(tr -d ' ' <"$T/perf.n")" "$(nsamples "$T/k.data")" "perf script counts the samples cprof-raw reads"
else
	for i in 1 2 3; do ok 0 "# SKIP perf not installed"; done
fi

# one time axis with raw files: the kernel sampler's times are CLOCK_MONOTONIC,
# so the preloaded sampler's run of abc, recorded after the kernel
# sampler's, starts after its last sample
"$BIN/cprof-raw" "$T/p.cprof" "$T/kfp.data" 2>/dev/null | grep '^# \(file\|start\|duration\)' >"$T/axis"
d1=$(awk '/^# file: .*kfp.data/ { on = 1 } on && /^# duration:/ { print $3 * 1000; exit }' "$T/axis")
s2=$(awk '/^# file: .*p.cprof/ { on = 1 } on && /^# start:/ { print $3; exit }' "$T/axis")
ok "$(awk -v d="$d1" -v s="$s2" 'BEGIN { exit !(d > 0 && s >= d) }'; echo $?)" \
	"merged with the raw file of a later run: that run starts after this one's samples ($s2 ms >= $d1 ms)"

# 2. every cprof tool reads it
for t in top fold flame pprof html; do
	case $t in
	flame | html | pprof) run_limited 60 "$BIN/cprof-$t" "$T/k.data" -o "$T/out.$t" 2>"$T/err.$t" ;;
	*) run_limited 60 "$BIN/cprof-$t" "$T/k.data" >"$T/out.$t" 2>"$T/err.$t" ;;
	esac
	ok "$([ $? = 0 ] && [ -s "$T/out.$t" ] && grep -q . "$T/out.$t"; echo $?)" "cprof-$t reads the file"
done
like "$(cat "$T/out.fold")" "main;A;C [0-9]+" "cprof-fold: symbolized stacks"

# 3. static, static-pie, Go: recorded by default
cat >"$T/spin.c" <<'C'
#include <stdlib.h>
__attribute__((noinline)) double leaf(double x)
{
	for (int i = 0; i < 100000; i++)
		x += i * 0.5;
	return x;
}
__attribute__((noinline)) double mid(double x) { return leaf(x) + 1; }
int main(int argc, char **argv)
{
	double x = 0;
	long n = argc > 1 ? atol(argv[1]) : 1000;
	for (long i = 0; i < n; i++)
		x = mid(x);
	return x < 0;
}
C
static_case() { # NAME CFLAGS...
	local name=$1; shift
	if gcc -O1 "$@" -o "$T/$name" "$T/spin.c" 2>"$T/cc.err"; then
		run_limited 60 "$BIN/cprof-record" -F 500 -o "$T/$name.data" -- "$T/$name" 3000 2>"$T/$name.err"
		ok $? "$name: recorded (exit 0)"
		like "$(head -1 "$T/$name.err")" "$name is .*: the preloaded sampler cannot enter it, so the kernel sampler records it" \
			"$name: cprof-record says the kernel sampler records it"
		ok "$(awk -v s="$(share "$T/$name.data" 'main;mid;leaf$')" 'BEGIN { exit !(s >= 80) }'; echo $?)" \
			"$name: >= 80% of the samples in main;mid;leaf ($(share "$T/$name.data" 'main;mid;leaf$')%)"
	else
		for i in 1 2 3; do ok 0 "# SKIP $name: $(head -1 "$T/cc.err")"; done
	fi
}
static_case static -static
static_case spie -static-pie -fPIE
export GOCACHE="$T/gocache" GOPATH="$T/gopath" GO111MODULE=off
mkdir -p "$T/go"
cat >"$T/go/main.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"strconv"
)

//go:noinline
func leaf(x float64) float64 {
	for i := 0; i < 100000; i++ {
		x += float64(i) * 0.5
	}
	return x
}

//go:noinline
func mid(x float64) float64 { return leaf(x) + 1 }

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	x := 0.0
	for i := 0; i < n; i++ {
		x = mid(x)
	}
	fmt.Println(x > 0)
}
GO
if command -v go >/dev/null && (cd "$T/go" && CGO_ENABLED=0 go build -o "$T/gospin" main.go) 2>"$T/go.err"; then
	run_limited 60 "$BIN/cprof-record" -F 500 -o "$T/go.data" -- "$T/gospin" 3000 >/dev/null 2>"$T/go.err"
	ok $? "Go: recorded (exit 0)"
	like "$(head -1 "$T/go.err")" "gospin is a Go program: .*kernel sampler records it" "Go: says the kernel sampler records it"
	ok "$(awk -v s="$(share "$T/go.data" 'main\.main;main\.mid;main\.leaf$')" 'BEGIN { exit !(s >= 80) }'; echo $?)" \
		"Go: >= 80% of the samples in main.main;main.mid;main.leaf ($(share "$T/go.data" 'main\.main;main\.mid;main\.leaf$')%)"
else
	for i in 1 2 3; do ok 1 "Go build: $(head -3 "$T/go.err")"; done
fi
# the preloaded sampler asked for explicitly still refuses them
if [ -x "$T/static" ]; then
	run_limited 30 "$BIN/cprof-record" --sampler preload -o "$T/ref" -- "$T/static" 10 2>"$T/ref.err"
	is "$?" 2 "--sampler preload refuses a static program (exit 2)"
	like "$(cat "$T/ref.err")" "cprof-record --sampler kernel" "... and says to use the kernel sampler"
else
	for i in 1 2; do ok 0 "# SKIP no static libc"; done
fi

# 4. a fork/exec chain: three abc in the background, a forker (its child
# forks without exec), the shell itself
run_limited 60 "$BIN/cprof-record" -F 200 --sampler kernel -o "$T/chain.data" -- \
	sh -c "for i in 1 2 3; do \"$PROGS/abc\" 0.3 >/dev/null & done; \"$PROGS/forker\" 0.3 >/dev/null 2>&1; wait" 2>"$T/chain.err"
ok $? "sh -c with children: exit 0"
"$BIN/cprof-raw" "$T/chain.data" >"$T/chain.raw" 2>/dev/null
is "$(awk '!/^#/ && $3 == "abc" { print $2 }' "$T/chain.raw" | sort -u | wc -l | tr -d ' ')" 3 \
	"all three abc processes have samples"
abcn=$(awk '!/^#/ && $3 == "abc" { n++ } END { print n + 0 }' "$T/chain.raw")
ok "$(awk -v n="$abcn" 'BEGIN { exit !(n >= 0.8 * 180) }'; echo $?)" "... with their CPU time's samples ($abcn for 3 x 0.3 s at 200 Hz)"
ok "$([ "$(awk '!/^#/ && $NF ~ /main;(child|parent)_work$/ { print $2 }' "$T/chain.raw" | sort -u | wc -l)" -ge 2 ]; echo $?)" \
	"forker and its forked child both have samples"
is "$(awk '!/^#/ && $NF ~ /main;(child|parent)_work$/ { print $3 }' "$T/chain.raw" | sort -u)" "forker" \
	"... both named forker (the child, which does not exec, by its parent's name)"
like "$(head -1 "$T/chain.err")" "chain.data: [0-9]+ samples \(0 lost\) .*, [6-9] processes \([5-9] with samples\)" \
	"the summary counts the processes"

# 5. endings: the command killed, cprof-record signalled, exec failing
run_limited 60 "$BIN/cprof-record" -q --sampler kernel -o "$T/kill.data" -- sh -c "\"$PROGS/abc\" 0.5 >/dev/null; kill -KILL \$\$"
is "$?" 137 "the command killed by SIGKILL: 128+9"
ok "$([ "$(nsamples "$T/kill.data")" -ge 30 ]; echo $?)" "... and its file holds abc's samples ($(nsamples "$T/kill.data"))"
for sig in TERM INT; do
	"$BIN/cprof-record" -q -F 1000 --sampler kernel -o "$T/$sig.data" -- "$PROGS/abc" 30 >/dev/null 2>"$T/$sig.err" &
	rp=$!
	# once abc runs (its exec done), let it use some CPU time
	for i in $(seq 1 100); do pgrep -x -P $rp abc >/dev/null && break; sleep 0.1; done
	sleep 1
	kill -$sig $rp
	wait $rp
	rc=$?
	like "$rc" "^(130|143)$" "cprof-record sent SIG$sig: the command ends by it ($rc)"
	ok "$([ "$(nsamples "$T/$sig.data")" -ge 10 ] && ! ls "$T" | grep -q "$sig.data.tmp"; echo $?)" \
		"... the file is written and reads ($(nsamples "$T/$sig.data") samples), no temporary left"
	[ "$(nsamples "$T/$sig.data")" -ge 10 ] || diag "$(ls -la "$T" | grep "$sig")" "$(cat "$T/$sig.err")"
done
# cprof-record itself killed: nothing at FILE, and its temporary reads up to
# its last second (the header is rewritten once a second)
mkdir "$T/rk"
"$BIN/cprof-record" -q -F 1000 --sampler kernel -o "$T/rk/k.data" -- "$PROGS/abc" 30 >/dev/null 2>&1 &
rp=$!
for i in $(seq 1 100); do cp=$(pgrep -x -P $rp abc) && break; sleep 0.1; done
sleep 2.5
kill -KILL $rp
wait $rp 2>/dev/null
kill -KILL "$cp" 2>/dev/null
tmpf=$(ls "$T"/rk/k.data.tmp* 2>/dev/null | head -1)
ok "$([ ! -e "$T/rk/k.data" ] && [ -n "$tmpf" ]; echo $?)" "cprof-record killed by SIGKILL: nothing at FILE, its temporary left"
ok "$([ -n "$tmpf" ] && [ "$(nsamples "$tmpf")" -ge 100 ]; echo $?)" \
	"... which reads up to its last second ($([ -n "$tmpf" ] && nsamples "$tmpf") samples)"
run_limited 30 "$BIN/cprof-record" -q --sampler kernel -o "$T/noexec.data" -- "$T/no-such-program" 2>"$T/noexec.err"
is "$?" 127 "a command that does not exist: 127"
ok "$([ ! -e "$T/noexec.data" ] && ! ls "$T" | grep -q noexec.data.tmp; echo $?)" "... and no file"
run_limited 30 "$BIN/cprof-record" --sampler kernel --mode wall -o "$T/wall.data" -- sh -c "touch \"$T/ran\"" 2>"$T/wall.err"
is "$?" 2 "--mode wall with the kernel sampler: exit 2"
ok "$([ ! -e "$T/ran" ] && [ ! -e "$T/wall.data" ]; echo $?)" "... nothing ran, no file"
like "$(cat "$T/wall.err")" "--mode wall needs the preloaded sampler" "... and says why"
run_limited 30 "$BIN/cprof-record" --sampler kernel -o "$T/nodir/x.data" -- sh -c "touch \"$T/ran\"" 2>"$T/nodir.err"
is "$?" 2 "an output it cannot write: exit 2"
ok "$([ ! -e "$T/ran" ]; echo $?)" "... and the command never ran"
