// The package surface: version, capabilities, CommonJS and ESM entry points.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import ferrule, { capabilities, isFerruleError, version } from '../ferrule.js'

const require = createRequire(import.meta.url)
const repo = new URL('../../', import.meta.url)
const KNOWN_FEATURES = new Set([
  'sse4.2', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_bf16',
  'avx512_fp16', 'neon', 'dotprod', 'fp16', 'sve',
])

// capabilities() in a fresh Node process with FERRULE_MAX_ISA set (or unset, for undefined), and
// what the process wrote to stderr: ferrule reads the variable once per process, at first use.
// The probe asks twice and runs a kernel, so that a warning printed more than once would show.
function capabilitiesWith(maxIsa) {
  const env = { ...process.env }
  delete env.FERRULE_MAX_ISA
  if (maxIsa !== undefined) env.FERRULE_MAX_ISA = maxIsa
  const probe = `
    const f = require(${JSON.stringify(fileURLToPath(new URL('../ferrule.js', import.meta.url)))})
    try {
      const first = f.capabilities()
      if (JSON.stringify(f.capabilities()) !== JSON.stringify(first)) throw new Error('changed')
      if (f.vector.dot(new Float64Array([1, 2, 3]), new Float64Array([4, 5, 6])) !== 32) throw new Error('dot')
      console.log(JSON.stringify({ ok: first }))
    }
    catch (err) { console.log(JSON.stringify({ error: err.constructor.name, code: err.code, message: err.message })) }`
  const out = spawnSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' })
  assert.equal(out.status, 0, out.stderr)
  return { ...JSON.parse(out.stdout), stderr: out.stderr }
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
  assert.equal(viaRequire.isFerruleError, ferrule.isFerruleError)
  assert.equal(isFerruleError, ferrule.isFerruleError, 'a named ESM export too')
  assert.equal(typeof viaRequire.capabilities, 'function')
})

test('capabilities() reports a level and known features, selected once', () => {
  const caps = capabilities()
  assert.deepEqual(Object.keys(caps).sort(), ['features', 'isa'])
  assert.ok(['scalar', 'avx2', 'avx512', 'neon'].includes(caps.isa), caps.isa)
  assert.ok(Array.isArray(caps.features))
  for (const f of caps.features) assert.ok(KNOWN_FEATURES.has(f), f)
  if (caps.isa === 'avx2' || caps.isa === 'avx512') {
    assert.ok(caps.features.includes('avx2') && caps.features.includes('fma'))
  }
  process.env.FERRULE_MAX_ISA = caps.isa === 'scalar' ? 'avx2' : 'scalar'
  try {
    assert.deepEqual(capabilities(), caps, 'FERRULE_MAX_ISA is read once, at first use')
  } finally {
    delete process.env.FERRULE_MAX_ISA
  }
})

test('FERRULE_MAX_ISA caps the level but not the detection', () => {
  const best = capabilitiesWith(undefined).ok
  const capped = capabilitiesWith('scalar').ok
  assert.equal(capped.isa, 'scalar')
  assert.deepEqual(capped.features, best.features)
  assert.equal(capabilitiesWith('avx512').ok.isa, best.isa, 'a cap above the CPU is a no-op')
})

for (const value of ['avx3', 'garbage', process.arch === 'x64' ? 'neon' : 'avx2']) {
  test(`FERRULE_MAX_ISA=${value} falls back to the unset level and warns once`, () => {
    const unset = capabilitiesWith(undefined)
    assert.equal(unset.stderr, '')
    const bad = capabilitiesWith(value)
    assert.deepEqual(bad.ok, unset.ok)
    const lines = bad.stderr.split('\n').filter((line) => line !== '')
    assert.equal(lines.length, 1, bad.stderr)
    assert.ok(lines[0].startsWith('ferrule: warning: FERRULE_MAX_ISA'), lines[0])
    assert.ok(lines[0].includes(value) && lines[0].endsWith(`ignored, using ${unset.ok.isa}`), lines[0])
  })
}

test('every export of the generated loader is wrapped by the entry point', () => {
  const native = require('../index.js')
  for (const [name, value] of Object.entries(native)) {
    if (typeof value !== 'function') continue
    assert.notEqual(ferrule[name], value, `${name} is not wrapped: extend bindings-node/ferrule.js`)
    assert.equal(ferrule[name].name, value.name)
  }
})
