#!/usr/bin/env bash
# A real program whose threads block every signal: xz -T2 starts its
# liblzma workers with all signals blocked (SigBlk fffffffe7ffbfeff). They
# are sampled at the asked rate (>= 80% of CPU x rate in liblzma), the
# output is unchanged, and the share of samples in liblzma agrees with
# `perf record -g` of the same command, run here, within 2 points.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] || skip_all "cprof-record not built"
command -v xz >/dev/null || skip_all "xz not installed (scripts/deps.sh installs xz-utils)"
plan 6

# ~4 MB of machine code (compresses like real data), four 1 MiB blocks
cat /usr/bin/* 2>/dev/null | head -c 4000000 >"$T/in"
usercpu() { # OUTFILE CMD...
	local out=$1; shift
	local TIMEFORMAT='%3U %3S'
	{ time "$@" >"$T/cmd.out" 2>"$T/cmd.err"; } 2>"$out"
}
XZ=(xz -3 -T2 --block-size=1MiB -c "$T/in")

usercpu "$T/cpu" run_limited 120 "$BIN/cprof-record" -q -F 1000 -o "$T/xz.cprof" -- "${XZ[@]}"
ok $? "xz -T2 runs under cprof-record"
cp "$T/cmd.out" "$T/out.xz"
xz -dc "$T/out.xz" | cmp -s - "$T/in"
ok $? "xz's output is unchanged (it decompresses to the input)"

"$BIN/cprof-raw" "$T/xz.cprof" >"$T/raw" 2>/dev/null
read -r total lzma workers <<<"$(awk '!/^#/ { t++; n = split($NF, f, ";"); if (f[n] ~ /liblzma/) l++
	if ($NF ~ /start_thread/) w[$2] = 1 } END { printf "%d %d %d", t, l, length(w) }' "$T/raw")"
cpu=$(awk '{ print $1 + $2 }' "$T/cpu")
want=$(awk -v c="$cpu" 'BEGIN { printf "%d", c * 1000 }')
ok "$(awk -v g="$lzma" -v w="$want" 'BEGIN { exit !(g >= 0.8 * w) }'; echo $?)" \
	"samples in liblzma >= 80% of CPU x rate ($lzma samples, CPU x rate $want)"
ok "$([ "$workers" -ge 2 ]; echo $?)" "both worker threads (started with every signal blocked) are sampled ($workers)"

# the peer: perf's share of liblzma among its samples (self, by object),
# user mode only as cprof (perf samples the kernel too when it may)
if ! run_limited 120 perf record -q -g --all-user -F 1000 -o "$T/perf.data" -- "${XZ[@]}" >/dev/null 2>"$T/perf.err"; then
	ok 0 "# SKIP perf record cannot run here: $(head -c 200 "$T/perf.err")"
	ok 0 "# SKIP perf record cannot run here"
	exit 0
fi
perf_share=$(perf report -i "$T/perf.data" --sort dso --no-children -q --stdio 2>/dev/null |
	awk '$2 ~ /liblzma/ { sub("%", "", $1); s += $1 } END { printf "%.2f", s }')
cprof_share=$(awk -v l="$lzma" -v t="$total" 'BEGIN { printf "%.2f", t ? 100 * l / t : 0 }')
ok "$([ "$total" -gt 0 ]; echo $?)" "cprof has samples ($total)"
ok "$(awk -v a="$cprof_share" -v b="$perf_share" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= 2) }'; echo $?)" \
	"share of samples in liblzma: cprof $cprof_share%, perf $perf_share% (within 2 points)"
