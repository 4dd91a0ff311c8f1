#!/usr/bin/env bash
# syslog-report.sh PYTHON C_BINARY: the system-log report of the bundled examples/data/auth.log
# (BSD syslog across a year turn) and examples/data/app.jsonl from Python, Node and C, each
# printed, then compared: the three must print the same report, byte for byte.
set -euo pipefail
python=$1 c_binary=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== Python: logs.parse_file(..., format=\"syslog_rfc3164\") and format=\"jsonl\""
"$python" examples/python/syslog_report.py | tee "$out/python"
echo "== Node"
node examples/node/syslog_report.mjs >"$out/node"
echo "== C"
"$c_binary" >"$out/c"
for runtime in node c; do
  if ! diff "$out/python" "$out/$runtime" >"$out/diff"; then
    echo "the $runtime report differs from Python's:"; cat "$out/diff"; exit 1
  fi
done
echo "== Python, Node and C print the same report"
