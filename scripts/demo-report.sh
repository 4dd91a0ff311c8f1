#!/usr/bin/env bash
# demo-report.sh PYTHON C_BINARY LOG: the access report of LOG from Python, Node and C, each
# printed, then compared: the three must agree on every line but the last (parse throughput).
set -euo pipefail
python=$1 c_binary=$2 log=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== Python: ferrule.logs.parse_file($log)"
"$python" examples/python/access_report.py "$log" | tee "$out/python"
echo "== Node: logs.parseFile"
node examples/node/access_report.mjs "$log" | tee "$out/node"
echo "== C: ferrule_log_parse_file"
"$c_binary" "$log" | tee "$out/c"
for runtime in node c; do
  if ! diff <(sed '$d' "$out/python") <(sed '$d' "$out/$runtime") >"$out/diff"; then
    echo "the $runtime report differs from Python's:"; cat "$out/diff"; exit 1
  fi
done
echo "== Python, Node and C agree on every number of the report"
