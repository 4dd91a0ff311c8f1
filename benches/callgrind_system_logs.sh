#!/usr/bin/env bash
# Instructions per byte of ferrule's system-log parsers (issue #6), counted by callgrind: one
# sequential in-memory parse_bytes of one unit of each real input that benches/make_system_data.py
# writes to target/bench-data/system-units/ (the loghub samples; JSON lines and logfmt derived from
# their records). Only the parse is counted (--toggle-collect on `parse_once` of the criterion
# bench binary, run as `system_logs --parse-once PATH FORMAT`): reading the file, process start-up
# and freeing the table are not. Instruction counts do not depend on machine noise, so one run is
# the figure.
#
# Usage: benches/callgrind_system_logs.sh [--copies N] [--annotate INPUT]
#   --copies N        parse each unit repeated N times (default 1): with N > 1 most dictionary
#                     lookups hit, as in the timed benches, where the first copy sees every
#                     value new.
#   --annotate INPUT  also print callgrind_annotate's top functions for that input (e.g. syslog,
#                     template-Zookeeper, jsonl) and the hottest lines of core/src/logs/.
#
# The bench binary is built with symbols and line tables (the release profile strips them) into
# target/callgrind, the directory benches/callgrind_logs.sh uses with the same settings, so the
# shared release build is not invalidated. Under valgrind, CPUID reports no AVX-512.
set -euo pipefail
cd "$(dirname "$0")/.."

annotate=""
copies=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --copies) copies=${2:?--copies needs a number}; shift 2 ;;
    --annotate) annotate=${2:?--annotate needs an input name}; shift 2 ;;
    *) echo "usage: $0 [--copies N] [--annotate INPUT]" >&2; exit 2 ;;
  esac
done
if ! [[ $copies =~ ^[1-9][0-9]*$ ]]; then echo "--copies: expected a positive integer" >&2; exit 2; fi
if ! command -v valgrind >/dev/null; then
  echo "skipped: valgrind is not installed (apt-get install -y valgrind)"
  exit 0
fi
units=target/bench-data/system-units
python3 benches/make_system_data.py --units-only
if [[ ! -f $units/syslog.log ]]; then
  echo "skipped: ../shared/data/logs/loghub is absent; instructions/byte are measured on real logs only"
  exit 0
fi

target=target/callgrind
export CARGO_TARGET_DIR=$target CARGO_PROFILE_RELEASE_STRIP=none CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
bin=$(cargo bench --quiet --no-run -p ferrule-benches --bench system_logs --message-format=json 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*system_logs[^"]*\)".*/\1/p' | tail -1)
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "could not build the system_logs bench binary" >&2
  exit 1
fi
out=$target/out
mkdir -p "$out"

declare -A templates=(
  [Linux]='<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>'
  [OpenSSH]='<Date> <Day> <Time> <Component> sshd[<Pid>]: <Content>'
  [HDFS]='<Date> <Time> <Pid> <Level> <Component>: <Content>'
  [Spark]='<Date> <Time> <Level> <Component>: <Content>'
  [Zookeeper]='<Date> <Time> - <Level>  [<Node>:<Component>@<Id>] - <Content>'
  [Apache]='[<Time>] [<Level>] <Content>'
)

count() { # label name format input -> one table row; sets $per_byte
  local label=$1 name=$2 spec=$3 input=$4
  local cg=$out/callgrind.system.$name.out counts lines ok errors ir nbytes
  if [[ $copies -gt 1 ]]; then
    local repeated=$out/system.$(basename "$input" .log).x$copies.log
    for ((i = 0; i < copies; i++)); do cat "$input"; done >"$repeated"
    input=$repeated
  fi
  counts=$(valgrind --tool=callgrind --callgrind-out-file="$cg" --dump-instr=yes \
    --toggle-collect='*system_logs*parse_once*' "$bin" --parse-once "$input" "$spec" 2>"$out/valgrind.system.$name.log")
  read -r nbytes lines ok errors <<<"$counts"
  ir=$(sed -n 's/^summary: //p' "$cg")
  if [[ -z "$ir" || "$ir" == 0 ]]; then
    echo "callgrind counted nothing for $name (toggle-collect did not match; see $out/valgrind.system.$name.log)" >&2
    exit 1
  fi
  per_byte=$(awk -v ir="$ir" -v b="$nbytes" 'BEGIN { printf "%.2f", ir / b }')
  awk -v n="$label" -v b="$nbytes" -v l="$lines" -v o="$ok" -v e="$errors" -v ir="$ir" \
    'BEGIN { printf "| %s | %d | %d (%d/%d) | %d | %.1f | %.0f |\n", n, b, l, o, e, ir, ir / b, ir / l }'
}

if [[ $copies -gt 1 ]]; then echo "each unit repeated $copies times"; fi
printf '| input, format | bytes | lines (ok/errors) | instructions | instructions/byte | instructions/line |\n|---|---|---|---|---|---|\n'
count "syslog (Linux + OpenSSH), syslog_rfc3164" syslog syslog_rfc3164 $units/syslog.log
syslog=$per_byte
count "syslog (Linux + OpenSSH), Linux template" syslog-template "template:${templates[Linux]}" $units/syslog.log
ratios=("Linux template on the syslog input: $(awk -v a="$per_byte" -v s="$syslog" 'BEGIN { printf "%.2f", a / s }')x")
for system in Linux OpenSSH HDFS Spark Zookeeper Apache; do
  count "$system, template" "template-$system" "template:${templates[$system]}" "$units/template-$system.log"
  ratios+=("$system: $(awk -v a="$per_byte" -v s="$syslog" 'BEGIN { printf "%.2f", a / s }')x")
done
count "Apache, apache_error" apache_error apache_error $units/apache_error.log
count "JSON lines (derived), jsonl" jsonl jsonl $units/jsonl.log
count "logfmt (derived), logfmt" logfmt logfmt $units/logfmt.log
echo
echo "templates: instructions/byte against syslog_rfc3164's (goal: within 1.5x of the syslog speed):"
printf '  %s\n' "${ratios[@]}"

if [[ -n $annotate ]]; then
  cg=$out/callgrind.system.$annotate.out
  annotated=$out/annotate.system.$annotate.txt
  callgrind_annotate --auto=yes --show-percs=yes --context=0 "$cg" >"$annotated" 2>/dev/null || true
  echo
  echo "== where the instructions go, inclusive: callgrind_annotate --inclusive=yes $cg"
  callgrind_annotate --inclusive=yes "$cg" 2>/dev/null | sed -n '/file:function/,/^$/p' | grep -v '(100.0%)' | sed -n '2,25p' || true
  echo
  echo "== self instructions by function: callgrind_annotate $cg"
  sed -n '/file:function/,/^$/p' "$annotated" | sed -n '2,25p' || true
  echo
  echo "== hottest lines of core/src/logs/**.rs (self Ir, callees excluded; full listing in $annotated)"
  awk '/^-- Auto-annotated source: .*core\/src\/logs\// { keep = 1; file = $NF; next }
       /^-- Auto-annotated source:/ { keep = 0 }
       keep && !/events annotated/ && /^ *[0-9][0-9,]* \( *[0-9.]+%\)  [^=]/ { sub(/^.*\/src\/logs\//, "", file); print file ": " $0 }' "$annotated" \
    | sort -t'(' -k2 -rn | head -30 || true
fi
