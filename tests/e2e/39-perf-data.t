#!/bin/bash
# perf.data, with the real peer: `perf record` records samples/abc and
# samples/forker in this run (frame-pointer callchains, kernel frames, a
# fixed period (-c), and
# --call-graph dwarf stacks that cprof unwinds with libdw),
# and `perf report` on the same file gives the function shares cprof must
# show: every function both name has the same self period (exactly) and
# the same children share (perf's two decimals), and the totals agree.
# Also: threads and process names reach the raw view, a forked child's
# frames resolve through its parent's mappings, and damaged files give one
# line and no output. JIT frames (node --perf-basic-prof) are named from
# /tmp/perf-PID.map in perf.data and in cprof's raw files.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/30-pprof-lib.sh"
[ -x "$BIN/cprof-top" ] && [ -x "$BIN/cprof-fold" ] && [ -x "$BIN/cprof-raw" ] &&
	[ -x "$PROGS/abc" ] && [ -x "$PROGS/forker" ] || skip_all "cprof tools or samples not built"
command -v perf > /dev/null || skip_all "perf is not installed (scripts/deps.sh test: linux-perf)"
run_limited 30 perf record -q -o "$T/probe.data" -- true > /dev/null 2>&1 ||
	skip_all "perf record cannot record here (perf_event_paranoid or a container)"
plan 75

# node --perf-basic-prof writes /tmp/perf-PID.map and never removes it: the
# node processes of this test write their pids to $T/*.nodepid first, and
# the maps of those pids (only those) go at exit, a failed or interrupted
# run included
remove_node_maps() {
	for f in "$T"/*.nodepid; do
		[ -s "$f" ] && rm -f "/tmp/perf-$(tr -cd 0-9 < "$f").map"
	done
	rm -rf "$T"
}
trap remove_node_maps EXIT
trap 'exit 1' HUP INT TERM

# "name self-period" and "name children%" from perf report, [.]/[k] dropped;
# perf's separate "NAME (inlined)" entries are left out (cprof counts an
# inlined function under its own name, together with its other calls). Two
# kernel symbols of one name (lruvec_stat_mod_folio.constprop.0, seen in
# CI) are two perf rows and one cprof function: their self periods are
# summed, and such a name is left out of the children shares (a stack
# through both would count once in cprof, twice in the sum).
perf_self() {
	perf report -i "$1" --stdio --no-children --sort sym -F period,sym -g none \
		--percent-limit 0 2> /dev/null | awk '!/^#/ && NF >= 3 && $NF != "(inlined)" { n = $3; for (i = 4; i <= NF; i++) n = n " " $i; s[n] += $1 }
			END { for (n in s) print n, s[n] }' |
		LC_ALL=C sort
}
perf_children() {
	perf report -i "$1" --stdio --children --sort sym -g none --percent-limit 0 2> /dev/null |
		awk '!/^#/ && NF >= 4 && $NF != "(inlined)" { n = $4; for (i = 5; i <= NF; i++) n = n " " $i; c = $1; sub(/%$/, "", c); k[n]++; v[n] = c }
			END { for (n in v) if (k[n] == 1) print n, v[n] }' |
		LC_ALL=C sort
}
compare() { # FILE WHAT
	local f=$1 what=$2
	perf_self "$f" > "$T/ps" && perf_children "$f" > "$T/pc"
	# perf report gives a sample in inlined code to the function it is
	# inlined into (unless it lists it as "NAME (inlined)", left out above);
	# cprof's stacks have the inlined frames (marked _[i] by --inline):
	# dropped here, so that such a sample's leaf is perf's too (a sample in
	# _dl_new_hash, inlined into ld.so's _dl_lookup_symbol_x, failed 1 run
	# in 25 before)
	"$BIN/cprof-fold" --inline --value cpu "$f" 2> /dev/null |
		awk '{ n = split($0, f, ";"); s = ""
			for (i = 1; i <= n; i++) if (i == n || f[i] !~ /_\[i\]$/) {
				if (i == n && f[i] ~ /_\[i\] -?[0-9]+$/) { sub(/^.*_\[i\]/, "", f[i]); s = s f[i]; continue }
				s = s (s == "" ? "" : ";") f[i] }
			print s }' | folded_top > "$T/cf"
	awk '{ t += $2 } END { print t + 0 }' "$T/cf" > "$T/ctot"
	# functions both name: self period, exactly
	local k
	k=$(awk 'NR == FNR { want[$1] = 1; next } ($1 in want)' "$T/ps" "$T/cf" | wc -l)
	is "$(awk 'NR == FNR { want[$1] = $2; next } ($1 in want) { print $1, $2 }' "$T/ps" "$T/cf")" \
		"$(awk 'NR == FNR { have[$1] = 1; next } ($1 in have) { print $1, $2 }' "$T/cf" "$T/ps")" \
		"$what: every function perf report names ($k in both) has its self period in cprof"
	is "$(awk '{ s += $2 } END { print s + 0 }' "$T/ps")" "$(cat "$T/ctot")" \
		"$what: the same total period"
	# (but ld.so's _start: its call to _dl_start returns to the label
	# _dl_start_user, which perf report names from the return address
	# itself and cprof, like pprof and gdb, from the call before it: a
	# sample during the loader's start is _start's in cprof and
	# _dl_start_user's in perf; seen once in CI, fixed period)
	is "$(awk -v t="$(cat "$T/ctot")" 'NR == FNR { want[$1] = 1; next }
		($1 in want) && $1 != "_start" { printf "%s %.2f\n", $1, 100 * $3 / t }' "$T/pc" "$T/cf" | LC_ALL=C sort)" \
		"$(awk 'NR == FNR { have[$1] = 1; next } ($1 in have) && $1 != "_start" { print $1, $2 }' "$T/cf" "$T/pc" |
			LC_ALL=C sort)" "$what: every function's children share is perf report's"
}

# 1. abc, frame pointers, kernel frames
run_limited 120 perf record -q -F 999 -g -o "$T/abc.data" -- "$PROGS/abc" 1 > /dev/null 2>&1
ok $? "perf record -g -- abc 1"
compare "$T/abc.data" "abc"
grep -q '^A ' "$T/cf" && grep -q '^B ' "$T/cf" && grep -q '^C ' "$T/cf" && grep -q '^main ' "$T/cf"
ok $? "abc: A, B, C and main are named (symbolized through the MMAP2 records)"
like "$("$BIN/cprof-fold" "$T/abc.data" 2> /dev/null | grep -c ';main;A;C ')" "^[1-9]" \
	"abc: C is called from A"

# 1b. --call-graph dwarf: the user stacks unwound offline with libdw, as
#     perf report unwinds them
run_limited 120 perf record -q -F 499 --call-graph dwarf -o "$T/dwarf.data" -- "$PROGS/abc" 1 \
	> /dev/null 2>&1
ok $? "perf record --call-graph dwarf -- abc 1"
compare "$T/dwarf.data" "abc, dwarf"
is "$(awk '$1 == "main" || $1 == "A" { print $1 }' "$T/cf" | sort | tr '\n' ' ')" "A main " \
	"abc, dwarf: A and main are on the unwound stacks"
"$BIN/cprof-top" "$T/dwarf.data" 2>&1 > /dev/null | grep -q 'could not be unwound'
ok $((! $?)) "abc, dwarf: every sample was unwound (no warning)"

# 1b'. the vdso's own CFI: most of clockloop's samples are in the vdso
#      (clock_gettime), some where it has no frame; without the vdso as a
#      module (it has no file: this system's image, build-id checked) 4 of
#      180 lost poll_clock
run_limited 120 perf record -q -F 999 --call-graph dwarf -o "$T/vdso.data" -- "$PROGS/clockloop" 0.5 \
	> /dev/null 2>&1
ok $? "perf record --call-graph dwarf -- clockloop"
"$BIN/cprof-fold" --value samples "$T/vdso.data" 2> /dev/null |
	awk '/__vdso_clock_gettime/ { v += $NF; if ($0 ~ /;main;poll_clock;/) k += $NF } END { print v + 0, k + 0 }' > "$T/vd"
read -r nv nk < "$T/vd"
[ "$nv" -ge 20 ] && [ "$nk" = "$nv" ]
ok $? "clockloop, dwarf: every sample in the vdso unwinds through poll_clock to main ($nk of $nv)"

# 1c. a fixed period (-c N): no PERIOD in the samples, each one stands for N
#     nanoseconds of cpu-clock, as perf report counts it
run_limited 120 perf record -q -e cpu-clock -c 200000 -g -o "$T/fixed.data" -- "$PROGS/abc" 0.5 \
	> /dev/null 2>&1
ok $? "perf record -e cpu-clock -c 200000 -g -- abc 0.5"
compare "$T/fixed.data" "abc, fixed period"

# 1c''. callchains cut to one side: --user-callchains leaves a sample taken
#       in the kernel without its kernel frames, --kernel-callchains of a :u
#       event leaves every sample without a frame; perf report then names
#       each sample by its ip, and so must cprof (it gave the user leaf, or
#       nothing at all: "0 of 1.06s")
run_limited 120 perf record -q -F 999 -g --user-callchains -o "$T/ucc.data" -- "$PROGS/abc" 0.5 \
	> /dev/null 2>&1
ok $? "perf record -g --user-callchains -- abc 0.5"
compare "$T/ucc.data" "abc, --user-callchains"
run_limited 120 perf record -q -F 999 -g -e task-clock:u --kernel-callchains -o "$T/kcc.data" \
	-- "$PROGS/abc" 0.5 > /dev/null 2>&1
ok $? "perf record -g -e task-clock:u --kernel-callchains -- abc 0.5"
perf_self "$T/kcc.data" > "$T/ps"
"$BIN/cprof-fold" --value cpu "$T/kcc.data" 2> /dev/null | folded_top > "$T/cf"
awk '$2 != 0 { print $1, $2 }' "$T/cf" > "$T/cs"
# the names both give (perf names a versioned alias: clock_gettime@@GLIBC_2.17
# for __clock_gettime), and the totals
is "$(awk 'NR == FNR { w[$1] = 1; next } ($1 in w)' "$T/ps" "$T/cs") $(awk '{ t += $2 } END { print t }' "$T/cs")" \
	"$(awk 'NR == FNR { w[$1] = 1; next } ($1 in w)' "$T/cs" "$T/ps") $(awk '{ t += $2 } END { print t }' "$T/ps")" \
	"abc, --kernel-callchains of a :u event: each function's self period is perf report's, and the total"

# 1c'. the user IP under a kernel part is where the interrupt or exception
#      stopped the program, not a return address: looked up as it is. Made
#      here: abc's text mapped, samples at B's first byte (one entered the
#      kernel there: a page fault, an IPI), called from main; B - 1 is A's
#      last byte, and the interrupted one was named A (forker's
#      thread_cpu_seconds lost a sample so, 1 run in 15 beside a second
#      make check)
b=$(nm "$PROGS/abc" | awk '$3 == "B" { print $1 }')
m=$(nm "$PROGS/abc" | awk '$3 == "main" { print $1 }')
text=$(readelf -lW "$PROGS/abc" | awk '$1 == "LOAD" && ($7 ~ /E/ || $8 ~ /E/) { print $2, $3 }')
ABC=$PROGS/abc B=$b M=$m TEXT=$text perl -e '
	my ($off, $va) = map { hex } split " ", $ENV{TEXT};
	my $base = 0x555555554000 + $va;
	my ($b, $m) = (0x555555554000 + hex($ENV{B}), 0x555555554000 + hex($ENV{M}) + 16);
	sub rec { my ($type, $misc, $body) = @_; pack("L<S<S<", $type, $misc, 8 + length $body) . $body }
	sub pad8 { my $s = shift; $s . "\0" x ((8 - length($s) % 8) % 8) }
	my $id = pack("L<L<Q<", 7, 7, 1);
	my $d = rec(3, 0, pack("L<L<", 7, 7) . pad8("abc\0") . $id);
	$d .= rec(10, 2, pack("L<L<Q<Q<Q<", 7, 7, $base, 0x1000, $off) . "\0" x 24 .
		pack("L<L<", 5, 2) . pad8("$ENV{ABC}\0") . $id);
	my $k = 0xffffffff81000100;
	for my $i (0 .. 3) {
		my @chain = $i % 2 ? (0xfffffffffffffe00, $b, $m) : (0xffffffffffffff80, $k, 0xfffffffffffffe00, $b, $m);
		$d .= rec(9, $i % 2 ? 2 : 1, pack("Q<L<L<Q<Q<Q<", $i % 2 ? $b : $k, 7, 7, 10 + $i, 1000000,
			scalar @chain) . pack("Q<*", @chain));
	}
	my $attr = pack("L<L<Q<Q<Q<Q<Q<", 1, 128, 0, 1000000, 1 | 2 | 4 | 32 | 256, 0, (1 << 18) | 1);
	$attr .= "\0" x (128 - length $attr);
	my $h = "PERFILE2" . pack("Q<*", 104, 144, 104, 144, 104 + 144, length $d, 0, 0, 0, 0, 0, 0);
	print $h, $attr, pack("Q<Q<", 0, 0), $d' > "$T/ipu.data"
is "$("$BIN/cprof-raw" "$T/ipu.data" 2> /dev/null | sed -n 's/.*[ ;]main;\([^;]*\).*/\1/p' | sort | uniq -c | awk '{ print $1, $2 }')" \
	"4 B" "the interrupted user IP is looked up as it is: B, with or without a kernel part"

# 1d. a "dummy" event first (perf record -a adds one after the sampled
#     event; -e dummy puts it first): its attr holds no samples, the event
#     read is the cpu-clock one, in nanoseconds, with no "2 events" warning
run_limited 120 perf record -q -e dummy -e cpu-clock -g -o "$T/dummy.data" -- "$PROGS/abc" 0.5 \
	> /dev/null 2>&1
ok $? "perf record -e dummy -e cpu-clock -g -- abc 0.5"
compare "$T/dummy.data" "abc, dummy event first"
is "$("$BIN/cprof-top" "$T/dummy.data" 2>&1 > /dev/null)" "" "abc, dummy event first: no warning"

# 1d''. two events (perf record -e cpu-clock,task-clock, ids after IP, TID
#       and TIME: no IDENTIFIER): the first one read, with a warning naming
#       both; --event reads the other; each one's total period is perf
#       report's event count (their samples were summed before)
run_limited 120 perf record -q -e cpu-clock,task-clock -F 999 -g -o "$T/two.data" -- "$PROGS/abc" 0.5 \
	> /dev/null 2>&1
ok $? "perf record -e cpu-clock,task-clock -g -- abc 0.5"
perf report -i "$T/two.data" --stdio 2> /dev/null |
	awk "/^# Samples: .* of event '/ { e = \$0; sub(/^.* of event '/, \"\", e); sub(/'.*/, \"\", e) }
	     /^# Event count/ { print e, \$NF }" > "$T/two.want"
for ev in "" cpu-clock task-clock; do
	"$BIN/cprof-fold" ${ev:+--event "$ev"} --value cpu "$T/two.data" 2> "$T/two.err" > "$T/two.folded"
	echo "${ev:-cpu-clock} $(awk '{ t += $NF } END { print t + 0 }' "$T/two.folded")"
done > "$T/two.got"
is "$(cat "$T/two.got")" "$(head -1 "$T/two.want"; cat "$T/two.want")" \
	"two events: each one's total is perf report's event count (the first by default)"
"$BIN/cprof-fold" "$T/two.data" 2>&1 > /dev/null | grep -q "2 events in this perf.data (cpu-clock, task-clock): only cpu-clock's"
ok $? "two events: the warning names both and the one read"
"$BIN/cprof-top" --event cycles "$T/two.data" > "$T/out.txt" 2> "$T/err.txt"
[ $? -ne 0 ] && [ ! -s "$T/out.txt" ] && grep -q "no event 'cycles' in this perf.data (it has: cpu-clock, task-clock)" "$T/err.txt"
ok $? "two events: --event cycles, which it lacks, is one error naming the events it has"

# 1d'. perf record -z: the records inside zstd-compressed records, a
#      record continuing from one into the next; read as perf report reads
#      them. A compressed payload damaged: one line naming it, no output.
run_limited 120 perf record -q -z -F 999 -g -o "$T/z.data" -- "$PROGS/abc" 0.5 > /dev/null 2>&1
ok $? "perf record -z -g -- abc 0.5"
[ "$(perf report -i "$T/z.data" --header-only 2> /dev/null | grep -c '^# compressed : Zstd')" = 1 ]
ok $? "abc, -z: perf says its records are zstd-compressed"
compare "$T/z.data" "abc, -z"
# (perf record -z writes no build-ids: a sample in the vdso warns that this
# system's vdso is used unchecked, as perf report uses it)
is "$("$BIN/cprof-top" "$T/z.data" 2>&1 > /dev/null | grep -v 'no recorded build-id to check it against: this system.s vdso is used')" "" \
	"abc, -z: no warning (but the vdso's)"
# with --call-graph dwarf the stream is ~100 times the compressed size and
# its 8 KiB records straddle compressed records
run_limited 120 perf record -q -z -F 499 --call-graph dwarf -o "$T/zd.data" -- "$PROGS/abc" 0.5 \
	> /dev/null 2>&1
ok $? "perf record -z --call-graph dwarf -- abc 0.5"
compare "$T/zd.data" "abc, -z, dwarf"
is "$("$BIN/cprof-top" "$T/zd.data" 2>&1 > /dev/null | grep -v 'no recorded build-id to check it against: this system.s vdso is used')" "" \
	"abc, -z, dwarf: no warning (but the vdso's)"
perl -e 'local $/; my $d = <STDIN>; my ($off, $size) = unpack("Q<Q<", substr($d, 40, 16));
	for (my $p = $off; $p + 8 <= $off + $size;) {
		my ($type, $misc, $len) = unpack("L<S<S<", substr($d, $p, 8));
		last if $len < 8;
		if ($type == 81 && $len > 64) { substr($d, $p + 8, 16) = "\xff" x 16; last }
		$p += $len;
	}
	print $d' < "$T/z.data" > "$T/zbad.data"
"$BIN/cprof-top" "$T/zbad.data" > "$T/out.txt" 2> "$T/err.txt"
[ $? -ne 0 ] && [ ! -s "$T/out.txt" ] && [ "$(wc -l < "$T/err.txt")" = 1 ] && grep -q 'zbad.data: compressed record at byte' "$T/err.txt"
ok $? "abc, -z, a compressed payload damaged: one line naming the file and the record, no output ($(cat "$T/err.txt"))"

# 1d''. pipe mode (perf record -o -): a 16-byte header, then the events'
#      attrs, features and build-ids as records before the samples; read as
#      perf report reads it (perf writes to stdout: abc's own output goes
#      elsewhere), frame pointers, dwarf and -z. Cut short: one line.
pipe_rec() { # FILE PERF-OPTIONS...
	local f=$1
	shift
	run_limited 120 perf record -q "$@" -o - -- sh -c '"$1" 0.5 > /dev/null' sh "$PROGS/abc" \
		2> /dev/null > "$f"
}
pipe_rec "$T/pipe.data" -F 999 -g
[ $? -eq 0 ] && [ "$(od -An -tu8 -j8 -N8 "$T/pipe.data" | tr -d ' ')" = 16 ]
ok $? "perf record -g -o - (pipe mode): a 16-byte header"
compare "$T/pipe.data" "abc, pipe mode"
pipe_rec "$T/piped.data" -F 499 --call-graph dwarf
compare "$T/piped.data" "abc, pipe mode, dwarf"
pipe_rec "$T/pipez.data" -z -F 999 -g
compare "$T/pipez.data" "abc, pipe mode, -z"
head -c $(($(wc -c < "$T/pipe.data") / 2)) "$T/pipe.data" > "$T/pipecut.data"
"$BIN/cprof-top" "$T/pipecut.data" > /dev/null 2> "$T/err.txt"
grep -q 'pipecut.data: warning: perf.data cut short' "$T/err.txt"
ok $? "pipe mode cut in the middle: a warning that it is cut short ($(head -1 "$T/err.txt"))"

# 1e. another kernel's recording (its [kernel.kallsyms] build-id changed by
#     one bit here): this kernel's symbols would name its frames wrongly, so
#     they are one [kernel] frame, with a warning, as perf report leaves them
kb=$(perf buildid-list -i "$T/abc.data" 2> /dev/null | awk '$2 == "[kernel.kallsyms]" { print $1 }')
kn=$(perf report -i "$T/abc.data" --stdio --no-children --sort sym -g none 2> /dev/null |
	awk '$2 == "[k]" { print $3 }')
if [ -n "$kb" ] && [ -n "$kn" ] && [ -r /sys/kernel/notes ]; then
	KB=$kb perl -0777 -pe 'BEGIN { $f = pack("H*", $ENV{KB}); $t = $f; substr($t, 0, 1) ^= "\x01" }
		s/\Q$f\E/$t/g' "$T/abc.data" > "$T/other.data"
	like "$("$BIN/cprof-top" "$T/other.data" 2>&1 > /dev/null)" "recorded on another kernel" \
		"another kernel's perf.data: a warning names both build-ids"
	"$BIN/cprof-fold" "$T/other.data" 2> /dev/null | tr ';' '\n' | sed 's/ [0-9]*$//' | sort -u > "$T/onames"
	grep -q '^\[kernel\]$' "$T/onames" && ! echo "$kn" | grep -qxF -f "$T/onames"
	ok $? "another kernel's perf.data: its kernel frames are [kernel], none of the $(echo "$kn" | wc -l) names perf report gives"
	is "$("$BIN/cprof-fold" "$T/other.data" 2> /dev/null | sum_folded)" \
		"$("$BIN/cprof-fold" "$T/abc.data" 2> /dev/null | sum_folded)" \
		"another kernel's perf.data: every sample kept"
else
	for i in 1 2 3; do ok 0 "# SKIP no kernel frames or build-ids here"; done
fi

# 2. the raw view: every sample with its thread and process name
n=$(perf script -i "$T/abc.data" -F tid 2> /dev/null | wc -l)
is "$("$BIN/cprof-raw" "$T/abc.data" 2> /dev/null | awk '!/^#/ { n++ } END { print n + 0 }')" "$n" \
	"cprof-raw shows every sample perf script shows ($n)"
is "$("$BIN/cprof-raw" "$T/abc.data" 2> /dev/null | awk '!/^#/ { print $3 }' | sort -u)" "abc" \
	"cprof-raw names the process from the COMM records"

# 3. fork: the children's samples resolve through the parent's mappings
run_limited 120 perf record -q -F 499 -g -o "$T/fork.data" -- "$PROGS/forker" > /dev/null 2>&1
ok $? "perf record -g -- forker"
compare "$T/fork.data" "forker"
grep -q '^child_work ' "$T/cf" && grep -q '^parent_work ' "$T/cf"
ok $? "forker: child_work (the child's, mapped before the fork) and parent_work are named"

# 4. JIT code named from perf map files (/tmp/perf-PID.map): Debian's node
#    writes one with --perf-basic-prof; perf report reads it too
if command -v node > /dev/null; then
	cat > "$T/fib.js" << 'EOF'
require('fs').writeFileSync(process.argv[2], String(process.pid));
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
let s = 0; const end = Date.now() + 1000; while (Date.now() < end) s += fib(20);
console.log(s > 0);
EOF
	# (node leaves isolate-*-v8.log files in its working directory: $T)
	(cd "$T" && run_limited 120 perf record -q -F 499 -g -o "$T/node.data" -- \
		node --perf-basic-prof "$T/fib.js" "$T/perf.nodepid" > /dev/null 2>&1)
	[ -s "/tmp/perf-$(cat "$T/perf.nodepid" 2> /dev/null).map" ]
	ok $? "node wrote /tmp/perf-PID.map under the pid it wrote to its pid file (removed at exit)"
	# JS function names have spaces: compare the fib rows by their period
	want=$(perf report -i "$T/node.data" --stdio --no-children --sort sym -F period,sym -g none \
		--percent-limit 0 2> /dev/null | awk '/JS:.fib / { s += $1 } END { print s + 0 }')
	got=$("$BIN/cprof-fold" --value cpu "$T/node.data" 2> /dev/null |
		awk '{ n = split($0, f, ";"); if (f[n] ~ /^JS:.fib /) s += $NF } END { print s + 0 }')
	[ "$want" -gt 0 ]; ok $? "node: perf report names JS fib from the map file ($want)"
	is "$got" "$want" "node perf.data: the JS fib frames' self period is perf report's"
	(cd "$T" && run_limited 120 "$BIN/cprof-record" -q -F 250 -o "$T/node.cprof" -- \
		node --perf-basic-prof "$T/fib.js" "$T/record.nodepid" > /dev/null 2>&1)
	"$BIN/cprof-top" --nodefraction 0 "$T/node.cprof" 2> /dev/null | grep -q 'JS:.fib '
	ok $? "node cprof raw file: the JIT frames are named from /tmp/perf-PID.map"
else
	for i in 1 2 3 4; do ok 0 "# SKIP node is not installed"; done
fi

# 4b. a Go binary stripped of .symtab and DWARF (-ldflags='-s -w', as Debian
#     ships Go programs): its frames are named from .gopclntab. The peer is
#     go tool pprof, which names them the same way (cmd/internal/objfile)
#     when it reads cprof's unsymbolized pprof of the same perf.data
if command -v go > /dev/null; then
	mkdir -p "$T/gosrc" "$T/home" && cp "$ROOT/tests/go/go.mod" "$ROOT/tests/go/"*.go "$T/gosrc/"
	(cd "$T/gosrc" && HOME=$T/home GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod \
		GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off CGO_ENABLED=0 \
		run_limited 300 go test -c -ldflags='-s -w' -o "$T/burn.test" . > "$T/go.log" 2>&1) &&
		! readelf -S "$T/burn.test" | grep -q ' \.symtab '
	ok $? "a Go test binary built without .symtab and DWARF" || diag "$(head -5 "$T/go.log")"
	BURN_MS=400 run_limited 120 perf record -q -e cpu-clock:u -F 499 -g -o "$T/go.data" -- \
		"$T/burn.test" -test.count=1 > /dev/null 2>&1
	ok $? "perf record -g -- the stripped Go binary"
	"$BIN/cprof-pprof" --no-symbolize "$T/go.data" -o "$T/go-raw.pb.gz" 2> /dev/null
	# (a sample in the vdso: cprof names it from its own vdso, pprof cannot)
	want=$(gopprof -top -nodefraction=0 -nodecount=100000 "$T/go-raw.pb.gz" | sed -n '/flat%/,$p' | grep -v vdso)
	is "$("$BIN/cprof-top" --nodefraction 0 -n 100000 "$T/go.data" 2> /dev/null | sed -n '/flat%/,$p' | grep -v vdso)" \
		"$want" "Go frames named from .gopclntab: cprof-top's rows are go tool pprof -top's ($(echo "$want" | grep -c 'burn.spin') spin functions)"
else
	for i in 1 2 3; do ok 0 "# SKIP go is not installed"; done
fi

# 5. damaged files: one line naming the file, no output, non-zero exit
head -c 50 "$T/abc.data" > "$T/cut.data"
"$BIN/cprof-top" "$T/cut.data" > "$T/out.txt" 2> "$T/err.txt"
[ $? -ne 0 ] && [ ! -s "$T/out.txt" ] && [ "$(wc -l < "$T/err.txt")" = 1 ]
ok $? "a perf.data cut inside its header: one line, no output, non-zero exit"
