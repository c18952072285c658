#!/usr/bin/env bash
# What the sampler leaves behind when a process ends or execs the hard way:
# _exit (dash ends with it) closes the file like exit (END, no zero tail); a
# failed exec (dash trying each PATH directory, an exec of a file that is
# not executable) leaves no new file and recording goes on in the same one;
# a relative CPROF_OUT lands beside the first file whatever directory the
# children run in; --max-depth / CPROF_MAX_DEPTH set how deep stacks go.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$PROGS/abc" ] || skip_all "cprof-record or samples not built"
command -v perl >/dev/null || skip_all "perl not installed"
plan 14

# clean FILE...: every file reads with its END record and has no zero tail
# (the file grows in 8 MiB steps: a file left unclosed is at least that)
clean() {
	local f bad=0
	for f in "$@"; do
		if ! "$BIN/cprof-raw" --no-symbolize "$f" >"$T/clean.out" 2>"$T/clean.err" ||
			grep -qi 'no END record' "$T/clean.err" || [ "$(stat -c %s "$f")" -ge 4194304 ]; then
			bad=$((bad + 1))
			diag "$f: $(head -c 200 "$T/clean.err") ($(stat -c %s "$f") bytes)"
		fi
	done
	return $bad
}

# 1. a subshell (dash forks for it) runs a command looked up in PATH: it
# tries /usr/local/sbin, /usr/local/bin, ... before it finds perl; dash
# ends with _exit. Files: sh, the subshell before its exec, perl.
mkdir "$T/a"
run_limited 60 "$BIN/cprof-record" -q -o "$T/a/x.cprof" -- sh -c '(perl -e "1 for 1..3e6"); true'
ok $? "sh -c '(perl ...); true' runs"
files=$(ls "$T/a")
is "$(echo "$files" | wc -l | tr -d ' ')" 3 "three files: sh, the subshell before its exec, perl (none per failed exec)"
diag "$(echo $files)"
clean "$T"/a/*
ok $? "every file ends with its END record, with no zero tail (sh ends with _exit)"

# 2. a command that is nowhere in PATH: the subshell's file, closed
mkdir "$T/b"
run_limited 60 "$BIN/cprof-record" -q -o "$T/b/x.cprof" -- sh -c '(no-such-command-cprof 2>/dev/null); true'
is "$(ls "$T/b" | wc -l | tr -d ' ')" 2 "a command found nowhere in PATH: sh's file and the subshell's, nothing more"
clean "$T"/b/*
ok $? "... both closed cleanly"

# 3. an exec that fails on a file that exists (not executable): recording
# goes on in the same file, which ends cleanly with the samples after it
mkdir "$T/c"
: >"$T/noexec"
run_limited 60 "$BIN/cprof-record" -q -F 1000 -o "$T/c/x.cprof" -- perl -e '
	exec("'"$T"'/noexec") or 1; my $x = 0; $x += $_ for 1..4e6; print "done\n"' >"$T/c.out"
is "$(cat "$T/c.out")" "done" "perl goes on after its exec failed"
is "$(ls "$T/c" | wc -l | tr -d ' ')" 1 "a failed exec leaves no new file"
clean "$T/c/x.cprof"
ok $? "... and the one file ends cleanly"
n=$("$BIN/cprof-raw" --no-symbolize "$T/c/x.cprof" 2>/dev/null | sed -n 's/^# samples: \([0-9]*\).*/\1/p')
ok "$([ "${n:-0}" -gt 50 ]; echo $?)" "... with the samples taken after the failed exec (${n:-0})"

# 4. a relative CPROF_OUT: children that run in another directory write
# beside the first file
mkdir -p "$T/d/sub"
(cd "$T/d" && CPROF_OUT=rel.cprof LD_PRELOAD="$LIB/libcprof-sample.so" run_limited 60 \
	sh -c 'cd sub && "$0" 0.05 >/dev/null; true' "$PROGS/abc")
is "$(ls "$T/d/sub" | wc -l | tr -d ' ')" 0 "CPROF_OUT=rel.cprof: nothing written in the children's directory"
ok "$([ -f "$T/d/rel.cprof" ] && [ "$(ls "$T/d" | grep -c '^rel\.cprof\.')" -ge 1 ]; echo $?)" \
	"... the children's files are beside the first ($(ls "$T/d" | tr '\n' ' '))"

# 5. depth: 10000-frame recursion kept 500 frames deep, flagged truncated
deep=$BUILD/torture/deep
if [ -x "$deep" ]; then
	run_limited 60 "$BIN/cprof-record" -q -F 1000 --max-depth 500 -o "$T/deep.cprof" -- "$deep" 10000 200 >/dev/null
	read -r max cut <<<"$("$BIN/cprof-raw" --no-symbolize "$T/deep.cprof" 2>/dev/null | awk '!/^#/ {
		n = split($NF, f, ";"); if (f[1] == "[truncated]") { c++; n-- } if (n > m) m = n } END { print m + 0, c + 0 }')"
	ok "$([ "$max" -eq 500 ] && [ "$cut" -gt 0 ]; echo $?)" "--max-depth 500: stacks cut at 500 frames and flagged ($cut cut, deepest $max)"
else
	ok 0 "# SKIP torture programs not built"
fi
"$BIN/cprof-record" --max-depth 2000 -- true 2>"$T/err"
ok "$([ $? -eq 2 ] && grep -q "bad --max-depth '2000': want a depth from 1 to 1024" "$T/err"; echo $?)" "--max-depth 2000 is refused before running"
# the INFO record comes first in every file, before any sample: a tick of
# the starting thread's timer between the start of recording and INFO put
# a sample first, and cprof-record then did not count the file as the
# run's ("nothing was recorded", exit 2: 4 runs of /bin/true in 40 at 20 kHz)
bad=0
for i in $(seq 30); do
	run_limited 30 "$BIN/cprof-record" -q -F 20000 -o "$T/short.cprof" -- true 2>>"$T/short.err" || bad=$((bad + 1))
done
is "$bad" 0 "30 runs of true at 20 kHz: every file is counted as the run's (exit 0)"
