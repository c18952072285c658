# Shared helpers for the end-to-end TAP tests (bash). Source it first:
#   . "$(dirname "$0")/lib.sh"
# It sets BIN, LIB, PROGS (the build's tools, sampler and sample programs),
# makes a private scratch directory $T (removed at exit), and gives TAP
# functions: plan N, ok COND-EXIT "name", is GOT WANT "name", like GOT REGEX
# "name", within GOT WANT PCT "name", skip_all "why", diag "text".
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${CPROF_BUILD:-$ROOT/build}
BIN=$BUILD/bin
LIB=$BUILD/lib
PROGS=$BUILD/samples
T=$(mktemp -d "${TMPDIR:-/tmp}/cprof-e2e.XXXXXX")
# the symbol cache of every test starts empty, and never lands in $HOME
export XDG_CACHE_HOME="$T/cache"
trap 'rm -rf "$T"' EXIT
_tap_n=0
_tap_failed=0

plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# a failure's diagnostics, on stdout for TAP and on stderr, which prove shows
# without -v (make check's log then says what went wrong)
fail_diag() { diag "$@"; diag "$@" >&2; }

# ok STATUS NAME: passes when STATUS is 0 (use: cmd; ok $? "name").
ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_tap_n - $2"; else
		echo "not ok $_tap_n - $2"; echo "# not ok $_tap_n - $2" >&2; _tap_failed=$((_tap_failed + 1)); fi
}
is() {
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; fail_diag "got:  '$1'" "want: '$2'"; fi
}
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then ok 0 "$3"; else ok 1 "$3"; fail_diag "got: '$1'" "does not match: /$2/"; fi
}
# within GOT WANT PCT NAME: |GOT - WANT| <= PCT% of WANT
within() {
	if awk -v g="$1" -v w="$2" -v p="$3" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(w > 0 ? d <= w * p / 100 : g == 0) }'; then
		ok 0 "$4 ($1 vs $2, within $3%)"
	else ok 1 "$4"; fail_diag "got $1, want $2 within $3%"; fi
}
# Runs a command with a time limit, so no test can hang CI.
run_limited() { timeout -k 5 "$@"; }

# build_abc: compiles $T/abc, the story's program (main calls A, A;C, B in
# the 5:3:4 pattern), for bench/aggregate-gen --abc to synthesize raw files
# of it with its real symbols. Exit status of the compiler.
build_abc() {
	cat > "$T/abc.c" <<'PROG'
volatile unsigned long sink;
void C(void) { for (int i = 0; i < 1000; i++) sink += i; }
void A(int c) { for (int i = 0; i < 1000; i++) sink += i; if (c) C(); }
void B(void) { for (int i = 0; i < 1000; i++) sink ^= i; }
int main(void) { for (int k = 0; k < 12; k++) { if (k < 5) A(0); else if (k < 8) A(1); else B(); } return 0; }
PROG
	cc -O1 -g -fno-inline -fno-omit-frame-pointer -o "$T/abc" "$T/abc.c"
}
