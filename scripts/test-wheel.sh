#!/usr/bin/env bash
# The Python wheel as users get it (`make dist`: abi3, manylinux2014, stripped), checked, then
# installed into a fresh virtual environment for every CPython >= 3.11 on this machine, where the
# whole Python test suite runs against it: the installed wheel, never the development build.
#
#   bash scripts/test-wheel.sh        (after make dist; `make test-wheel` does both)
#
# CPythons are looked for as python3.N on PATH and in pyenv's versions folder; each minor
# version runs once. Prints pytest's summary per interpreter plus "N passed, N failed" for the
# checks of the wheel itself.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$repo/build/wheel-test
rm -rf "$work"
mkdir -p "$work"

shopt -s nullglob
wheels=(build/dist/ferrule-*-abi3-*.whl)
if [ ${#wheels[@]} -ne 1 ]; then
    echo "test-wheel.sh: expected one abi3 wheel in build/dist (make dist), found ${#wheels[@]}" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
wheel=$repo/${wheels[0]}
unzip -q -o "$wheel" -d "$work/unpacked"
so=("$work"/unpacked/ferrule/_ferrule*.so)

# The wheel itself: its tags, size, a stripped extension that asks nothing newer of glibc than
# manylinux2014's 2.17, the typing files and the licenses.
max_glibc() { objdump -T "$1" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1; }
status=0
bash scripts/checks.sh \
    "[[ $(basename "$wheel") == *-cp311-abi3-*manylinux_2_17_x86_64* ]]" \
    "test $(stat -c %s "$wheel") -lt $((5 * 1024 * 1024))" \
    "! readelf -S ${so[0]} | grep -q '\.symtab'" \
    "test \"\$(printf '%s\n' 2.17 $(max_glibc "${so[0]}") | sort -V | tail -n 1)\" = 2.17" \
    "test -f $work/unpacked/ferrule/py.typed -a -f $work/unpacked/ferrule/_ferrule.pyi" \
    "ls $work/unpacked/ferrule-*.dist-info/licenses/ | grep -qx NOTICE" || status=1
echo "wheel: $(basename "$wheel"), $(stat -c %s "$wheel") bytes, extension needs glibc $(max_glibc "${so[0]}")"

# Every CPython >= 3.11 this machine has, one per minor version.
candidates=()
for minor in 11 12 13 14 15; do
    command -v "python3.$minor" >/dev/null 2>&1 && candidates+=("$(command -v "python3.$minor")")
done
if command -v pyenv >/dev/null 2>&1 || [ -d "${PYENV_ROOT:-$HOME/.pyenv}/versions" ]; then
    for python in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.*/bin/python3; do candidates+=("$python"); done
fi
declare -A seen=()
pythons=()
for python in "${candidates[@]}"; do
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2] if sys.version_info >= (3, 11) and sys.implementation.name == "cpython" else "")' 2>/dev/null) || continue
    [ -z "$version" ] && continue
    [ -n "${seen[$version]:-}" ] && continue
    seen[$version]=1
    pythons+=("$python")
done
if [ ${#pythons[@]} -eq 0 ]; then
    echo "test-wheel.sh: no CPython >= 3.11 found" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
echo "test-wheel.sh: testing the wheel on ${#pythons[@]} CPython(s): ${!seen[*]}"

for python in "${pythons[@]}"; do
    version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    venv=$work/venv-$version
    echo "=== CPython $version ($python)"
    if ! "$python" -m venv "$venv"; then
        echo "test-wheel.sh: could not make a venv with $python (Debian: python3-venv)" >&2
        echo "0 passed, 1 failed"
        status=1
        continue
    fi
    # The wheel with its extras, and what the test suite imports (duckdb: the Arrow export test).
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "$wheel[arrow,pandas,polars]" "pytest>=8" duckdb
    # From outside the source tree's package folder: the installed wheel is what imports.
    "$venv/bin/python" -c "import ferrule, sys; assert ferrule.__file__.startswith(sys.prefix), ferrule.__file__; print('ferrule', ferrule.__version__, 'from', ferrule.__file__)"
    # -p no:cacheprovider: nothing written into the checkout.
    (cd "$repo" && "$venv/bin/python" -m pytest -q -p no:cacheprovider bindings-python/tests) || status=1
done
exit $status
