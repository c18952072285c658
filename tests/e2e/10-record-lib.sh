# Shared by the recording tests (tests/e2e/10-record-abc.t,
# 28-record-kernel.t): the CPU time a command used, and what a recording
# holds as cprof-raw reads it (a raw file or perf.data).

# CPU seconds (user and system) of a command, from bash's own rusage of the
# child. The task clock counts both: a tick that falls in the kernel is
# delivered on the return to user mode, at the user stack that made the call.
usercpu() { # OUTFILE CMD...
	local out=$1; shift
	local TIMEFORMAT='%3U %3S'
	{ time "$@" >"$T/cmd.out" 2>"$T/cmd.err"; } 2>"$out"
}

# share (percent) of samples whose stack matches a regex, from cprof-raw
share() { # FILE REGEX
	"$BIN/cprof-raw" "$1" 2>/dev/null | awk -v re="$2" '
		/^#/ { next } { n++; if ($NF ~ re) k++ }
		END { printf "%.1f", n ? 100 * k / n : 0 }'
}
nsamples() { "$BIN/cprof-raw" "$1" 2>/dev/null | sed -n 's/^# samples: \([0-9]*\).*/\1/p'; }
