#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60), one after another, and
# prints a line per target with its executions and executions per second (libFuzzer's final
# stats). Exits non-zero if any target failed (a crash, a panic, an AddressSanitizer report, a
# timeout or out-of-memory); the failing input is in fuzz/artifacts/<target>/.
#
#   bash scripts/fuzz.sh              # 60 s per target (`make fuzz`)
#   bash scripts/fuzz.sh 10           # the smoke run of `make test`
#   FUZZ_TARGETS="logs_stream" bash scripts/fuzz.sh 600
#   FUZZ_RUNS=10000000 bash scripts/fuzz.sh 0   # a number of executions instead of a time
#   FUZZ_SANITIZER=none FUZZ_TARGETS=logs_stream FUZZ_RUNS=10000000 bash scripts/fuzz.sh 0
#
# FUZZ_SANITIZER (default address) is cargo fuzz's --sanitizer. `none` runs the log targets about
# six times faster (most of an AddressSanitizer execution is its allocator, and the parsers
# allocate per line); it is for the long campaigns of the log targets, whose code has no
# `unsafe` (bounds checks, overflow checks and debug assertions stay on). The pool and vector
# targets exercise unsafe code: run them with AddressSanitizer. A `none` build has its own
# target dir, so the two never rebuild each other.
#
# Each target starts from its committed seeds (fuzz/seeds/<target>) and its corpus
# (fuzz/corpus/<target>, gitignored), where new inputs are kept; runs of 10 s or less (the smoke
# run) start from the seeds alone. Builds need a nightly feature:
# RUSTC_BOOTSTRAP=1 unlocks it on the stable toolchain. cargo-fuzz is installed if missing.
set -euo pipefail

seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]]; then
    echo "usage: bash scripts/fuzz.sh [SECONDS]   (SECONDS per target, default 60)" >&2
    exit 2
fi
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo/fuzz"
export RUSTC_BOOTSTRAP=1
# No allocation stacks in reports: recording one on every malloc and free costs about a third of
# the log targets' speed. To see them for a crash, rerun its input with ASAN_OPTIONS unset.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is missing; running: cargo install cargo-fuzz --locked" >&2
    if ! cargo install cargo-fuzz --locked; then
        echo "fuzz.sh: could not install cargo-fuzz (offline?); install it with" >&2
        echo "  cargo install cargo-fuzz --locked" >&2
        echo "0 passed, 1 failed"
        exit 2
    fi
fi

sanitizer=${FUZZ_SANITIZER:-address}
case $sanitizer in
    address) build=() ;;
    none) build=(--sanitizer none --target-dir target/no-sanitizer) ;;
    *)
        echo "fuzz.sh: FUZZ_SANITIZER must be address or none, not '$sanitizer'" >&2
        exit 2
        ;;
esac
targets=${FUZZ_TARGETS:-$(cargo fuzz list)}
logs=target/fuzz-sh
mkdir -p "$logs"

started=$(date +%s)
# One build for all targets (the same flags as `cargo fuzz run`: release with debug assertions,
# AddressSanitizer), so that the time budget below is spent fuzzing.
if ! cargo fuzz build "${build[@]}" >"$logs/build-$sanitizer.log" 2>&1; then
    tail -n 30 "$logs/build-$sanitizer.log" >&2
    echo "fuzz.sh: the fuzz targets do not build (log: fuzz/$logs/build-$sanitizer.log)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
built=$(date +%s)
echo "fuzz.sh: built in $((built - started)) s (sanitizer: $sanitizer); $seconds s per target"

# The log targets cut inputs at 1 KiB: a few log lines reach every branch of the parsers short
# of the multi-megabyte thresholds, and longer inputs only make each execution slower.
max_len() {
    case $1 in
        logs_*) echo 1024 ;;
        *) echo 4096 ;;
    esac
}

failed=()
for target in $targets; do
    # (cargo fuzz run points libFuzzer's -artifact_prefix at artifacts/<target>/.)
    mkdir -p "artifacts/$target"
    corpus="corpus/$target"
    if [ "$seconds" -le 10 ] && [ -z "${FUZZ_RUNS:-}" ]; then
        # The smoke run starts from the seeds alone (loading a grown corpus can take longer
        # than the run) and keeps what it finds in a scratch folder.
        corpus="$logs/smoke/$target"
        rm -rf "$corpus"
    fi
    mkdir -p "$corpus"
    seeds=()
    [ -d "seeds/$target" ] && seeds=("seeds/$target")
    limit=(-max_total_time="$seconds")
    [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
    [ "$seconds" = 0 ] && [ -z "${FUZZ_RUNS:-}" ] && limit=(-runs=0)
    log="$logs/$target-$sanitizer.log"
    status=0
    t0=$(date +%s)
    cargo fuzz run "${build[@]}" "$target" "$corpus" "${seeds[@]}" -- \
        "${limit[@]}" -max_len="$(max_len "$target")" -timeout=30 -print_final_stats=1 >"$log" 2>&1 || status=$?
    t1=$(date +%s)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    if [ "$status" -eq 0 ]; then
        verdict=ok
    else
        verdict="FAILED (exit $status; log fuzz/$log)"
        failed+=("$target")
        grep -E "panicked at|^==[0-9]+==ERROR|^SUMMARY|Test unit written to" "$log" | head -n 8 >&2 || true
    fi
    printf '%-16s %12s executions %8s exec/s %6s s  %s\n' "$target" "${runs:-?}" "${rate:-?}" "$((t1 - t0))" "$verdict"
done

echo "fuzz.sh: $(( $(date +%s) - started )) s in all"
# The count line scripts/test-all.sh reads.
count=$(echo $targets | wc -w)
echo "$((count - ${#failed[@]})) passed, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: ${#failed[@]} target(s) failed: ${failed[*]}; inputs in fuzz/artifacts/<target>/" >&2
    exit 1
fi
