// Issue #3, Node side: dictionary-encoding 1M strings with ferrule's StringPool against a `Map`.
//
// The data is the file gen_strings writes (1,000,000 values, 50,000 distinct, 8-64 bytes, Zipf):
// the same bytes the criterion and Python benches measure, generated on first use. Every contender
// is checked against the Map reference before anything is timed.
//
// Run alone: `node benches/node/bench_pool.mjs` (FERRULE_BENCH_STRINGS=PATH reads another file).
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ferrule from '../../bindings-node/ferrule.js'
import { compare, report } from './harness.mjs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const DATA = process.env.FERRULE_BENCH_STRINGS ?? join(ROOT, 'build', 'bench-data', 'strings-1m.txt')

function fail(message) {
  console.error(`bench_pool: ${message}`)
  process.exit(1)
}

function loadData() {
  const metaPath = `${DATA}.meta.json`
  // gen_strings writes the metadata last, so its presence means the data file is complete.
  if (!existsSync(metaPath)) {
    console.log(`generating ${DATA} (cargo run --release --bin gen_strings)`)
    const args = ['run', '--quiet', '--release', '-p', 'ferrule-benches', '--bin', 'gen_strings', '--', DATA]
    execFileSync('cargo', args, { cwd: ROOT, stdio: 'inherit' })
  }
  const meta = JSON.parse(readFileSync(metaPath, 'utf8'))
  const buf = readFileSync(DATA)
  if (buf.length !== meta.file_bytes || buf[buf.length - 1] !== 0x0a) {
    fail(`${DATA}: ${buf.length} bytes, metadata says ${meta.file_bytes}: regenerate it`)
  }
  return { buf, meta }
}

/** Lines of the file as a JS user gets them: decode, split, drop the empty tail. */
function splitLines(buf) {
  const lines = buf.toString('utf8').split('\n')
  lines.pop()
  return lines
}

/** The idiomatic JS dictionary encoding: first-seen ids, like ferrule's. */
function mapIds(values) {
  const seen = new Map()
  const ids = new Uint32Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    let id = seen.get(v)
    if (id === undefined) {
      id = seen.size
      seen.set(v, id)
    }
    ids[i] = id
  }
  return ids
}

function sameIds(name, got, want) {
  if (!(got instanceof Uint32Array) || got.length !== want.length) fail(`${name}: not a Uint32Array of ${want.length}`)
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) fail(`${name}: id ${i} is ${got[i]}, the Map loop gives ${want[i]}`)
  }
}

function sameStrings(name, got, want) {
  if (!Array.isArray(got) || got.length !== want.length) fail(`${name}: not an array of ${want.length}`)
  for (let i = 0; i < want.length; i++) {
    if (got[i] !== want[i]) fail(`${name}: value ${i} is ${JSON.stringify(got[i])}, want ${JSON.stringify(want[i])}`)
  }
}

const goals = []
function goal(results, name, atLeast, what) {
  const base = results.find((r) => r.name === 'ferrule')
  const other = results.find((r) => r.name === name)
  const ratio = other.medianS / base.medianS
  goals.push(`goal: ${what} >= ${atLeast}x ${name}: ${ratio.toFixed(2)}x, ${ratio >= atLeast ? 'met' : 'MISSED'}`)
}

if (typeof ferrule.StringPool !== 'function') {
  fail('this ferrule has no StringPool: rebuild the addon (make build-node)')
}
const { buf, meta } = loadData()
const values = splitLines(buf)
const n = values.length
if (n !== meta.values || new Set(values).size !== meta.distinct) {
  fail(`${DATA}: ${n} values / ${new Set(values).size} distinct, not as its metadata says`)
}
const fmt = (x) => x.toLocaleString('en')
console.log(`data: ${DATA} (${fmt(n)} values, ${fmt(meta.distinct)} distinct, ${fmt(buf.length)} bytes)`)

// ------------------------------------------------------------------ checks, before any timing
const expected = mapIds(values)
sameIds('internMany', new ferrule.StringPool().internMany(values), expected)
sameIds('internLines', new ferrule.StringPool().internLines(buf), expected)
sameIds('internLines (explicit separator)', new ferrule.StringPool().internLines(buf, 0x0a), expected)
const pool = new ferrule.StringPool()
const ids = pool.internMany(values)
if (pool.size !== meta.distinct) fail(`pool.size is ${pool.size}, want ${meta.distinct}`)
sameStrings('resolveMany', pool.resolveMany(ids), values)
for (let i = 0; i < 1000; i++) if (pool.resolve(ids[i]) !== values[i]) fail(`resolve(${ids[i]})`)
// What a Map user keeps to go from id back to string: the keys in id order.
const uniques = [...new Set(values)]

// ------------------------------------------------------------------ timing
// Every intern contender starts from nothing each call (a fresh pool / Map): 95% of lookups hit.
const internResults = compare([
  ['ferrule', () => new ferrule.StringPool().internMany(values)],
  ['Map loop', () => mapIds(values)],
])
report(`intern a string[] of ${fmt(n)} (50k distinct; ns per string)`, internResults, {
  unitCount: n,
  unit: 'string',
  bytes: buf.length - n, // the values' UTF-8 bytes: the file without its newlines
})
goal(internResults, 'Map loop', 1.5, 'internMany(string[])')

// A JS user holding a Buffer must decode and split it before a Map sees any string; the pre-split
// and split-only rows show how much of the Map side that is.
const linesResults = compare([
  ['ferrule', () => new ferrule.StringPool().internLines(buf)],
  ['Map loop + toString/split', () => mapIds(splitLines(buf))],
  ['Map loop, pre-split', () => mapIds(values)],
  ['toString/split only', () => splitLines(buf)],
])
report(`intern the lines of a ${(buf.length / 1e6).toFixed(1)} MB Buffer (ns per line)`, linesResults, {
  unitCount: n,
  unit: 'line',
  bytes: buf.length,
})
goal(linesResults, 'Map loop + toString/split', 6, 'internLines(Buffer)')

const resolveResults = compare([
  ['ferrule', () => pool.resolveMany(ids)],
  [
    'per-id resolve loop',
    () => {
      const out = new Array(n)
      for (let i = 0; i < n; i++) out[i] = pool.resolve(ids[i])
      return out
    },
  ],
  [
    'JS array lookup (Map users)',
    () => {
      const out = new Array(n)
      for (let i = 0; i < n; i++) out[i] = uniques[ids[i]]
      return out
    },
  ],
])
report(`resolve ${fmt(n)} ids to strings (ns per id)`, resolveResults, { unitCount: n, unit: 'id' })
goal(resolveResults, 'per-id resolve loop', 8, 'resolveMany(Uint32Array)')

console.log()
for (const line of goals) console.log(line)
