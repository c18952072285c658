#!/usr/bin/env bash
# Sampler torture: two libraries dlopen'ed, called and dlclose'd in turn, 40
# times each, so that one is often mapped where the other just was. Every
# sample inside a library is symbolized afterwards as that library's
# function (the MAPPING records and their order in time say which library
# was where), never as the other's, never as a bare address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/60-torture-lib.sh"
plan 7

A=$TORTURE/libtortdla.so B=$TORTURE/libtortdlb.so
plain dlopen 60 "$TORTURE/dlopen" "$A" "$B" 40 15
profiled dlopen 120 -F 1000 -- "$TORTURE/dlopen" "$A" "$B" 40 15
same_behaviour dlopen
stacks "$T/dlopen.cprof" >"$T/dl.stacks"
na=$(grep -c 'call_in_a;tortdl_a_spin' "$T/dl.stacks")
nb=$(grep -c 'call_in_b;tortdl_b_spin' "$T/dl.stacks")
ok "$([ "$na" -ge 100 ]; echo $?)" "samples in library A are named tortdl_a_spin ($na)"
ok "$([ "$nb" -ge 100 ]; echo $?)" "samples in library B are named tortdl_b_spin ($nb)"
is "$(grep -c 'call_in_a;tortdl_b\|call_in_b;tortdl_a' "$T/dl.stacks")" 0 "no sample is given the other library's name"
is "$(grep -c 'call_in_[ab];[^;]*+0x' "$T/dl.stacks")" 0 "no sample inside a library stays a bare module+offset"
base=$("$BIN/cprof-raw" --no-symbolize "$T/dlopen.cprof" 2>/dev/null | awk '!/^#/ { print $NF }' | grep -o 'libtortdl[ab]\.so' | sort -u | tr '\n' ' ')
is "$base" "libtortdla.so libtortdlb.so " "--no-symbolize: the frames fall in both libraries' mappings"
"$BIN/cprof-raw" "$T/dlopen.cprof" >/dev/null 2>"$T/dl.err"
is "$(grep -c 'build-id\|mismatch' "$T/dl.err")" 0 "no build-id warning (each mapping is matched to its own file)"
