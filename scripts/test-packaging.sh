#!/usr/bin/env bash
# Installs ferrule the way users do and uses it from outside the source tree:
#   Python: `pip install .` into a fresh virtual environment;
#   Node:   the `npm pack` tarball into an empty project, via require() and import, and a
#           TypeScript file type-checked against the installed types; and the Node test suite
#           run against the installed package (a copy of the tests put into it, with the repo's
#           examples/ and Cargo.toml linked in for the data and the version check).
# Prints "N passed, N failed" (through checks.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$repo/build/packaging
rm -rf "$work"
mkdir -p "$work/npm-app"

# Build the tarball first: checks.sh runs each command in its own shell.
npm pack --silent --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/ferrule-*.tgz)

exec bash scripts/checks.sh \
  "${PYTHON:-python3} -m venv $work/venv && $work/venv/bin/pip install --quiet --disable-pip-version-check $repo" \
  "cd $work && $work/venv/bin/python $repo/examples/python/hello.py" \
  "cd $work && $work/venv/bin/python -c 'import ferrule, pathlib; p = pathlib.Path(ferrule.__file__).parent; assert (p / \"py.typed\").is_file() and (p / \"_ferrule.pyi\").is_file(), list(p.iterdir())'" \
  "tar -tzf $tarball > $work/tarball.txt && grep -qx package/bindings-node/ferrule.js $work/tarball.txt && grep -qx package/bindings-node/ferrule.d.ts $work/tarball.txt && grep -qx package/bindings-node/index.d.ts $work/tarball.txt && grep -qx package/bindings-node/ferrule.linux-x64-gnu.node $work/tarball.txt" \
  "cd $work/npm-app && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error $tarball" \
  "cd $work/npm-app && node -e \"const f = require('ferrule'); if (f.version() !== '$(node -p "require('./package.json').version")') process.exit(1); console.log('require:', f.version(), f.capabilities().isa)\"" \
  "cd $work/npm-app && node --input-type=module -e \"import ferrule from 'ferrule'; import { capabilities, isFerruleError } from 'ferrule'; console.log('import:', ferrule.version(), capabilities().isa, typeof isFerruleError)\"" \
  "pkg=$work/npm-app/node_modules/ferrule && cp -r $repo/bindings-node/test \$pkg/bindings-node/test && ln -s $repo/examples $repo/Cargo.toml \$pkg/ && { [ ! -d $repo/../shared ] || ln -s $repo/../shared \$pkg/../shared; } && cd \$pkg && node --test --test-reporter=tap bindings-node/test/*.test.mjs > $work/suite.tap 2>&1 && status=0 || status=\$?; grep -E '^# (pass|fail)' $work/suite.tap; grep -E '^not ok' $work/suite.tap || true; exit \$status" \
  "cp $repo/scripts/packaging/consumer.ts $work/npm-app/consumer.mts && cd $work/npm-app && $repo/node_modules/.bin/tsc --strict --noEmit --module nodenext --moduleResolution nodenext --target es2022 --types node --typeRoots $repo/node_modules/@types consumer.mts"
