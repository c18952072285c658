#!/usr/bin/env bash
# Offline symbolization of real recordings: a PIE executable, a library
# dlopen'd and dlclose'd during the run (its samples still get names), a
# stripped executable whose debug information lives in a separate file
# (found by build-id under --debug-dir), and an executable rebuilt after the
# recording (build-id mismatch: one warning, frames stay module+0xoffset).
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/cprof-record" ] && [ -x "$BIN/cprof-raw" ] && [ -x "$PROGS/dlopener" ] ||
	skip_all "cprof-record, cprof-raw or samples/dlopener not built"
command -v cc >/dev/null && command -v objcopy >/dev/null || skip_all "needs cc and objcopy"
plan 13

lines() { grep -v '^#' "$@"; }
# share of samples whose stack (after main) matches REGEX, in percent
share() { lines "$1" | awk -v re="$2" '{ n++; if ($NF ~ re) k++ } END { printf "%d", n ? 100 * k / n : 0 }'; }

# dlopen / dlclose: plugin_work runs from the library, after_unload after it is gone.
run_limited 60 "$BIN/cprof-record" -q -o "$T/dl.cprof" -- "$PROGS/dlopener" 0.3 > /dev/null 2>&1
ok $? "samples/dlopener recorded"
"$BIN/cprof-raw" "$T/dl.cprof" > "$T/dl.txt" 2> "$T/dl.err"
pw=$(share "$T/dl.txt" ';main;plugin_work(;|$)')
au=$(share "$T/dl.txt" ';main;after_unload(;|$)')
diag "dlopener: plugin_work $pw%, after_unload $au%"
ok $(( ! (pw >= 35 && au >= 35) )) "dlopen'd library symbolized although unloaded before the end (plugin_work $pw%, after_unload $au%)"
like "$(lines "$T/dl.txt" | grep -m1 plugin_work)" ';plugin_work;plugin_inner$' "functions inside the plugin have names too"
"$BIN/cprof-raw" --no-symbolize "$T/dl.cprof" | lines | grep -m1 -o 'libcprof-plugin.so+0x[0-9a-f]*' > "$T/plug.addr"
ok $? "--no-symbolize names the plugin's frames libcprof-plugin.so+0xoffset"

# A PIE built here, recorded, then stripped / rebuilt.
cat > "$T/pie.c" <<'EOF'
#include <stdlib.h>
#include <time.h>
static volatile unsigned long sink;
static double cpu(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec / 1e9; }
__attribute__((noinline)) void burn_here(double s) { double e = cpu() + s; unsigned long x = 0;
	do { for (unsigned long i = 0; i < 100000; i++) x += i ^ (x >> 3); } while (cpu() < e); sink += x; }
int main(int argc, char **argv) { burn_here(argc > 1 ? atof(argv[1]) : 0.3); return 0; }
EOF
cc -O1 -g -fPIE -pie -fno-omit-frame-pointer -Wl,--build-id -o "$T/pie" "$T/pie.c"
ok $? "PIE test program compiled"
run_limited 60 "$BIN/cprof-record" -q -o "$T/pie.cprof" -- "$T/pie" 0.3 > /dev/null 2>&1
bh=$( "$BIN/cprof-raw" "$T/pie.cprof" | tee "$T/pie.txt" | share /dev/stdin ';main;burn_here(;|$)')
ok $(( ! (bh >= 80) )) "PIE: samples in main;burn_here ($bh%)"

# The same program as a non-PIE executable (ET_EXEC at its link address).
cc -O1 -g -no-pie -fno-pie -fno-omit-frame-pointer -o "$T/nopie" "$T/pie.c" &&
	run_limited 60 "$BIN/cprof-record" -q -o "$T/nopie.cprof" -- "$T/nopie" 0.3 > /dev/null 2>&1
np=$("$BIN/cprof-raw" "$T/nopie.cprof" | share /dev/stdin ';main;burn_here(;|$)')
ok $(( ! (np >= 80) )) "non-PIE: samples in main;burn_here ($np%)"

# Stripped, with the debug file under a build-id directory.
bid=$(readelf -n "$T/pie" | awk '/Build ID/ { print $3 }')
mkdir -p "$T/dbg/.build-id/${bid:0:2}"
objcopy --only-keep-debug "$T/pie" "$T/dbg/.build-id/${bid:0:2}/${bid:2}.debug" &&
	objcopy --strip-all "$T/pie" "$T/pie.stripped" && mv "$T/pie.stripped" "$T/pie"
ok $? "executable stripped, debug file moved to DIR/.build-id/xx/yyyy.debug"
"$BIN/cprof-raw" "$T/pie.cprof" > "$T/nodbg.txt" 2>&1
like "$(lines "$T/nodbg.txt" | grep -v burn_here | head -1)" ' .*pie\+0x[0-9a-f]+' \
	"stripped, no debug file: frames are pie+0xoffset"
"$BIN/cprof-raw" --debug-dir "$T/dbg" "$T/pie.cprof" > "$T/dbg.txt" 2>&1
bh=$(share "$T/dbg.txt" ';main;burn_here(;|$)')
ok $(( ! (bh >= 80) )) "stripped + --debug-dir: names again ($bh% main;burn_here)"
cmp -s <(lines "$T/pie.txt") <(lines "$T/dbg.txt")
ok $? "stripped + separate debug file gives exactly the unstripped output"

# Rebuilt after the recording: another build-id.
sed -i 's/100000/100001/' "$T/pie.c"
cc -O1 -g -fPIE -pie -Wl,--build-id -o "$T/pie" "$T/pie.c"
"$BIN/cprof-raw" "$T/pie.cprof" > "$T/mm.txt" 2> "$T/mm.err"
is "$(grep -c 'build-id mismatch' "$T/mm.txt")" "1" "rebuilt binary: exactly one build-id mismatch warning"
is "$(lines "$T/mm.txt" | grep -c burn_here)" "0" "rebuilt binary: no wrong names, frames stay pie+0xoffset"
