# ferrule: the two commands are `make demo` and `make test` (see README.md).
#
# Everything builds into the one cargo target/ dir, each artifact once: maturin (Python), the
# napi CLI (Node) and cargo (C) each build their own cdylib, release, LTO. ferrule-core's rlib is
# compiled per artifact (napi passes --target, so it builds under target/<triple>/; pyo3's and
# napi's proc macros unify syn's features differently, which changes the hashes); with LTO that
# rlib is bitcode only and the optimisation happens once per artifact at link time anyway.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
CC ?= cc
CXX ?= c++
PREFIX ?= /usr/local

VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python
RELEASE := $(CURDIR)/target/release
BUILD := $(CURDIR)/build
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
MAJOR := $(word 1,$(subst ., ,$(VERSION)))
MINOR := $(word 2,$(subst ., ,$(VERSION)))
# Must agree with bindings-c/build.rs: 0.x minors may break the ABI.
SONAME := $(if $(filter 0,$(MAJOR)),libferrule.so.0.$(MINOR),libferrule.so.$(MAJOR))

CWARN := -Wall -Wextra -Werror -pedantic
# Definite leaks and every memory error fail the run; Rust's per-thread and global caches that
# live until exit are "still reachable", not leaks. Children too: the C tests re-run themselves
# with FERRULE_MAX_ISA set, and must see the same (emulated) CPU.
VALGRIND := valgrind -q --trace-children=yes --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite
C_LIBS_STATIC := -lgcc_s -lutil -lrt -lpthread -lm -ldl

.PHONY: help demo test bench setup build build-python build-node build-c header install \
        lint test-rust test-neon test-python test-node test-c test-examples test-install test-packaging clean \
        valgrind fuzz test-fuzz asan check-deep test-docs dist test-wheel bench-report

help:
	@echo "make demo    build everything and run the main job on bundled data"
	@echo "make test    build everything and run every check in every runtime"
	@echo "make bench   run the benchmarks (criterion + Python/Node comparisons)"
	@echo "make bench-report   the comparisons again, as JSON + PNG charts (docs/img) + tables"
	@echo "make dist    the Python wheel (abi3, manylinux2014, via zig) and sdist into build/dist"
	@echo "make install PREFIX=/usr/local   install ferrule.h, ferrule.hpp, libferrule.{a,so}, ferrule.pc, CMake config"
	@echo "make fuzz [FUZZ_SECONDS=60]   every fuzz target; make asan; make valgrind; make check-deep"
	@echo "parts: setup build build-python build-node build-c header lint"
	@echo "       test-rust test-python test-node test-c test-examples test-docs test-wheel test-install test-packaging test-fuzz clean"

# ---------------------------------------------------------------------------------- setup

$(VENV)/.stamp: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VPY) -m pip install --quiet --disable-pip-version-check "maturin==1.16.0" "pytest>=8" "mypy>=1.10" \
	  numpy pandas pyarrow polars duckdb "matplotlib==3.11.2"
	touch $@

# `npm install`, not `npm ci`: the lockfile omits other platforms' optional packages.
node_modules/.stamp: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

setup: $(VENV)/.stamp node_modules/.stamp

# ---------------------------------------------------------------------------------- build

build: build-python build-node build-c

# Several test parts need the Python module and the Node addon: stamps make the second and
# later asks free. They depend on every Rust source and manifest; the .py/.js parts are used in
# place and need no rebuild.
RUST_INPUTS := Cargo.toml Cargo.lock .cargo/config.toml \
  $(shell find core bindings-python bindings-node -name '*.rs' -o -name Cargo.toml -o -name build.rs)

build-python: $(BUILD)/.python-built
$(BUILD)/.python-built: $(VENV)/.stamp pyproject.toml $(RUST_INPUTS)
	VIRTUAL_ENV=$(VENV) PATH=$(VENV)/bin:$$PATH maturin develop --release --quiet
	mkdir -p $(@D) && touch $@

build-node: $(BUILD)/.node-built
$(BUILD)/.node-built: node_modules/.stamp package.json $(RUST_INPUTS)
	npm run --silent build
	mkdir -p $(@D) && touch $@

# build/lib holds the C libraries as installed: the .so under its SONAME plus the dev symlink.
build-c:
	cargo build --release --quiet -p ferrule-c
	mkdir -p $(BUILD)/lib
	cp -f $(RELEASE)/libferrule.a $(BUILD)/lib/libferrule.a
	cp -f $(RELEASE)/libferrule.so $(BUILD)/lib/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/lib/libferrule.so

# Regenerates include/ferrule.h with the pinned cbindgen (the freshness test, in write mode).
header:
	FERRULE_UPDATE_HEADER=1 cargo test --quiet -p ferrule-c --test header_is_fresh

# ---------------------------------------------------------------------------------- demo

SAMPLE_LOG := examples/data/apache_combined.log
C_EXAMPLES := hello_c hello_cpp pool_c access_log_pool_c vector_c access_report_c top_paths_c \
              syslog_report_c cpp_report_cpp

# The main job: the bundled real access log parsed into typed columns from Python (a short
# report), then from Node and C, whose reports must agree with Python's on every number.
demo:
	@echo "== building (release: Python wheel into .venv, Node addon, C library)"
	@$(MAKE) --no-print-directory -s build $(addprefix $(BUILD)/examples/,$(C_EXAMPLES))
	@bash scripts/demo-report.sh $(VPY) $(BUILD)/examples/access_report_c $(SAMPLE_LOG)
	@echo; echo "== and the system logs: a bundled syslog across a year turn, and JSON lines"
	@bash scripts/syslog-report.sh $(VPY) $(BUILD)/examples/syslog_report_c

# C examples without a rule of their own: examples/c/NAME.c -> build/examples/NAME_c.
$(BUILD)/examples/%_c: examples/c/%.c include/ferrule.h build-c
	mkdir -p $(@D)
	$(CC) -std=c11 $(CWARN) -Iinclude $< $(BUILD)/lib/libferrule.a $(C_LIBS_STATIC) -o $@

$(BUILD)/examples/hello_c: examples/c/hello.c include/ferrule.h build-c
	mkdir -p $(@D)
	$(CC) -std=c11 $(CWARN) -Iinclude $< $(BUILD)/lib/libferrule.a $(C_LIBS_STATIC) -o $@

$(BUILD)/examples/access_log_pool_c: examples/c/access_log_pool.c include/ferrule.h build-c
	mkdir -p $(@D)
	$(CC) -std=c11 $(CWARN) -Iinclude $< $(BUILD)/lib/libferrule.a $(C_LIBS_STATIC) -o $@

$(BUILD)/examples/vector_c: examples/c/vector.c include/ferrule.h build-c
	mkdir -p $(@D)
	$(CC) -std=c11 $(CWARN) -Iinclude $< $(BUILD)/lib/libferrule.a $(C_LIBS_STATIC) -o $@

$(BUILD)/examples/pool_c: examples/c/pool.c include/ferrule.h build-c
	mkdir -p $(@D)
	$(CC) -std=c11 $(CWARN) -Iinclude $< $(BUILD)/lib/libferrule.a $(C_LIBS_STATIC) -o $@

$(BUILD)/examples/hello_cpp: examples/c/hello.cpp include/ferrule.h build-c
	mkdir -p $(@D)
	$(CXX) -std=c++17 $(CWARN) -Iinclude $< -L$(BUILD)/lib -lferrule -Wl,-rpath,$(BUILD)/lib -o $@

# The C++17 wrapper (include/ferrule.hpp) at work.
$(BUILD)/examples/cpp_report_cpp: examples/c/cpp_report.cpp include/ferrule.hpp include/ferrule.h build-c
	mkdir -p $(@D)
	$(CXX) -std=c++17 $(CWARN) -Iinclude $< $(BUILD)/lib/libferrule.a $(C_LIBS_STATIC) -o $@

# ---------------------------------------------------------------------------------- test

# Runs every part below, then prints one summary line per runtime; fails if any part fails or
# runs no test.
test:
	@bash scripts/test-all.sh

CHECKS := bash scripts/checks.sh

lint:
	@$(CHECKS) "cargo fmt --all -- --check" \
	  "cargo clippy --quiet --workspace --all-targets -- -D warnings"

# ferrule-python and ferrule-node have `test = false`: their tests run in their host runtime.
test-rust:
	cargo test --workspace
	@echo "the vector kernels' public functions on the portable path (FERRULE_MAX_ISA=scalar):"
	FERRULE_MAX_ISA=scalar cargo test --quiet -p ferrule-core --lib vector
	@if command -v valgrind >/dev/null 2>&1; then \
	  echo "ferrule-core's unsafe code (the pool arena, the SIMD kernels at every tail; valgrind shows an AVX2 CPU):"; \
	  FERRULE_QUICK_TESTS=1 CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$(VALGRIND)" cargo test --quiet -p ferrule-core --lib -- --skip logs::tests --skip logs::format; \
	  echo "the log parser's file input, under valgrind (the whole-sample log tests are too slow there):"; \
	  CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$(VALGRIND)" cargo test --quiet -p ferrule-core --lib -- logs::tests::small_files logs::tests::streaming_split; \
	  CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$(VALGRIND)" cargo test --quiet -p ferrule-core \
	    --test pool -- eight_threads frozen_pools serialization empty_long limits arrow_values; \
	else echo "valgrind not installed: memory checks skipped (.ci/run installs it)"; fi
	@$(MAKE) --no-print-directory test-neon

# The NEON kernels, cross-compiled for aarch64 and run under qemu (this machine is x86-64).
# Needs the aarch64 Rust target, a cross linker and qemu-user: .ci/run installs them; without
# them the run says so and skips.
AARCH64 := aarch64-unknown-linux-gnu
test-neon:
	@if rustup target list --installed 2>/dev/null | grep -qx $(AARCH64) \
	    && command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 && command -v qemu-aarch64 >/dev/null 2>&1; then \
	  echo "the vector kernels on aarch64 (NEON), under qemu:"; \
	  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
	  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu" \
	    cargo test --quiet -p ferrule-core --target $(AARCH64) --lib -- vector capabilities; \
	else echo "NEON tests skipped: needs 'rustup target add $(AARCH64)', gcc-aarch64-linux-gnu, qemu-user (.ci/run installs them)"; fi

test-python: build-python
	$(VPY) -m pytest -q bindings-python/tests
	FERRULE_MAX_ISA=scalar $(VPY) -m pytest -q bindings-python/tests/test_vector.py
	$(VPY) -m mypy.stubtest ferrule
	$(VPY) -m mypy --strict bindings-python/tests examples/python

test-node: build-node
	node --test --test-reporter=tap bindings-node/test/*.test.mjs
	FERRULE_MAX_ISA=scalar node --test --test-reporter=tap bindings-node/test/vector.test.mjs
	npx tsc -p bindings-node/test/tsconfig.json
	@if git rev-parse --git-dir >/dev/null 2>&1; then \
	  git diff --exit-code --stat -- bindings-node/index.js bindings-node/index.d.ts \
	  || { echo "bindings-node/index.{js,d.ts} changed when regenerated: commit them"; exit 1; }; fi

# Each C test file is built twice, against the static and the shared library, and run as both;
# then the static builds run again under valgrind (make valgrind). C_TEST_ARGS_<name> are the
# arguments a test takes.
C_TESTS := test_ferrule test_pool test_vector test_logs test_system_logs test_concurrency test_bad_input \
           test_cpp
C_TEST_ARGS_test_logs := $(SAMPLE_LOG)
C_TEST_ARGS_test_bad_input := include/ferrule.h
C_TEST_ARGS_test_cpp := .

# The C++ wrapper's tests: static as C++17, shared as C++20 (both standards compile the header).
$(BUILD)/tests/test_cpp_static: bindings-c/tests/test_cpp.cpp include/ferrule.hpp include/ferrule.h $(BUILD)/lib/libferrule.a
	mkdir -p $(@D)
	$(CXX) -std=c++17 $(CWARN) -Iinclude $< $(BUILD)/lib/libferrule.a $(C_LIBS_STATIC) -pthread -o $@

$(BUILD)/tests/test_cpp_shared: bindings-c/tests/test_cpp.cpp include/ferrule.hpp include/ferrule.h $(BUILD)/lib/libferrule.a
	mkdir -p $(@D)
	$(CXX) -std=c++20 $(CWARN) -Iinclude $< -L$(BUILD)/lib -lferrule -pthread -Wl,-rpath,$(BUILD)/lib -o $@

$(BUILD)/tests/%_static: bindings-c/tests/%.c bindings-c/tests/check.h include/ferrule.h $(BUILD)/lib/libferrule.a
	mkdir -p $(@D)
	$(CC) -std=c11 $(CWARN) -Iinclude $< $(BUILD)/lib/libferrule.a $(C_LIBS_STATIC) -pthread -o $@

$(BUILD)/tests/%_shared: bindings-c/tests/%.c bindings-c/tests/check.h include/ferrule.h $(BUILD)/lib/libferrule.a
	mkdir -p $(@D)
	$(CC) -std=c11 $(CWARN) -Iinclude $< -L$(BUILD)/lib -lferrule -lm -pthread -Wl,-rpath,$(BUILD)/lib -o $@

test-c: build-c $(foreach t,$(C_TESTS),$(BUILD)/tests/$(t)_static $(BUILD)/tests/$(t)_shared) \
        $(addprefix $(BUILD)/examples/,$(C_EXAMPLES))
	$(CC) -std=c11 $(CWARN) -fsyntax-only -x c include/ferrule.h
	$(CXX) -std=c++17 $(CWARN) -fsyntax-only -x c++ include/ferrule.h
	$(CXX) -std=c++17 $(CWARN) -Iinclude -fsyntax-only -x c++ include/ferrule.hpp
	$(CXX) -std=c++20 $(CWARN) -Iinclude -fsyntax-only -x c++ include/ferrule.hpp
	@$(foreach t,$(C_TESTS),$(foreach kind,static shared,\
	  echo "$(t), $(kind):"; $(BUILD)/tests/$(t)_$(kind) $(C_TEST_ARGS_$(t));))
	@echo "vector, static, portable kernels:"; FERRULE_MAX_ISA=scalar $(BUILD)/tests/test_vector_static
	@if command -v valgrind >/dev/null 2>&1; then $(MAKE) --no-print-directory valgrind; \
	else echo "valgrind not installed: memory checks skipped (.ci/run installs it)"; fi

# Every C test and C example under valgrind memcheck (definite leaks and every memory error fail),
# and ferrule-c's own unit tests (the unsafe FFI helpers).
C_EXAMPLE_ARGS_access_log_pool_c := $(SAMPLE_LOG)
C_EXAMPLE_ARGS_access_report_c := $(SAMPLE_LOG)
C_EXAMPLE_ARGS_top_paths_c := $(SAMPLE_LOG)
C_EXAMPLE_ARGS_cpp_report_cpp := $(SAMPLE_LOG)
valgrind: build-c $(foreach t,$(C_TESTS),$(BUILD)/tests/$(t)_static) $(addprefix $(BUILD)/examples/,$(C_EXAMPLES))
	@$(foreach t,$(C_TESTS),echo "$(t), static, under valgrind:"; \
	  $(VALGRIND) $(BUILD)/tests/$(t)_static $(C_TEST_ARGS_$(t));)
	@$(foreach e,$(C_EXAMPLES),echo "example $(e), under valgrind:"; \
	  $(VALGRIND) $(BUILD)/examples/$(e) $(C_EXAMPLE_ARGS_$(e)) >/dev/null;)
	@echo "ferrule-c unit tests (the unsafe FFI helpers), under valgrind:"
	CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$(VALGRIND)" cargo test --quiet -p ferrule-c --lib

# Every example must run and exit 0 (the examples check their own output).
test-examples: build-python build-node $(addprefix $(BUILD)/examples/,$(C_EXAMPLES))
	@$(CHECKS) "$(VPY) examples/python/hello.py" "node examples/node/hello.mjs" \
	  "$(BUILD)/examples/hello_c" "$(BUILD)/examples/hello_cpp" "$(BUILD)/examples/pool_c" \
	  "node examples/node/pool.mjs" "$(VPY) examples/python/pool.py" \
	  "$(VPY) examples/python/access_log_pool.py $(SAMPLE_LOG)" \
	  "node examples/node/access_log_pool.mjs $(SAMPLE_LOG)" \
	  "$(BUILD)/examples/access_log_pool_c $(SAMPLE_LOG)" \
	  "$(BUILD)/examples/vector_c" "$(VPY) examples/python/vector.py" "node examples/node/vector.mjs" \
	  "bash scripts/demo-report.sh $(VPY) $(BUILD)/examples/access_report_c $(SAMPLE_LOG)" \
	  "$(VPY) examples/python/top_paths.py $(SAMPLE_LOG)" "$(BUILD)/examples/top_paths_c $(SAMPLE_LOG)" \
	  "$(BUILD)/examples/cpp_report_cpp $(SAMPLE_LOG)" \
	  "bash scripts/syslog-report.sh $(VPY) $(BUILD)/examples/syslog_report_c"

# (And the tests of the benchmark report's renderer, scripts/bench_report.py.)
# Every fenced code block of the docs runs (python, js, cjs, c, cpp) or type-checks (ts), so that
# the docs cannot drift from the code; a block that is not run must say why
# (scripts/check_docs.py). The runner's own tests first.
DOCS := README.md $(wildcard docs/*.md) BENCHMARKS.md fuzz/README.md
test-docs: build-python build-node build-c node_modules/.stamp
	$(VPY) -m pytest -q -p no:cacheprovider scripts/test_check_docs.py scripts/test_bench_report.py
	$(VPY) scripts/check_docs.py --python $(VPY) --build $(BUILD) $(DOCS)

# `make install` into a scratch prefix, then build the C example the way a user would: with
# pkg-config and with CMake's find_package (shared and static). Then every file that states the
# version must state the workspace's (scripts/check_versions.py), the built packages included.
test-install: build-c build-python build-node
	rm -rf $(BUILD)/prefix
	$(MAKE) --no-print-directory install PREFIX=$(BUILD)/prefix
	@$(CHECKS) "test -L $(BUILD)/prefix/lib/libferrule.so -a -f $(BUILD)/prefix/lib/$(SONAME)" \
	  "readelf -d $(BUILD)/prefix/lib/$(SONAME) | grep -q 'SONAME.*\[$(SONAME)\]'" \
	  "PKG_CONFIG_PATH=$(BUILD)/prefix/lib/pkgconfig pkg-config --exact-version=$(VERSION) ferrule" \
	  "$(CC) -std=c11 $(CWARN) examples/c/hello.c \$$(PKG_CONFIG_PATH=$(BUILD)/prefix/lib/pkgconfig \
	     pkg-config --cflags --libs ferrule) -o $(BUILD)/prefix/hello_pkgconfig \
	   && LD_LIBRARY_PATH=$(BUILD)/prefix/lib $(BUILD)/prefix/hello_pkgconfig" \
	  "cmake -S bindings-c/tests/cmake -B $(BUILD)/prefix/cmake-app -DCMAKE_PREFIX_PATH=$(BUILD)/prefix \
	     -DFERRULE_VERSION=$(VERSION) -DEXAMPLES=$(CURDIR)/examples/c -DCMAKE_C_FLAGS='$(CWARN)' -DCMAKE_CXX_FLAGS='$(CWARN)' >/dev/null \
	   && cmake --build $(BUILD)/prefix/cmake-app >/dev/null \
	   && LD_LIBRARY_PATH=$(BUILD)/prefix/lib $(BUILD)/prefix/cmake-app/hello_shared \
	   && $(BUILD)/prefix/cmake-app/hello_static \
	   && $(BUILD)/prefix/cmake-app/cpp_report $(SAMPLE_LOG) >/dev/null \
	   && ! ldd $(BUILD)/prefix/cmake-app/hello_static | grep -q libferrule" \
	  "$(PYTHON) scripts/check_versions.py --python $(VPY) --node node --prefix $(BUILD)/prefix"

# The Python wheel as published: abi3 (one wheel for CPython >= 3.11), linked by zig against
# glibc 2.17 (manylinux2014), the extension stripped; and the sdist. ziglang comes from PyPI.
DIST := $(BUILD)/dist
$(VENV)/.dist-stamp: $(VENV)/.stamp
	$(VPY) -m pip install --quiet --disable-pip-version-check "ziglang==0.15.1"
	touch $@

dist: $(VENV)/.dist-stamp
	rm -rf $(DIST)
	VIRTUAL_ENV=$(VENV) PATH=$(VENV)/bin:$$PATH maturin build --quiet --release --zig \
	  --compatibility manylinux2014 --strip --out $(DIST)
	VIRTUAL_ENV=$(VENV) PATH=$(VENV)/bin:$$PATH maturin sdist --out $(DIST)

# That wheel checked, then installed into a fresh venv per CPython >= 3.11 on the machine, each
# running the whole Python test suite against it.
test-wheel: dist
	bash scripts/test-wheel.sh

# The artifacts as users install them: `pip install .` into a fresh venv, and the `npm pack`
# tarball installed into an empty project, each then used for real.
test-packaging: build-node
	@PYTHON=$(PYTHON) bash scripts/test-packaging.sh

# ---------------------------------------------------------------------------------- hardening

# The long checks (issue #7): `make fuzz`, `make asan`, `make check-deep`; `make test` runs their
# fast parts (valgrind on the C tests and examples, a 10-second fuzz smoke run, the concurrency
# tests). See docs/robustness.md.
FUZZ_SECONDS ?= 60
HOST = $(shell rustc -vV | sed -n 's/^host: //p')

# Every fuzz target for FUZZ_SECONDS each (cargo-fuzz, AddressSanitizer; installs cargo-fuzz).
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# The smoke run `make test` does: 10 seconds per target, from the committed seeds.
test-fuzz:
	bash scripts/fuzz.sh 10

# ferrule-core's test suite built with AddressSanitizer. The sanitizer needs a nightly flag
# (RUSTC_BOOTSTRAP=1 unlocks it on stable) and an explicit --target, so that the proc macros
# and build scripts run by the host are not instrumented; its own target dir keeps the normal
# builds' artifacts. ASAN_OPTIONS turns on leak detection (any report fails the run) and lets an
# impossible allocation fail as malloc does (the tests of `try_reserve` paths ask for 2^60 bytes).
asan:
	RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zsanitizer=address" RUSTDOCFLAGS="-Zsanitizer=address" \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 \
	  cargo test -p ferrule-core --target $(HOST) --target-dir target/asan --lib --tests

# The long resource checks: a 2 GB log through the batch iterators (peak RSS under 256 MB in
# Python and Node), and a million create/free cycles of every object kind in each runtime (RSS
# flat within 5%).
DEEP_ITERATIONS ?= 1000000
check-deep: build-python build-node build-c
	$(VPY) scripts/deep/python_bounded_memory.py
	node scripts/deep/node_bounded_memory.mjs
	$(VPY) scripts/deep/python_churn.py --iterations $(DEEP_ITERATIONS)
	node --expose-gc scripts/deep/node_churn.mjs $(DEEP_ITERATIONS)
	FERRULE_NO_BUILD=1 bash scripts/deep/c_churn.sh $(DEEP_ITERATIONS)

# ---------------------------------------------------------------------------------- install

install: build-c
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/ferrule.h include/ferrule.hpp $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/lib/libferrule.a $(DESTDIR)$(PREFIX)/lib/libferrule.a
	install -m 755 $(BUILD)/lib/$(SONAME) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libferrule.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' bindings-c/ferrule.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/ferrule.pc
	install -d $(DESTDIR)$(PREFIX)/lib/cmake/ferrule
	for f in ferrule-config ferrule-config-version; do \
	  sed -e 's|@SONAME@|$(SONAME)|g' -e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(MAJOR)|g' \
	    -e 's|@MINOR@|$(MINOR)|g' bindings-c/$$f.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/ferrule/$$f.cmake; \
	done

# ---------------------------------------------------------------------------------- bench

BENCH_STRINGS := $(BUILD)/bench-data/strings-1m.txt

# The string pool dataset (issue #3), shared by the criterion, Python and Node benches. The
# metadata file is written last, so it is the target.
$(BENCH_STRINGS).meta.json: benches/src/dataset.rs benches/src/bin/gen_strings.rs
	cargo run --quiet --release -p ferrule-benches --bin gen_strings -- $(BENCH_STRINGS)

# OPENBLAS_NUM_THREADS=1: NumPy's BLAS threads spin and steal a core from the contenders.
# The peers of the Python vector benchmark, pinned (installed only for `make bench`).
# The comparison peers: Python packages pinned; GoAccess and valgrind (instructions per byte) from
# the Debian archive when they are missing and apt can install them (their rows are skipped if not).
$(VENV)/.bench-stamp: $(VENV)/.stamp
	$(VPY) -m pip install --quiet --disable-pip-version-check "simsimd==6.5.16" "numkong==7.8.6" "faiss-cpu==1.15.1" \
	  "apache-log-parser==1.7.0"
	command -v goaccess >/dev/null 2>&1 || apt-get install -y -qq goaccess >/dev/null || echo "GoAccess not installed: its row is skipped"
	command -v valgrind >/dev/null 2>&1 || apt-get install -y -qq valgrind >/dev/null || echo "valgrind not installed: no instructions/byte"
	touch $@

# The access-log benchmarks read the shared real sample concatenated to this many MB (they skip
# when ../shared is absent: real data only).
BENCH_LOGS_MB ?= 200

bench: export OPENBLAS_NUM_THREADS := 1
bench: export FERRULE_BENCH_MB := $(BENCH_LOGS_MB)
# The system-log benchmarks (issue #6) read the loghub samples repeated to this many MB per input.
BENCH_SYSTEM_MB ?= 64
bench: export FERRULE_BENCH_SYSTEM_MB := $(BENCH_SYSTEM_MB)
bench: build-python build-node $(BENCH_STRINGS).meta.json $(VENV)/.bench-stamp
	$(PYTHON) benches/make_data.py
	$(PYTHON) benches/make_system_data.py
	cargo bench -p ferrule-benches
	bash benches/callgrind_logs.sh
	bash benches/callgrind_system_logs.sh
	@for script in benches/python/bench_*.py; do [ -e "$$script" ] || continue; \
	  echo "== $$script"; $(VPY) "$$script"; done
	@for script in benches/node/bench_*.mjs; do [ -e "$$script" ] || continue; \
	  echo "== $$script"; node "$$script"; done

clean:
	cargo clean
	rm -rf $(BUILD) bindings-node/*.node bindings-python/python/ferrule/*.so

# The comparison benchmarks of the three hot paths (the Python and Node scripts of `make bench`,
# not criterion), each table also appended as a JSON line to results.jsonl; then one JSON file
# with the machine's description, PNG charts per hot path (speed ratio against each anchor, and
# absolute throughput) in docs/img/, and the tables as markdown for BENCHMARKS.md. About 15 min
# on 2 cores, plus building the inputs once.
BENCH_REPORT := $(BUILD)/bench-report
bench-report: export OPENBLAS_NUM_THREADS := 1
bench-report: export FERRULE_BENCH_MB := $(BENCH_LOGS_MB)
bench-report: export FERRULE_BENCH_SYSTEM_MB := $(BENCH_SYSTEM_MB)
bench-report: export FERRULE_BENCH_JSON := $(BENCH_REPORT)/results.jsonl
bench-report: build-python build-node $(BENCH_STRINGS).meta.json $(VENV)/.bench-stamp
	mkdir -p $(BENCH_REPORT)
	rm -f $(BENCH_REPORT)/results.jsonl
	$(PYTHON) benches/make_data.py
	$(PYTHON) benches/make_system_data.py
	$(VPY) scripts/bench_report.py machine > $(BENCH_REPORT)/machine.json
	for script in benches/python/bench_*.py; do echo "== $$script"; $(VPY) "$$script"; done \
	  2>&1 | tee $(BENCH_REPORT)/python.log
	for script in benches/node/bench_*.mjs; do echo "== $$script"; node "$$script"; done \
	  2>&1 | tee $(BENCH_REPORT)/node.log
	$(VPY) scripts/bench_report.py render $(BENCH_REPORT)/results.jsonl --machine $(BENCH_REPORT)/machine.json \
	  --out-json $(BENCH_REPORT)/results.json --img docs/img --markdown $(BENCH_REPORT)/tables.md
