#!/bin/bash
# cprof-html with hostile names (<img onerror>, </script>) from folded input,
# pprof input without timestamps, a truncated raw file, and bad command lines.
. "$(dirname "$0")/../e2e/lib.sh"
[ -x /usr/bin/chromium ] || { echo "1..1"; echo "not ok 1 - /usr/bin/chromium is missing (scripts/deps.sh web)"; exit 1; }
cd "$ROOT/tests/web" && exec timeout -k 5 120 node report-hostile.js "$BIN" "$ROOT/tests/golden" "$T"
