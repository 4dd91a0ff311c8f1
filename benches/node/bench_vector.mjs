// Issue #4, Node side: ferrule's `vector` namespace against a plain JS loop and the `simsimd` npm
// package (when installed: it is a devDependency), float32, side by side in one process.
//
// 1. 1:1 distances (dot, cosine, sqeuclidean) at n = 16, 128, 1536, 65536, 1M: one call each.
// 2. The JS/native switch: ferrule's JS path against its own native call (the raw N-API function,
//    forced) for lengths around the thresholds in ferrule.js (JS_MAX): where the native call
//    starts to win is where the threshold belongs.
// 3. Batches: one query against 100k rows of 128 (distances, and the top 10), and all pairs of
//    1000 x 1000 rows of 128. ferrule uses every core unless `threads: 1` says otherwise; the
//    other contenders run on one.
//
// Every contender is checked against the JS loop before anything is timed. Run alone:
// `node benches/node/bench_vector.mjs` (FERRULE_BENCH_QUICK=1 for fewer rounds).
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import ferrule from '../../bindings-node/ferrule.js'
import { compare, report } from './harness.mjs'

const require = createRequire(import.meta.url)
const { vector } = ferrule
const native = require('../../bindings-node/index.js').__vector
const QUICK = process.env.FERRULE_BENCH_QUICK === '1'
const REPEAT = QUICK ? 5 : 11

let simsimd = null
let simsimdVersion = null
try {
  simsimd = require('simsimd')
  // Its package.json is not in its "exports": read it from beside the resolved entry point.
  const { readFileSync } = require('node:fs')
  const root = require.resolve('simsimd').replace(/javascript[\\/].*$/, '')
  simsimdVersion = JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version
} catch {
  console.log('simsimd is not installed (npm install): its columns are skipped')
}

function fail(message) {
  console.error(`bench_vector: ${message}`)
  process.exit(1)
}

function random(n, seed) {
  let s = seed >>> 0
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = s / 4294967296 - 0.5
  }
  return out
}

// The loops a JS user writes.
const js = {
  dot(a, b) {
    let s = 0
    for (let i = 0; i < a.length; i++) s += a[i] * b[i]
    return s
  },
  cosine(a, b) {
    let ab = 0, aa = 0, bb = 0
    for (let i = 0; i < a.length; i++) {
      ab += a[i] * b[i]
      aa += a[i] * a[i]
      bb += b[i] * b[i]
    }
    return aa === 0 || bb === 0 ? 1 : 1 - ab / Math.sqrt(aa * bb)
  },
  sqeuclidean(a, b) {
    let s = 0
    for (let i = 0; i < a.length; i++) {
      const d = a[i] - b[i]
      s += d * d
    }
    return s
  },
}
const ferruleFn = { dot: vector.dot, cosine: vector.cosineDistance, sqeuclidean: vector.sqeuclidean }
const simsimdFn = simsimd && { dot: simsimd.dot, cosine: simsimd.cosine, sqeuclidean: simsimd.sqeuclidean }

function check(name, got, want, tolerance) {
  if (!(Math.abs(got - want) <= tolerance)) fail(`${name}: ${got}, the JS loop gives ${want}`)
}

let sink = 0
const goals = []
function ratioOf(results, name, base = 'ferrule') {
  return results.find((r) => r.name === name).medianS / results.find((r) => r.name === base).medianS
}
function goal(what, ok, detail) {
  goals.push(`goal: ${what}: ${detail}, ${ok ? 'met' : 'MISSED'}`)
}

// ------------------------------------------------------------------ 1. 1:1 distances

function benchCalls() {

  for (const n of [16, 128, 1536, 65536, 1 << 20]) {
    const a = random(n, n)
    const b = random(n, n + 1)
    const calls = Math.max(1, Math.round(2e6 / (n + 200)))
    for (const op of ['dot', 'cosine', 'sqeuclidean']) {
      const want = js[op](a, b)
      const tolerance = 1e-5 * Math.max(1, Math.abs(want)) * Math.sqrt(n)
      check(`ferrule ${op} n=${n}`, ferruleFn[op](a, b), want, tolerance)
      const contenders = [
        ['ferrule', () => { sink += ferruleFn[op](a, b) }],
        ['JS loop', () => { sink += js[op](a, b) }],
      ]
      if (simsimdFn) {
        check(`simsimd ${op} n=${n}`, simsimdFn[op](a, b), want, tolerance)
        contenders.push(['simsimd', () => { sink += simsimdFn[op](a, b) }])
      }
      const results = compare(contenders, { repeat: REPEAT, number: calls })
      report(`${op}, n = ${n.toLocaleString('en')} (float32, one call)`, results, { bytes: a.byteLength + b.byteLength })
      if (n === 16) goal(`n=16 ${op} never slower than a JS loop`, ratioOf(results, 'JS loop') >= 0.95, `${ratioOf(results, 'JS loop').toFixed(2)}x`)
      if (n === 1536 && op === 'cosine') {
        const ns = results[0].medianS * 1e9
        goal('n=1536 cosine <= 400 ns', ns <= 400, `${ns.toFixed(0)} ns`)
        goal('n=1536 cosine >= 10x a JS loop', ratioOf(results, 'JS loop') >= 10, `${ratioOf(results, 'JS loop').toFixed(2)}x`)
        if (simsimdFn) goal('n=1536 cosine >= 1.8x simsimd', ratioOf(results, 'simsimd') >= 1.8, `${ratioOf(results, 'simsimd').toFixed(2)}x`)
      }
    }
  }
}

// ------------------------------------------------------------------ 2. the JS/native switch

function benchSwitch() {
  // The JS path is measured past its thresholds too: in a child process where
  // FERRULE_VECTOR_JS_MAX lifts them.
  if (process.env.FERRULE_VECTOR_JS_MAX === undefined) {
    const env = { ...process.env, FERRULE_VECTOR_JS_MAX: String(1 << 30), FERRULE_BENCH_SECTIONS: 'switch', FERRULE_BENCH_CHILD: '1' }
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env, stdio: 'inherit' })
    if (child.status !== 0) fail('the switch measurement failed')
    return
  }

  // ferrule's functions against their own native functions, forced (the raw N-API functions of
  // src/vector.rs; codes as ferrule.js builds them: the operation plus the float32 type claim).
  const CLAIM_F32 = 1 << 5
  const viaNative = (family, op) => native.nativeFunction(family, op | CLAIM_F32)
  const pairCase = (name, op) => [(a, b) => vector[name](a, b), ((f) => (a, b) => f(a, b))(viaNative(0, op))]
  const reduceCase = (name, op) => [(a) => vector[name](a), ((f) => (a) => f(a))(viaNative(1, op))]
  const intoCase = (call, op) => [call, ((f) => (a, b, out) => f(0.5, a, b, undefined, out)[0])(viaNative(2, op))]
  const switches = {
    dot: pairCase('dot', 0),
    cosineDistance: pairCase('cosineDistance', 1),
    sqeuclidean: pairCase('sqeuclidean', 2),
    euclidean: pairCase('euclidean', 3),
    manhattan: pairCase('manhattan', 4),
    cosineSimilarity: pairCase('cosineSimilarity', 5),
    norm: reduceCase('norm', 0),
    sum: reduceCase('sum', 1),
    mean: reduceCase('mean', 2),
    min: reduceCase('min', 3),
    argmax: reduceCase('argmax', 6),
    'add (into out)': intoCase((a, b, out) => vector.add(a, b, out)[0], 1),
    'axpy (into out)': intoCase((a, b, out) => vector.axpy(0.5, a, b, out)[0], 4),
  }
  const SWITCH_SIZES = [8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384]
  console.log('\nthe JS/native switch: ns per call of the JS path / of the native function, forced, by n')
  console.log(`${'n ='.padEnd(16)}${SWITCH_SIZES.map((n) => String(n).padStart(10)).join('')}   JS faster up to`)
  for (const [name, [viaJs, forcedNative]] of Object.entries(switches)) {
    const cells = []
    let jsUpTo = 0 // the largest n up to which the JS path won at every size
    let stillJs = true
    for (const n of SWITCH_SIZES) {
      const a = random(n, 3 * n)
      const b = random(n, 3 * n + 1)
      const out = new Float32Array(n)
      const calls = Math.round(3e5 / (n + 60))
      const [j, k] = compare([
        ['js', () => { sink += viaJs(a, b, out) }],
        ['native', () => { sink += forcedNative(a, b, out) }],
      ], { repeat: REPEAT, number: calls })
      stillJs = stillJs && j.medianS <= k.medianS
      if (stillJs) jsUpTo = n
      cells.push(`${(j.medianS * 1e9).toFixed(0)}/${(k.medianS * 1e9).toFixed(0)}`.padStart(10))
    }
    console.log(`${name.padEnd(16)}${cells.join('')}   ${jsUpTo || '-'}`)
  }
}

// ------------------------------------------------------------------ 3. batches

async function benchBatches() {

  const DIM = 128
  const ROWS = 100_000
  const database = random(ROWS * DIM, 7)
  const query = random(DIM, 8)
  const rowsOf = (data, dim) => Array.from({ length: data.length / dim }, (_, i) => data.subarray(i * dim, (i + 1) * dim))
  const databaseRows = rowsOf(database, DIM)

  for (const [metric, op] of [['dot', 'dot'], ['cosine', 'cosine']]) {
    const want = databaseRows.map((r) => js[op](query, r))
    const got = vector.oneToMany(query, database, { metric })
    for (let i = 0; i < ROWS; i += 997) check(`oneToMany ${metric} row ${i}`, got[i], want[i], 1e-4)
    const out = new Float32Array(ROWS)
    const contenders = [
      ['ferrule', () => vector.oneToMany(query, database, { metric, out })],
      ['ferrule, threads: 1', () => vector.oneToMany(query, database, { metric, out, threads: 1 })],
      ['JS loop', () => { for (let i = 0; i < ROWS; i++) out[i] = js[op](query, databaseRows[i]) }],
    ]
    if (simsimdFn) contenders.push(['simsimd, a call per row', () => { for (let i = 0; i < ROWS; i++) out[i] = simsimdFn[op](query, databaseRows[i]) }])
    report(`one query x ${ROWS.toLocaleString('en')} x ${DIM}, ${metric} (time per query)`, compare(contenders, { repeat: REPEAT }), {
      unit: 'query',
      bytes: query.byteLength + database.byteLength,
    })
  }

  // Top 10 by cosine: ferrule's fused topk against distances-then-select.
  function selectTop(distances, k) {
    const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => distances[i] - distances[j] || i - j)
    for (let i = k; i < distances.length; i++) {
      const d = distances[i]
      if (d < distances[order[k - 1]]) {
        let at = k - 1
        while (at > 0 && distances[order[at - 1]] > d) at--
        order.splice(at, 0, i)
        order.pop()
      }
    }
    return order
  }
  {
    const scratch = new Float32Array(ROWS)
    const jsTop = () => {
      for (let i = 0; i < ROWS; i++) scratch[i] = js.cosine(query, databaseRows[i])
      return selectTop(scratch, 10)
    }
    const { indices } = vector.topk(query, database, DIM, 10)
    const wantTop = jsTop()
    if (indices.join() !== wantTop.join()) fail(`topk ${indices} vs ${wantTop}`)
    const contenders = [
      ['ferrule', () => vector.topk(query, database, DIM, 10)],
      ['ferrule, threads: 1', () => vector.topk(query, database, DIM, 10, { threads: 1 })],
      ['ferrule oneToMany + select', () => selectTop(vector.oneToMany(query, database), 10)],
      ['JS loop + select', jsTop],
    ]
    if (simsimdFn) {
      contenders.push(['simsimd per row + select', () => {
        for (let i = 0; i < ROWS; i++) scratch[i] = simsimdFn.cosine(query, databaseRows[i])
        return selectTop(scratch, 10)
      }])
    }
    report(`top 10 of ${ROWS.toLocaleString('en')} x ${DIM} by cosine (time per query)`, compare(contenders, { repeat: REPEAT }), {
      unit: 'query',
      bytes: query.byteLength + database.byteLength,
    })
  }

  // topkAsync: how long the call holds the JS thread (checks, and the copy of inputs not backed
  // by a SharedArrayBuffer) and how long until the result, against the sync call.
  {
    const shared = new Float32Array(new SharedArrayBuffer(database.byteLength))
    shared.set(database)
    const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1]
    console.log(`\ntopkAsync, top 10 of ${ROWS.toLocaleString('en')} x ${DIM} (medians of ${REPEAT})`)
    console.log(`${'database'.padEnd(28)} ${'JS thread held'.padStart(16)} ${'to the result'.padStart(16)} ${'sync topk'.padStart(16)}`)
    for (const [label, db] of [['ArrayBuffer (copied)', database], ['SharedArrayBuffer (in place)', shared]]) {
      const held = []
      const done = []
      const sync = []
      for (let r = 0; r < REPEAT; r++) {
        const t0 = process.hrtime.bigint()
        const promise = vector.topkAsync(query, db, DIM, 10)
        const t1 = process.hrtime.bigint()
        const { indices } = await promise
        const t2 = process.hrtime.bigint()
        vector.topk(query, db, DIM, 10)
        sync.push(Number(process.hrtime.bigint() - t2) / 1e6)
        if (indices.length !== 10) fail('topkAsync')
        held.push(Number(t1 - t0) / 1e6)
        done.push(Number(t2 - t0) / 1e6)
      }
      const ms = (x) => `${x.toFixed(2)} ms`.padStart(16)
      console.log(`${label.padEnd(28)} ${ms(median(held))} ${ms(median(done))} ${ms(median(sync))}`)
    }
  }

  // All pairs, 1000 x 1000 x 128.
  {
    const a = random(1000 * DIM, 9)
    const b = random(1000 * DIM, 10)
    const aRows = rowsOf(a, DIM)
    const bRows = rowsOf(b, DIM)
    const out = new Float32Array(1000 * 1000)
    for (const [metric, op] of [['dot', 'dot'], ['cosine', 'cosine'], ['sqeuclidean', 'sqeuclidean']]) {
      vector.cdist(a, b, DIM, { metric, out })
      for (let k = 0; k < 1000; k++) {
        const [i, j] = [(k * 7) % 1000, (k * 13) % 1000]
        check(`cdist ${metric} (${i}, ${j})`, out[i * 1000 + j], js[op](aRows[i], bRows[j]), 1e-4)
      }
      const loop = (fn) => () => {
        for (let i = 0; i < 1000; i++) for (let j = 0; j < 1000; j++) out[i * 1000 + j] = fn(aRows[i], bRows[j])
      }
      const contenders = [
        ['ferrule', () => vector.cdist(a, b, DIM, { metric, out })],
        ['ferrule, threads: 1', () => vector.cdist(a, b, DIM, { metric, out, threads: 1 })],
        ['JS loop', loop(js[op])],
      ]
      if (simsimdFn) contenders.push(['simsimd, a call per pair', loop(simsimdFn[op])])
      report(`cdist 1000 x 1000 x ${DIM}, ${metric} (time per call)`, compare(contenders, { repeat: QUICK ? 3 : 5 }), {
        bytes: a.byteLength + b.byteLength,
      })
    }
  }
}

// FERRULE_BENCH_SECTIONS=calls,switch,batches (the default: all) picks the sections.
const SECTIONS = (process.env.FERRULE_BENCH_SECTIONS ?? 'calls,switch,batches').split(',')
if (process.env.FERRULE_BENCH_CHILD === undefined) console.log(`ferrule ${ferrule.version()} (${ferrule.capabilities().isa}), node ${process.version}` +
  (simsimd ? `, simsimd ${simsimdVersion}` : ''))
if (SECTIONS.includes('calls')) benchCalls()
if (SECTIONS.includes('switch')) benchSwitch()
if (SECTIONS.includes('batches')) await benchBatches()

console.log()
for (const line of goals) console.log(line)
if (sink === 42) console.log('') // keeps the results observable
