#!/usr/bin/env bash
# Sampler torture: SIGKILL at 20 moments (from 5 ms after start, while the
# library sets up, to 0.8 s, in the thick of 1 kHz sampling on 3 threads).
# Just before each kill the file is copied: every sample in that copy must
# still be in the file after the kill (nothing written is lost), and the
# killed file must read without error (with a warning that it has no END).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/60-torture-lib.sh"
plan 41

moments="0.005 0.01 0.03 0.05 0.08 0.1 0.12 0.15 0.2 0.25 0.3 0.35 0.4 0.45 0.5 0.55 0.6 0.65 0.7 0.8"
i=0 lost_total=0 kept_total=0
for m in $moments; do
	i=$((i + 1))
	f=$T/k$i
	LD_PRELOAD="$LIB/libcprof-sample.so" CPROF_OUT="$f" CPROF_HZ=1000 \
		"$TORTURE/spin" 30 3 >/dev/null 2>&1 &
	pid=$!
	sleep "$m"
	cp "$f" "$T/snap$i" 2>/dev/null
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	if [ ! -e "$f" ]; then
		# killed before the library created its file: nothing was written
		ok "$([ "${m%%.*}" = 0 ] && [ "${m#0.0}" != "$m" ]; echo $?)" "kill $i at ${m}s: no file yet (only acceptable in the first 100 ms)"
		ok 0 "kill $i at ${m}s: nothing to lose"
		continue
	fi
	run_limited 60 "$BIN/cprof-raw" --no-symbolize "$f" >"$T/after$i" 2>"$T/after$i.err"
	rc=$?
	# The library names its file only once the header and INFO record are
	# in it, so a file that exists must read.
	ok "$([ $rc -eq 0 ]; echo $?)" \
		"kill $i at ${m}s: the file reads (exit $rc, $(grep -c '^[0-9]' "$T/after$i") samples)"
	[ $rc -eq 0 ] || diag "$(head -c 300 "$T/after$i.err")"
	if [ -s "$T/snap$i" ] && "$BIN/cprof-raw" --no-symbolize "$T/snap$i" >"$T/before$i" 2>/dev/null; then
		grep '^[0-9]' "$T/before$i" | sort >"$T/b$i"
		grep '^[0-9]' "$T/after$i" | sort >"$T/a$i"
		lost=$(comm -23 "$T/b$i" "$T/a$i" | wc -l)
		kept=$(wc -l <"$T/b$i")
		lost_total=$((lost_total + lost)) kept_total=$((kept_total + kept))
		is "$lost" 0 "kill $i at ${m}s: all $kept samples written before the kill are in the file"
	else
		ok 0 "kill $i at ${m}s: the copy before the kill was too early to hold samples"
	fi
done
diag "SIGKILL: $kept_total samples seen in the copies before the kills, $lost_total lost"
is "$lost_total" 0 "no sample written before a kill was lost ($kept_total checked)"
