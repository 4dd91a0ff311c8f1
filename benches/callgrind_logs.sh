#!/usr/bin/env bash
# Instructions per byte of ferrule's access-log parser (issue #5; goal <= 20), counted by
# callgrind on a fixed chunk: one sequential in-memory parse_bytes of the real shared sample
# (../shared/data/logs/access/apache_combined.log, 2.37 MB, 10,000 lines) with the combined
# preset, plus the nginx format equal to combined. Only the parse is counted (--toggle-collect on
# the example's `parse`): reading the file, process start-up and freeing the table are not.
# Instruction counts do not depend on machine noise, so one run is the figure.
#
# Usage: benches/callgrind_logs.sh [--annotate] [FILE]
#   --annotate   also print callgrind_annotate's top functions and the hottest source lines of
#                core/src/logs/ (needs the line tables this script builds with).
#
# The example is built with symbols and line tables (the release profile strips them) into its
# own target directory, target/callgrind, so the shared release build is not invalidated. Under
# valgrind, CPUID reports no AVX-512; memchr uses AVX2 as it would natively on most machines.
set -euo pipefail
cd "$(dirname "$0")/.."

annotate=0
if [[ "${1:-}" == "--annotate" ]]; then annotate=1; shift; fi
file="${1:-../shared/data/logs/access/apache_combined.log}"
if [[ ! -f "$file" ]]; then
  echo "skipped: $file is absent (../shared not checked out); instructions/byte are measured on real logs only"
  exit 0
fi
if ! command -v valgrind >/dev/null; then
  echo "skipped: valgrind is not installed (apt-get install -y valgrind)"
  exit 0
fi

target=target/callgrind
CARGO_TARGET_DIR=$target CARGO_PROFILE_RELEASE_STRIP=none CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
  cargo build --quiet --release -p ferrule-benches --example parse_once
bin=$target/release/examples/parse_once
out=$target/out
mkdir -p "$out"

nginx='nginx:$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"'
# The same real lines with the user agent's closing quote removed: every line fails at its end.
malformed=$out/malformed.log
sed 's/"$//' "$file" >"$malformed"

count() { # label spec file -> one table row; sets $per_line
  local label=$1 spec=$2 input=$3 name=$4
  local cg=$out/callgrind.$name.out counts lines ok errors ir nbytes
  # The example's `parse` is #[inline(never)]; its demangled name is parse_once::parse.
  counts=$(valgrind --tool=callgrind --callgrind-out-file="$cg" --dump-instr=yes \
    --toggle-collect='*parse_once*parse*' "$bin" "$input" "$spec" 2>"$out/valgrind.$name.log")
  read -r nbytes lines ok errors <<<"$counts"
  ir=$(sed -n 's/^summary: //p' "$cg")
  if [[ -z "$ir" || "$ir" == 0 ]]; then
    echo "callgrind counted nothing for $name (toggle-collect did not match; see $out/valgrind.$name.log)" >&2
    exit 1
  fi
  per_line=$((ir / lines))
  awk -v n="$label" -v b="$nbytes" -v l="$lines" -v o="$ok" -v e="$errors" -v ir="$ir" \
    'BEGIN { printf "| %s | %d | %d (%d/%d) | %d | %.1f | %.0f |\n", n, b, l, o, e, ir, ir / b, ir / l }'
}

printf '| input, format | bytes | lines (ok/errors) | instructions | instructions/byte | instructions/line |\n|---|---|---|---|---|---|\n'
count "sample, combined preset" combined "$file" combined
good=$per_line
count "sample, nginx = combined" "$nginx" "$file" nginx
count "sample with the user agent's closing quote removed, combined preset" combined "$malformed" malformed
bad=$per_line
echo
echo "goal: <= 20 instructions/byte (counted: one parse_bytes, threads=1; file: $file)"
awk -v g="$good" -v b="$bad" 'BEGIN { printf "goal: a malformed line costs <= 3x a good one: %.2fx in instructions\n", b / g }'

if [[ $annotate == 1 ]]; then
  cg=$out/callgrind.combined.out
  annotated=$out/annotate.combined.txt
  # Auto-annotation writes every source file it can find with per-line counts.
  callgrind_annotate --auto=yes --show-percs=yes --context=0 "$cg" >"$annotated" 2>/dev/null || true
  echo
  echo "== where the instructions go, inclusive: callgrind_annotate --inclusive=yes $cg"
  callgrind_annotate --inclusive=yes "$cg" 2>/dev/null | sed -n '/file:function/,/^$/p' | grep -v '(100.0%)' | sed -n '2,25p' || true
  echo
  echo "== self instructions by function: callgrind_annotate $cg"
  sed -n '/file:function/,/^$/p' "$annotated" | sed -n '2,25p' || true
  echo
  echo "== hottest lines of core/src/logs/*.rs (self Ir, callees excluded; full listing in $annotated)"
  awk '/^-- Auto-annotated source: .*core\/src\/logs\// { keep = 1; file = $NF; next }
       /^-- Auto-annotated source:/ { keep = 0 }
       keep && !/events annotated/ && /^ *[0-9][0-9,]* \( *[0-9.]+%\)  [^=]/ { sub(/^.*\/src\/logs\//, "", file); print file ": " $0 }' "$annotated" \
    | sort -t'(' -k2 -rn | head -30 || true
fi
