#!/usr/bin/env node
// Churn (issue #7): creates and drops ferrule objects and makes vector calls ITERATIONS times per
// kind (default 1,000,000), each kind in its own child process, and checks that RSS stays flat:
// the RSS at the end may exceed the RSS after a warm-up (the first 10% of the iterations) by at
// most 5%. Exits non-zero otherwise, or when a call fails.
//
//   node [--expose-gc] scripts/deep/node_churn.mjs [ITERATIONS] [--kinds pool,table,...] [--verbose]
//
// Kinds: pool (StringPool: intern, internMany, toBuffer/fromBuffer), table (parseBuffer of a few
// lines, columns read), parser (createParser, push, takeBatch, finish), batches (readBatches of
// a small file, both loop forms), vector (per-vector calls on both the JS and the native path,
// element-wise into new arrays, cdist/topk/oneToMany), async (cdistAsync, topkAsync,
// internLinesAsync, parseFileAsync). Node frees native objects only when its event loop turns,
// so every kind yields to it every 1000 iterations (fewer in short runs), as a real program does
// between requests. With --expose-gc the children also collect garbage before each measurement
// (steadier figures). The children run with V8's young generation at a fixed size (V8_FLAGS
// below). --verbose also prints the RSS after each tenth of the run. Run `make build-node` first.
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const FERRULE = join(ROOT, 'bindings-node/ferrule.js')
const SAMPLE = join(ROOT, 'examples/data/apache_combined.log')
const KINDS = ['pool', 'table', 'parser', 'batches', 'vector', 'async']
const MAX_GROWTH = 0.05
// V8 grows its young generation (1 MB to 16 MB semi-spaces) when it sees many objects survive a
// scavenge: a one-time step of 4-8 MB of RSS at a random point of a long run (measured: +7 MB at
// 450,000 parseBuffer calls, heapTotal 7.7 -> 11.7 MB, then flat), which is V8's sizing, not a
// leak. The children run with it fixed at its smallest, so that RSS only grows when memory is
// kept (and the 5% stays 5% of a small process).
const V8_FLAGS = ['--min-semi-space-size=1', '--max-semi-space-size=1']

const args = process.argv.slice(2)
const verboseAt = args.indexOf('--verbose')
const verbose = verboseAt >= 0 && args.splice(verboseAt, 1).length > 0
const kindsAt = args.indexOf('--kinds')
const kinds = kindsAt >= 0 ? args.splice(kindsAt, 2)[1].split(',') : KINDS
const iterations = args.length > 0 ? Number(args[0]) : 1_000_000
if (!(Number.isInteger(iterations) && iterations >= 100) || kinds.some((k) => !KINDS.includes(k))) {
  console.error(`usage: node [--expose-gc] scripts/deep/node_churn.mjs [ITERATIONS >= 100] [--kinds ${KINDS.join(',')}]`)
  process.exit(2)
}
const exposeGc = typeof globalThis.gc === 'function'

// The child: runs one kind, measuring RSS after the warm-up and at the end.
const CHILD = `
const { readFileSync, writeFileSync, mkdtempSync, rmSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const { StringPool, vector, logs } = require(${JSON.stringify(FERRULE)})
const [kind, total] = [process.argv[1], Number(process.argv[2])]
const lines = readFileSync(${JSON.stringify(SAMPLE)}).subarray(0, 4096)
const few = lines.subarray(0, lines.lastIndexOf(10) + 1) // whole lines only
const scratch = mkdtempSync(join(tmpdir(), 'ferrule-churn-'))
const smallFile = join(scratch, 'small.log')
writeFileSync(smallFile, few)
const short32 = new Float32Array(16).map((_, i) => i / 7)
const long32 = new Float32Array(1536).map((_, i) => Math.sin(i))
const long64 = Float64Array.from(long32)
const rows32 = new Float32Array(8 * 32).map((_, i) => Math.cos(i))
let sink = 0

const STEPS = {
  pool(i) {
    const pool = new StringPool()
    pool.intern('GET /index.html')
    pool.intern(few.subarray(0, 40))
    const ids = pool.internMany(['a', 'b', 'a', 'value ' + (i & 255)])
    sink += pool.resolveMany(ids).length + StringPool.fromBuffer(pool.toBuffer()).size
  },
  table() {
    const table = logs.parseBuffer(few)
    sink += table.column('status').length + table.column('path').length + table.column('user_agent').codes.length
    sink += table.errors.length + table.stats.lines
  },
  parser() {
    const parser = logs.createParser()
    parser.push(few.subarray(0, 200))
    parser.push(few.subarray(200))
    sink += parser.takeBatch().numRows + parser.finish().numRows
  },
  batches(i) {
    if (i & 1) {
      for (const batch of logs.readBatches(smallFile, { batchRows: 7 })) sink += batch.numRows
    } else {
      const batches = logs.readBatches(smallFile, { batchRows: 5 })
      for (const batch of batches) { sink += batch.column('status').length; break } // closed early
    }
  },
  vector(i) {
    sink += vector.dot(short32, short32) + vector.cosineDistance(long32, long32) + vector.sum(long64)
    sink += vector.normalize(long32)[0] + vector.add(short32, short32)[1] + vector.argmax(long64)
    sink += vector.cdist(rows32, rows32, 32)[3] + vector.topk(rows32, rows32, 32, 3).indices[0]
    sink += vector.oneToMany(rows32.subarray(0, 32), rows32, { metric: 'dot' })[i & 7]
  },
  async async(i) {
    // Several tasks in flight at once, then awaited.
    const results = await Promise.all([
      vector.cdistAsync(rows32, rows32, 32),
      vector.topkAsync(rows32, rows32, 32, 2),
      new StringPool().internLinesAsync(few),
      (i & 15) === 0 ? logs.parseFileAsync(smallFile) : null,
    ])
    sink += results[0][1] + results[1].indices[0] + results[2].length + (results[3]?.numRows ?? 0)
  },
}

async function settle() {
  for (let i = 0; i < 3; i++) {
    if (typeof gc === 'function') gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
}

;(async () => {
  const step = STEPS[kind]
  const isAsync = kind === 'async'
  // The async kind runs its calls in groups of 4: it makes a quarter as many rounds.
  const rounds = isAsync ? Math.ceil(total / 4) : total
  const warmup = Math.max(1, Math.floor(rounds / 10))
  const yieldEvery = Math.min(1000, warmup)
  const started = performance.now()
  let warmRss = 0
  const tenths = [] // RSS (MB) after each tenth of the rounds, for --verbose
  for (let i = 0; i < rounds; i++) {
    if (isAsync) await step(i)
    else step(i)
    if (i % yieldEvery === yieldEvery - 1) await new Promise((resolve) => setImmediate(resolve))
    if (i === warmup - 1) {
      await settle()
      warmRss = process.memoryUsage.rss()
    }
    if ((i + 1) % warmup === 0) tenths.push(Math.round(process.memoryUsage.rss() / 104857.6) / 10)
  }
  await settle()
  const endRss = process.memoryUsage.rss()
  rmSync(scratch, { recursive: true, force: true })
  console.log(JSON.stringify({ warmRss, endRss, tenths, seconds: (performance.now() - started) / 1000, sink: Number.isFinite(sink) }))
})().catch((err) => {
  console.error(err)
  process.exit(1)
})`

let failed = false
const MB = 1 << 20
const started = performance.now()
console.log(`node churn: ${iterations} iterations per kind${exposeGc ? ' (with --expose-gc)' : ''}`)
for (const kind of kinds) {
  const child = spawnSync(process.execPath, [...V8_FLAGS, ...(exposeGc ? ['--expose-gc'] : []), '-e', CHILD, kind,
    String(iterations)], { encoding: 'utf8' })
  if (child.status !== 0) {
    console.error(`  ${kind}: the child failed (exit ${child.status}, ${child.signal})\n${child.stderr}`)
    failed = true
    continue
  }
  const { warmRss, endRss, tenths, seconds, sink } = JSON.parse(child.stdout.trim().split('\n').at(-1))
  const growth = (endRss - warmRss) / warmRss
  const verdict = growth <= MAX_GROWTH ? 'flat' : `GREW more than ${MAX_GROWTH * 100}%`
  console.log(`  ${kind.padEnd(8)} RSS after warm-up ${(warmRss / MB).toFixed(1)} MB, at the end ${(endRss / MB).toFixed(1)} MB ` +
    `(${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%): ${verdict}; ${seconds.toFixed(1)} s`)
  if (verbose) console.log(`           RSS (MB) after each tenth: ${tenths.join(' ')}`)
  if (growth > MAX_GROWTH || !sink) failed = true
}
console.log(`node churn: ${failed ? 'FAILED' : 'passed'} in ${((performance.now() - started) / 1000).toFixed(0)} s`)
process.exit(failed ? 1 : 0)
