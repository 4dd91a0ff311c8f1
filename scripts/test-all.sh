#!/usr/bin/env bash
# `make test`: runs every part of the test suite, each through its own make target, keeps going
# after a failure so that one run shows everything that is broken, then prints one summary line
# per runtime. Exits non-zero if any part failed or ran no test.
set -uo pipefail
cd "$(dirname "$0")/.."

logs=build/test-logs
mkdir -p "$logs"
status=0
summary=()
total_passed=0
total_failed=0

# run PART TARGET COUNTER: runs `make TARGET`, logging to $logs/PART.log, then asks COUNTER for
# "passed failed" from the log.
run() {
  local part=$1 target=$2 counter=$3 log="$logs/$1.log" started=$SECONDS rc
  echo "=== $part (make $target)"
  make --no-print-directory "$target" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local counts passed failed
  counts=$($counter "$log")
  read -r passed failed <<<"$counts"
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  local line="$part: $passed passed, $failed failed"
  if [ "$rc" -ne 0 ]; then
    status=1
    echo "!!! $part failed (exit $rc), see $log"
  elif [ "$passed" -eq 0 ]; then
    status=1
    echo "!!! $part ran no test, see $log"
  fi
  summary+=("$line" "   ($part took $((SECONDS - started)) s)")
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

sum_pairs() { awk '{p += $1; f += $2} END {printf "%d %d\n", p, f}'; }

# cargo: "test result: ok. 12 passed; 0 failed; ..."
count_cargo() {
  sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$1" | sum_pairs
}
# pytest -q: "25 passed, 1 skipped in 0.31s" / "1 failed, 24 passed in ..."; plus stubtest.
count_python() {
  local passed failed stub
  # One summary line per pytest run ("... in 1.23s"; the vector tests run twice), summed.
  passed=$(grep -E ' in [0-9.]+s' "$1" | grep -Eo '[0-9]+ passed' | awk '{s += $1} END {print s + 0}')
  failed=$(grep -E ' in [0-9.]+s' "$1" | grep -Eo '[0-9]+ (failed|errors?)' | awk '{s += $1} END {print s + 0}')
  stub=$(grep -c '^Success: no issues found' "$1")
  echo "$((passed + stub)) $failed"
}
# node --test --test-reporter=tap: "# pass 20" / "# fail 0" (tsc and the generated-file check
# count through the exit code).
count_node() {
  local passed failed
  # One summary per `node --test` run (the vector tests run a second time on portable kernels).
  passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$1" | awk '{s += $1} END {print s + 0}')
  failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$1" | awk '{s += $1} END {print s + 0}')
  echo "${passed:-0} ${failed:-0}"
}
# C tests and scripts/checks.sh: "N passed, N failed".
count_plain() {
  sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$1" | sum_pairs
}

# Parts with both kinds of summary (the docs runner and its pytest run; the wheel's checks and
# the test suite per CPython).
count_mixed() {
  { count_plain "$1"; count_python "$1"; } | sum_pairs
}

started=$SECONDS
run lint lint count_plain
run rust test-rust count_cargo
run python test-python count_python
run node test-node count_node
run c test-c count_plain
run examples test-examples count_plain
run docs test-docs count_mixed
run wheel test-wheel count_mixed
run install test-install count_plain
run packaging test-packaging count_plain
run fuzz test-fuzz count_plain

echo
echo "=== summary ($((SECONDS - started)) s)"
printf '%s\n' "${summary[@]}"
echo "total: $total_passed passed, $total_failed failed"
exit $status
