#!/usr/bin/env bash
# Builds scripts/deep/c_churn.c against the static library and runs it: create/free churn and
# vector calls, ITERATIONS per kind (default 1000000); exits non-zero when RSS grew by more than
# 5% after the warm-up or a call failed. Run from anywhere; `make build-c` first unless
# FERRULE_NO_BUILD=1.
#   scripts/deep/c_churn.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${FERRULE_NO_BUILD:-0}" != 1 ]; then make --no-print-directory build-c; fi
mkdir -p build/deep
"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -Werror -pedantic -Iinclude scripts/deep/c_churn.c \
  build/lib/libferrule.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -pthread -o build/deep/c_churn
exec build/deep/c_churn "${1:-1000000}"
