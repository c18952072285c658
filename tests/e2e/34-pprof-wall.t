#!/bin/bash
# A wall-clock recording (samples/sleeper: half burning, half asleep)
# through cprof-pprof: go tool pprof sees sample types samples/count and
# wall/nanoseconds, and per-function wall time equal to cprof's reading.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/30-pprof-lib.sh"
P=$BIN/cprof-pprof
[ -x "$P" ] && [ -x "$BIN/cprof-raw" ] && [ -x "$BIN/cprof-fold" ] && [ -x "$BIN/cprof-record" ] &&
	[ -x "$PROGS/sleeper" ] || skip_all "cprof-pprof, cprof-raw, cprof-fold, cprof-record or samples/sleeper not built"
command -v go > /dev/null || skip_all "go is not installed (scripts/deps.sh test)"
plan 6
mkdir -p "$T/home"

run_limited 60 "$BIN/cprof-record" -q --mode wall -o "$T/wall.cprof" -- "$PROGS/sleeper" 1 > /dev/null
ok $? "cprof-record --mode wall -- sleeper 1"
"$P" "$T/wall.cprof" -o "$T/wall.pb.gz"; ok $? "cprof-pprof converts it"
raw=$(gopprof -raw "$T/wall.pb.gz")
like "$(echo "$raw" | sed -n '/^Samples:/{n;p}')" "^samples/count wall/nanoseconds$" \
	"go tool pprof -raw: sample types samples/count wall/nanoseconds"
like "$(echo "$raw" | grep '^PeriodType')" "^PeriodType: wall nanoseconds$" "period type wall/nanoseconds"
is "$(go_top "$T/wall.pb.gz" wall)" "$("$BIN/cprof-fold" --value wall "$T/wall.cprof" | folded_top)" \
	"go tool pprof -top (wall) = cprof's per-function flat/cum"
w=$("$BIN/cprof-raw" "$T/wall.cprof" | awk '!/^#/ { w += $4 } END { printf "%d", w }')
is "$(go_top "$T/wall.pb.gz" wall | awk '{ s += $2 } END { printf "%d", s }')" "$w" \
	"total wall time = the sum of cprof-raw's weights"
