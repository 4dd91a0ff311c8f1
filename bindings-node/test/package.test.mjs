// The package surface: version, capabilities, CommonJS and ESM entry points.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import ferrule, { capabilities, version } from '../index.js'

const require = createRequire(import.meta.url)
const repo = new URL('../../', import.meta.url)
const KNOWN_FEATURES = new Set([
  'sse4.2', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_bf16',
  'avx512_fp16', 'neon', 'dotprod', 'fp16', 'sve',
])

function withMaxIsa(value, fn) {
  const saved = process.env.FERRULE_MAX_ISA
  if (value === undefined) delete process.env.FERRULE_MAX_ISA
  else process.env.FERRULE_MAX_ISA = value
  try {
    return fn()
  } finally {
    if (saved === undefined) delete process.env.FERRULE_MAX_ISA
    else process.env.FERRULE_MAX_ISA = saved
  }
}

test('version is the Cargo workspace version and the package.json version', () => {
  const cargo = readFileSync(new URL('Cargo.toml', repo), 'utf8').match(/^version = "(.+)"$/m)[1]
  const pkg = JSON.parse(readFileSync(new URL('package.json', repo), 'utf8'))
  assert.equal(version(), cargo)
  assert.equal(pkg.version, cargo)
})

test('require() and import give the same module', () => {
  const viaRequire = require('../../')
  assert.equal(viaRequire.version, ferrule.version)
  assert.equal(typeof viaRequire.capabilities, 'function')
})

test('capabilities() reports a level and known features', () => {
  const caps = withMaxIsa(undefined, capabilities)
  assert.deepEqual(Object.keys(caps).sort(), ['features', 'isa'])
  assert.ok(['scalar', 'avx2', 'avx512', 'neon'].includes(caps.isa), caps.isa)
  assert.ok(Array.isArray(caps.features))
  for (const f of caps.features) assert.ok(KNOWN_FEATURES.has(f), f)
  if (caps.isa === 'avx2' || caps.isa === 'avx512') {
    assert.ok(caps.features.includes('avx2') && caps.features.includes('fma'))
  }
})

test('FERRULE_MAX_ISA caps the level but not the detection', () => {
  const best = withMaxIsa(undefined, capabilities)
  const capped = withMaxIsa('scalar', capabilities)
  assert.equal(capped.isa, 'scalar')
  assert.deepEqual(capped.features, best.features)
})

test('a FERRULE_MAX_ISA typo throws FERRULE_INVALID_ARGUMENT', () => {
  assert.throws(
    () => withMaxIsa('avx3', capabilities),
    (err) => {
      assert.ok(err instanceof Error)
      assert.equal(err.code, 'FERRULE_INVALID_ARGUMENT')
      assert.match(err.message, /FERRULE_MAX_ISA/)
      assert.match(err.message, /avx3/)
      return true
    },
  )
})
