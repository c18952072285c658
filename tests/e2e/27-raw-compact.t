#!/usr/bin/env bash
# The compact raw format (version 2): the recorder writes each distinct
# stack once (STACK) and each sample as a 24-byte STACK_SAMPLE naming it.
# A version-1 file (every sample a SAMPLE record with its frames, as
# recorders wrote before; made here by bench/aggregate-gen --format 1) and a
# version-2 file of the same samples read the same in every tool; a real
# recording spends well under 40 bytes a sample (version 1: 40 + 8 a frame)
# and loses none: cprof-record's count, the END record's and cprof-raw's agree.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/abc" ] && [ -x "$PROGS/threads" ] ||
	skip_all "cprof-record or samples not built"
GEN=$BUILD/bench/aggregate-gen
[ -x "$GEN" ] || skip_all "bench/aggregate-gen not built"
plan 11

version() { od -An -tu2 -j8 -N2 "$1" | tr -d ' '; }
"$GEN" --abc "$PROGS/abc" -n 3000 --threads 3 --format 1 -o "$T/v1.cprof" &&
	"$GEN" --abc "$PROGS/abc" -n 3000 --threads 3 --format 2 -o "$T/v2.cprof"
ok $? "the same samples written as version 1 and version 2"
is "$(version "$T/v1.cprof") $(version "$T/v2.cprof")" "1 2" "the file headers say versions 1 and 2"
s1=$(stat -c %s "$T/v1.cprof") s2=$(stat -c %s "$T/v2.cprof")
[ $((s2 * 2)) -lt "$s1" ]
ok $? "version 2 is less than half the size ($s2 vs $s1 bytes)"
for tool in "cprof-raw" "cprof-top --by stack" "cprof-top" "cprof-fold --threads" "cprof-flame"; do
	$BIN/$tool "$T/v1.cprof" 2>&1 | grep -v '^# file:' > "$T/o1"
	$BIN/$tool "$T/v2.cprof" 2>&1 | grep -v '^# file:' > "$T/o2"
	cmp -s "$T/o1" "$T/o2" && [ -s "$T/o1" ]
	ok $? "$tool: version 1 and version 2 read the same" || diff "$T/o1" "$T/o2" | head -5 | sed 's/^/# /'
done

# a real recording: 4 threads at 997 Hz
# (the threads spin for wall-clock seconds: on a loaded machine they get
# less CPU, so the run is lengthened until it holds 150 samples)
for secs in 1 3 8; do
	run_limited 60 "$BIN/cprof-record" -F 997 -o "$T/t.cprof" -- "$PROGS/threads" 4 $secs > /dev/null 2> "$T/rec.err"
	rc=$?
	raw_n=$("$BIN/cprof-raw" "$T/t.cprof" 2>/dev/null | sed -n 's/^# samples: \([0-9]*\), dropped: 0.*/\1/p')
	[ "${raw_n:-0}" -lt 150 ] || break
done
is "$rc" 0 "samples/threads recorded ($secs s)"
rec_n=$(sed -n 's/.*: \([0-9]*\) samples (0 dropped).*/\1/p' "$T/rec.err" | head -1)
is "$rec_n" "$raw_n" "cprof-record's count = cprof-raw's ($raw_n samples, none dropped)"
# bytes per sample beyond what a run without samples writes (header,
# mappings, build-ids, threads)
run_limited 60 "$BIN/cprof-record" -F 997 -o "$T/t0.cprof" -- "$PROGS/threads" 4 0 > /dev/null 2>&1
size0=$(stat -c %s "$T/t0.cprof")
n0=$("$BIN/cprof-raw" "$T/t0.cprof" 2>/dev/null | sed -n 's/^# samples: \([0-9]*\),.*/\1/p')
size=$(stat -c %s "$T/t.cprof")
n=$((raw_n - ${n0:-0}))
bps=$(((size - size0) / (n > 0 ? n : 1)))
[ "$n" -gt 100 ] && [ "$bps" -lt 40 ]
ok $? "under 40 bytes a sample ($bps: $size bytes for $raw_n samples, $size0 for ${n0:-?} without the run)"
