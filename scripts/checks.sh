#!/usr/bin/env bash
# checks.sh CMD...: runs each shell command (all of them, even after a failure), then prints
# "N passed, N failed" and exits non-zero if any failed. For test parts made of whole commands
# (lint, examples, install, packaging) rather than of a test runner's cases.
set -uo pipefail
passed=0
failed=0
for cmd in "$@"; do
  echo "--- $cmd"
  if bash -eo pipefail -c "$cmd"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $cmd"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
