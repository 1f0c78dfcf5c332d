#!/usr/bin/env bash
# Runs every fuzz target one after the other (docs/fuzzing.md). Not part of .ci/run: it
# needs the nightly toolchain and cargo-fuzz, and a second full build (about 12 minutes on a
# 2-core machine) before the first run.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 3600)
# New inputs go to $FUZZ_WORK (default /tmp/runready-fuzz), not to the committed seeds;
# crashes to fuzz/artifacts/TARGET/. Ends with one line per target: runs, and the exit code.
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${1:-3600}"
work="${FUZZ_WORK:-/tmp/runready-fuzz}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for t in load_model scalars facts journal manifest_scan policy_result; do
  mkdir -p "$work/$t"
  cargo +nightly fuzz run -O --sanitizer none "$t" "$work/$t" "corpus/$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=1 -print_final_stats=1 > "$work/$t.log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$t.log" | grep -o '[0-9]*$')
  echo "$t: ${runs:-?} runs, exit $rc"
done
