#!/bin/bash
# The HTML report of the files of one run (a shell running abc twice, three
# processes): one time axis for all of them (the report's range reaches the
# second abc's last sample as cprof-raw places it), tracks grouped by
# process with their pids, every sample drawn on its thread's track.
. "$(dirname "$0")/../e2e/lib.sh"
[ -x /usr/bin/chromium ] || { echo "1..1"; echo "not ok 1 - /usr/bin/chromium is missing (scripts/deps.sh web)"; exit 1; }
if ! run_limited 60 "$BIN/cprof-record" -q -o "$T/r" -- sh -c \
	"\"$PROGS/abc\" 0.3 >/dev/null; \"$PROGS/abc\" 0.3 >/dev/null" 2>"$T/rec.err"; then
	echo "1..1"; echo "not ok 1 - cprof-record sh -c 'abc; abc'"; diag "$(cat "$T/rec.err")"; exit 1
fi
"$BIN/cprof-raw" "$T/r" "$T"/r.* > "$T/all.raw" 2> /dev/null &&
	"$BIN/cprof-html" "$T/r" "$T"/r.* -o "$T/r.html" 2> "$T/html.err" || {
	echo "1..1"; echo "not ok 1 - cprof-html r r.*"; diag "$(cat "$T/html.err")"; exit 1; }
# pid of each thread, from the '# pid' and '# threads' header lines
awk '/^# pid: / { pid = $3 } /^# threads: / { sub(/^# threads: [0-9]*:/, ""); n = split($0, t, ","); for (i = 1; i <= n; i++) { split(t[i], f, " "); print f[1], pid } }' \
	"$T/all.raw" > "$T/pids"
cd "$ROOT/tests/web" && exec timeout -k 5 120 node report-processes.js "$T/r.html" "$T/all.raw" "$T/pids"
