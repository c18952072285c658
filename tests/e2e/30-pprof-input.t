#!/bin/bash
# cprof-pprof: the command line, and every kind of bad input giving one clear
# line (tool: file: problem), a non-zero exit and no output file left behind.
. "$(dirname "$0")/lib.sh"
P=$BIN/cprof-pprof
[ -x "$P" ] || skip_all "cprof-pprof not built"
plan 29

cd "$T" || exit 1
# A small profile in folded form, and its pprof conversion.
printf 'main;A;B 30\nmain;A;C 20\nmain;C 5\n' > good.folded
"$P" good.folded -o good.pb.gz; ok $? "converts folded stacks"
gunzip -c good.pb.gz > good.pb 2>/dev/null; ok $? "the output is gzip"
"$P" good.pb.gz -o again.pb.gz && cmp -s good.pb.gz again.pb.gz
ok $? "pprof -> pprof again gives the same bytes"
"$P" good.folded -o again.pb.gz && cmp -s good.pb.gz again.pb.gz
ok $? "the same input gives the same bytes (deterministic)"
"$P" - < good.folded > stdin.pb.gz && cmp -s good.pb.gz stdin.pb.gz
ok $? "'-' reads stdin, and no -o writes stdout"
"$P" good.pb - < good.folded > merged.pb.gz; ok $? "merges several inputs"
"$P" --help | grep -q -- '--thread-labels'; ok $? "--help lists the options"

# One input error: exit status, the one line, and no file left.
expect_err() { # NAME WANT-REGEX FILE [options...]
	local name=$1 want=$2 f=$3; shift 3
	rm -f out.pb.gz
	"$P" "$@" "$f" -o out.pb.gz 2> err.txt
	local rc=$?
	if [ $rc -ne 0 ] && [ ! -e out.pb.gz ] && [ "$(wc -l < err.txt)" -eq 1 ] &&
		grep -Eq -- "^cprof-pprof: $f: $want\$" err.txt; then
		ok 0 "$name"
	else
		ok 1 "$name"; diag "rc=$rc, file left: $([ -e out.pb.gz ] && echo yes || echo no)" "stderr: $(cat err.txt)"
	fi
}

head -c 40 good.pb.gz > cut.pb.gz
expect_err "truncated gzip" "truncated gzip data" cut.pb.gz
cp good.pb.gz bad.pb.gz # a damaged CRC-32 in the trailer
printf '\xde\xad\xbe\xef' | dd of=bad.pb.gz bs=1 seek=$(( $(wc -c < good.pb.gz) - 8 )) conv=notrunc 2>/dev/null
expect_err "corrupt gzip" "corrupt gzip data: incorrect data check" bad.pb.gz
head -c $(( $(wc -c < good.pb) - 1 )) good.pb > cut.pb
expect_err "truncated protobuf" "truncated protobuf at byte [0-9]+( \(in .*\))?" cut.pb
{ cat good.pb; printf '\x0b'; } > wire.pb
expect_err "bad wire type" "bad protobuf at byte [0-9]+: wire type 3 in Profile" wire.pb
{ cat good.pb; printf '\x4a\x05ab'; } | gzip -n > badlen.pb.gz
expect_err "length past the end, gzipped" "truncated protobuf at byte [0-9]+ \(in Profile.time_nanos\)|bad protobuf at byte [0-9]+: .*" badlen.pb.gz

# Hand-made protobufs: sample_type {type=1 unit=2}, strings "", samples, count.
ST='\x0a\x04\x08\x01\x10\x02'
STRS='\x32\x00\x32\x07samples\x32\x05count'
printf "$ST"'\x12\x05\x0a\x01\x05\x10\x01'"$STRS" > badloc.pb
expect_err "sample refers to a missing location" \
	"sample 1 refers to location 5, which does not exist" badloc.pb
printf "$ST"'\x12\x05\x0a\x01\x00\x10\x01'"$STRS" > zeroloc.pb
expect_err "sample with location id 0" "sample 1 has location id 0" zeroloc.pb
printf "$ST"'\x22\x02\x18\x10'"$STRS" > zeroid.pb
expect_err "location with id 0" "location 1 has id 0" zeroid.pb
printf "$ST"'\x22\x04\x08\x01\x10\x09'"$STRS" > badmap.pb
expect_err "location refers to a missing mapping" \
	"location 1 refers to mapping 9, which does not exist" badmap.pb
printf "$ST"'\x22\x06\x08\x01\x22\x02\x08\x04'"$STRS" > badfn.pb
expect_err "line refers to a missing function" \
	"location 1 refers to function 4, which does not exist" badfn.pb
printf '\x0a\x04\x08\x01\x10\x09'"$STRS" > badstr.pb
expect_err "string index out of range" \
	"sample_type 1 unit refers to string 9, but the string table has 3 entries" badstr.pb
printf "$ST"'\x2a\x04\x08\x01\x10\x63'"$STRS" > badfnstr.pb
expect_err "function name out of range" \
	"function 1 name refers to string 99, but the string table has 3 entries" badfnstr.pb

# A gzip bomb: 64 MiB of zeros in ~64 KiB.
head -c 67108864 /dev/zero | gzip -n > bomb.gz
expect_err "gzip bomb stopped by --max-decompressed" \
	"decompressed size exceeds the 1048576-byte limit \(--max-decompressed\)" bomb.gz --max-decompressed 1M
expect_err "a higher limit lets it inflate (then it is no profile)" \
	"unrecognized format inside gzip.*" bomb.gz --max-decompressed 100M

# Inputs that do not merge: samples/count vs cpu/nanoseconds only.
printf '\x0a\x04\x08\x01\x10\x02\x32\x00\x32\x03cpu\x32\x0bnanoseconds' > cpu.pb
rm -f out.pb.gz
"$P" good.folded cpu.pb -o out.pb.gz 2> err.txt
rc=$?
[ $rc -ne 0 ] && [ ! -e out.pb.gz ] && grep -q 'cpu.pb: cannot merge' err.txt
ok $? "different sample types do not merge: $(cat err.txt)"

# An existing output file survives a failed run untouched.
cp good.pb.gz keep.pb.gz
"$P" cut.pb.gz -o keep.pb.gz 2>/dev/null
[ $? -ne 0 ] && cmp -s good.pb.gz keep.pb.gz; ok $? "a failed run leaves the old -o file as it was"
ls -A | grep -q '\.tmp\|cprof-tmp' ; [ $? -ne 0 ]; ok $? "no temporary file left behind"

# Output errors are errors.
if [ -w /dev/full ]; then
	"$P" good.folded > /dev/full 2> err.txt; [ $? -ne 0 ] && [ -s err.txt ]
	ok $? "a full disk is an error: $(head -1 err.txt)"
else ok 0 "# SKIP no /dev/full"; fi

# Binary output never goes to a terminal.
if command -v script > /dev/null; then
	script -qec "$P $T/good.folded; echo rc=\$?" /dev/null > tty.txt 2>&1
	grep -q 'refusing to write binary pprof data to a terminal' tty.txt && grep -q 'rc=2' tty.txt
	ok $? "refuses to write to a terminal"
else ok 0 "# SKIP no script(1)"; fi

"$P" 2> err.txt; [ $? -eq 2 ] && grep -q 'no input file' err.txt; ok $? "no input is a usage error"
"$P" --max-decompressed 12Q good.folded 2> err.txt; [ $? -eq 2 ] && grep -q "bad --max-decompressed '12Q': want a size" err.txt
ok $? "a bad --max-decompressed value is refused"
"$P" nonexistent.pb.gz -o out.pb.gz 2> err.txt; [ $? -ne 0 ] && grep -q '^cprof-pprof: nonexistent.pb.gz: ' err.txt
ok $? "a missing file is named: $(cat err.txt)"
