#!/usr/bin/env bash
# One option table for every tool (tools/cmd/cli.h, docs/options.md): a
# shared option is spelled, described and refused the same way in every tool
# that takes it, every mistake is exit 2 with one line naming the option,
# an unusable input is exit 1, and --addrs / --pid / --process have one
# meaning each.
. "$(dirname "$0")/lib.sh"
readers="raw top fold flame html pprof"
tools="$readers record"
for t in $tools; do [ -x "$BIN/cprof-$t" ] || skip_all "cprof-$t not built"; done
G=$ROOT/tests/golden
plan 23

# --help: exit 0, every option line (and its continuation) within 80 columns
bad=
for t in $tools; do
	"$BIN/cprof-$t" --help >"$T/$t.help" 2>&1 || bad="$bad $t(exit)"
	grep -q -- '-h, --help' "$T/$t.help" || bad="$bad $t(no --help line)"
	awk '/^  -|^                      / && length > 80 { exit 1 }' "$T/$t.help" || bad="$bad $t(wide)"
done
is "$bad" "" "--help of every tool: exit 0, lists -h, option lines within 80 columns"

# a shared option has the same help text in every tool that takes it
# (the option's line and its continuation lines)
entry() { awk -v o="  --$1" 'index($0, o " ") == 1 || $0 == o { on = 1; print; next }
	on && /^                      / { print; next } { on = 0 }' "$2"; }
for o in focus ignore tag thread process from to no-symbolize max-decompressed names; do
	for t in $readers; do entry "$o" "$T/$t.help" >"$T/e"; [ -s "$T/e" ] && md5sum <"$T/e"; done | sort -u >"$T/sums"
	is "$(wc -l <"$T/sums")" 1 "--$o: one text in every tool that takes it"
done

# usage errors: exit 2 and one line, the same words in every tool
bad=
for t in $tools; do
	"$BIN/cprof-$t" --no-such-option x >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
		grep -q "^cprof-$t: unknown option '--no-such-option' (see cprof-$t --help)$" "$T/err" || bad="$bad $t($rc)"
done
is "$bad" "" "an unknown option: exit 2, one line, in every tool"
bad=
for t in $readers; do
	"$BIN/cprof-$t" --max-decompressed 12Q "$G/abc.folded" >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "^cprof-$t: bad --max-decompressed '12Q': want a size" "$T/err" || bad="$bad $t($rc)"
	"$BIN/cprof-$t" >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "^cprof-$t: no input file" "$T/err" || bad="$bad $t(no input: $rc)"
	"$BIN/cprof-$t" --names 2>"$T/err" >/dev/null; rc=$?
	[ $rc -eq 2 ] && grep -q "option '--names' needs an argument" "$T/err" || bad="$bad $t(--names: $rc)"
done
is "$bad" "" "bad argument, no input, missing argument: exit 2 with the same words in every reading tool"
bad=
for t in raw top fold flame html pprof; do
	"$BIN/cprof-$t" --focus '(' "$G/abc.folded" >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "^cprof-$t: bad --focus '(': want a POSIX extended regex" "$T/err" || bad="$bad $t($rc)"
done
is "$bad" "" "a regex that does not compile is a bad argument too: exit 2 in every reading tool"
"$BIN/cprof-record" -F 0 true 2>"$T/err" >/dev/null
is "$?:$(cat "$T/err")" "2:cprof-record: bad -F '0': want a rate from 1 to 100000" "cprof-record's bad rate: the same form"

# a sample type the profile lacks is an input that cannot be used: exit 1
bad=
for t in "top" "fold" "flame" "html --speedscope"; do
	"$BIN"/cprof-$t --value nope "$G/abc.folded" >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 1 ] && grep -q "no sample type 'nope'" "$T/err" || bad="$bad $t($rc)"
done
is "$bad" "" "--value the profile lacks: exit 1 in every tool"

# --process is the filter everywhere; on input without threads, exit 1
bad=
for t in raw top fold flame html pprof; do
	"$BIN/cprof-$t" --process 1 "$G/abc.folded" >/dev/null 2>"$T/err"; rc=$?
	[ $rc -eq 1 ] && grep -q -- "--process needs raw input" "$T/err" || bad="$bad $t($rc)"
done
is "$bad" "" "--process on folded input: exit 1 with the same words in every reading tool"
# --pid is stackcollapse-perf's flag (cprof-fold): not a filter anywhere
bad=
for t in raw top flame html pprof; do
	"$BIN/cprof-$t" --pid 1 "$G/abc.folded" >/dev/null 2>&1
	[ $? -eq 2 ] || bad="$bad $t"
done
is "$bad" "" "--pid PID is no filter: an unknown option (exit 2) outside cprof-fold"
printf 'abc 12/12 [001] 1.000000: 1 cycles:\n\t 401000 main (/bin/abc)\n\n' >"$T/p.txt"
is "$("$BIN/cprof-fold" --pid "$T/p.txt")" "abc-12;main 1" "cprof-fold --pid: stackcollapse-perf.pl's name-PID root"
pid=$("$BIN/cprof-raw" "$G/abc.cprof" 2>/dev/null | sed -n 's/^# pid: //p')
is "$("$BIN/cprof-fold" --pid "$G/abc.cprof" 2>/dev/null | cut -d';' -f1 | sort -u)" "abc-$pid" \
	"cprof-fold --pid on a raw file: the same name-PID root (pid $pid)"
"$BIN/cprof-fold" --pid --process 99 "$T/p.txt" >"$T/out" 2>&1
is "$?:$(cat "$T/out")" "0:" "--pid and --process together: the flag and the filter (no sample of 99)"

# --addrs: the same frames in cprof-raw as in cprof-fold (func@0xaddress)
"$BIN/cprof-raw" --addrs "$G/go-views.pb.gz" 2>/dev/null | awk '!/^#/ { print $NF }' | tr ';' '\n' | sort -u >"$T/raw.frames"
"$BIN/cprof-fold" --addrs "$G/go-views.pb.gz" 2>/dev/null | sed 's/ [0-9]*$//' | tr ';' '\n' | sort -u >"$T/fold.frames"
ok "$(cmp -s "$T/raw.frames" "$T/fold.frames" && grep -q '@0x' "$T/raw.frames"; echo $?)" \
	"--addrs: cprof-raw and cprof-fold name the frames alike ($(wc -l <"$T/raw.frames") frames, func@0xaddress)"
"$BIN/cprof-raw" --no-symbolize "$G/go-views.pb.gz" 2>/dev/null | awk '!/^#/ { print $NF }' | head -1 >"$T/loc"
like "$(cat "$T/loc")" '^[^;@]+\+0x[0-9a-f]+(;[^;@]+\+0x[0-9a-f]+)*$' "cprof-raw --no-symbolize: module+0xoffset frames"
