#!/usr/bin/env bash
# Fuzz regressions: every input that once crashed a fuzz target
# (tests/fuzz/regress/TARGET/) and every hostile input of hostile-gen (plus
# a small one per format cut at every offset) replayed through the fuzz
# targets' checks (tests/fuzz/fuzz.h) in this build: under
# make check SAN=address,undefined that means with the sanitizers.
. "$(dirname "$0")/lib.sh"

R=$BUILD/fuzz-replay
[ -d "$R" ] || skip_all "no fuzz replay drivers in $R (make check builds them)"
targets=$(cd "$R" && ls | grep -v '\.d$')
[ -n "$targets" ] || skip_all "no fuzz replay drivers built yet"
"$BUILD/fuzz-tools/hostile-gen" "$T" || { echo "Bail out! hostile-gen failed"; exit 1; }

# The every-offset replay is quadratic: one small input of the target's own
# format (the writers' targets get a small pprof one).
prefix_input() {
	case $1 in
	raw) echo "$T/ok.names.cprof" ;;
	pprof_gz) echo "$T/ok.simple.pb.gz" ;;
	folded) echo "$T/ok.names.folded" ;;
	perfscript) echo "$ROOT/tests/fuzz/regress/perfscript/every-field-variant" ;;
	legacy) echo "$T/ok.names.gperftools.prof" ;;
	perfdata) echo "$T/ok.names.perf.data" ;;
	*) echo "$T/ok.simple.pb" ;;
	esac
}

# Known open bugs (docs/reliability.md): reported as TODO while open.
todo_for() {
	case "$1" in
	none-open) ;;
	esac
}

check() { # check RC OUTPUT NAME
	local why
	if [ "$1" -eq 0 ]; then ok 0 "$3"; return; fi
	why=$(todo_for "$2")
	if [ -n "$why" ]; then
		_tap_n=$((_tap_n + 1)); echo "not ok $_tap_n - $3 # TODO $why"
	else
		ok 1 "$3"
	fi
	diag "$(echo "$2" | grep -v '^replayed' | head -5)"
}

plan $(( $(echo "$targets" | wc -w) * 3 ))
for t in $targets; do
	reg=$ROOT/tests/fuzz/regress/$t
	if [ -d "$reg" ]; then
		out=$(run_limited 120 "$R/$t" "$reg" 2>&1)
		check $? "$out" "$t: the regression inputs ($(echo "$out" | tail -1))"
	else
		ok 0 "$t: no regression inputs yet"
	fi
	out=$(run_limited 300 "$R/$t" "$T" 2>&1)
	check $? "$out" "$t: every hostile input ($(echo "$out" | tail -1))"
	out=$(run_limited 300 "$R/$t" --prefixes "$(prefix_input "$t")" 2>&1)
	check $? "$out" "$t: a small $t input cut at every offset"
done
