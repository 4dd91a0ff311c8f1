#!/usr/bin/env node
// Bounded memory (issue #7): reads a 2 GiB access log (the shared real log repeated) with
// `logs.readBatches(path, { batchRows: 100000 })` in a child node process and reports its peak
// RSS (process.resourceUsage().maxRSS, read in the child at the end) and the rows read. Exits
// non-zero when the peak reaches the limit (256 MB) or the row count is wrong.
//
//   node scripts/deep/node_bounded_memory.mjs [--loop await|sync|both] [--gb N] [--limit-mb N]
//
// --loop await (the default): `for await (const batch of logs.readBatches(...))`, the form the
// docs recommend for long files, checked against the limit. `sync` (a plain `for...of` loop) and
// `both` also measure the synchronous loop, for information only: it is not bounded, because Node
// runs the finalizers that free dropped batches only when the event loop turns (and V8 collects
// the batch objects late when nothing but external memory pressure triggers its GCs).
// The input is built once (if missing) at target/deep-data/access-<N>gb.log from
// ../shared/data/logs/access/apache_combined.log; without the shared data the script says so and
// exits 0. Run `make build-node` first.
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const FERRULE = join(ROOT, 'bindings-node/ferrule.js')
const SHARED_LOG = join(ROOT, '../shared/data/logs/access/apache_combined.log')
const SAMPLE_ROWS = 10000 // the shared log's lines (README: 9,999 parse, 1 is an error row)
const MB = 1 << 20
const GB = 1 << 30

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`)
  if (at < 0) return fallback
  const value = process.argv[at + 1]
  if (value === undefined) throw new Error(`--${name} needs a value`)
  return value
}
const loops = { await: ['await'], sync: ['sync'], both: ['await', 'sync'] }[option('loop', 'await')]
const gigabytes = Number(option('gb', '2'))
const limitMb = Number(option('limit-mb', '256'))
if (!loops || !(gigabytes > 0) || !(limitMb > 0)) {
  console.error('usage: node scripts/deep/node_bounded_memory.mjs [--loop await|sync|both] [--gb N] [--limit-mb N]')
  process.exit(2)
}

if (!existsSync(SHARED_LOG)) {
  console.log(`node readBatches: skipped, the shared data is absent (${SHARED_LOG})`)
  process.exit(0)
}
if (!existsSync(FERRULE)) {
  console.error(`${FERRULE} is missing: run make build-node first`)
  process.exit(2)
}

// The input: the shared log repeated until it holds at least `gigabytes` GiB (whole copies, so
// the row count is known). Written under a temporary name and renamed, so an interrupted build
// or another process building the same file never leaves a short file behind.
const sample = readFileSync(SHARED_LOG)
const copies = Math.ceil((gigabytes * GB) / sample.length)
const path = join(ROOT, `target/deep-data/access-${gigabytes}gb.log`)
const expectedBytes = copies * sample.length
if (!existsSync(path) || statSync(path).size !== expectedBytes) {
  mkdirSync(dirname(path), { recursive: true })
  const partial = `${path}.${process.pid}.partial`
  const started = performance.now()
  const fd = openSync(partial, 'w')
  try {
    for (let i = 0; i < copies; i++) writeSync(fd, sample)
  } finally {
    closeSync(fd)
  }
  renameSync(partial, path)
  console.log(`built ${path} (${copies} copies of the shared log, ${(expectedBytes / GB).toFixed(2)} GB) in ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`)
}

// What the child runs: one loop over the batches, then its peak RSS. Nothing else is kept.
const CHILD = {
  await: `
    const { logs } = require(${JSON.stringify(FERRULE)})
    ;(async () => {
      let rows = 0, batches = 0
      for await (const batch of logs.readBatches(process.argv[1], { batchRows: 100000 })) {
        rows += batch.numRows
        batches++
      }
      console.log(JSON.stringify({ rows, batches, maxRssKb: process.resourceUsage().maxRSS }))
    })()`,
  sync: `
    const { logs } = require(${JSON.stringify(FERRULE)})
    let rows = 0, batches = 0
    for (const batch of logs.readBatches(process.argv[1], { batchRows: 100000 })) {
      rows += batch.numRows
      batches++
    }
    console.log(JSON.stringify({ rows, batches, maxRssKb: process.resourceUsage().maxRSS }))`,
}

let failed = false
for (const loop of loops) {
  const started = performance.now()
  const child = spawnSync(process.execPath, ['-e', CHILD[loop], path], { encoding: 'utf8', maxBuffer: 1 << 20 })
  const seconds = (performance.now() - started) / 1000
  if (child.status !== 0) {
    console.error(`node readBatches (${loop}): the child failed (exit ${child.status}, ${child.signal})\n${child.stderr}`)
    failed = true
    continue
  }
  const { rows, batches, maxRssKb } = JSON.parse(child.stdout.trim().split('\n').at(-1))
  const peakMb = maxRssKb / 1024
  const form = loop === 'await' ? 'for await' : 'for...of, not bounded: for information'
  console.log(`node readBatches ${(expectedBytes / GB).toFixed(2)} GB: peak RSS ${peakMb.toFixed(0)} MB, ` +
    `${rows} rows (${form}, ${batches} batches of up to 100000 rows, ${seconds.toFixed(1)} s)`)
  if (rows !== copies * SAMPLE_ROWS) {
    console.error(`  wrong row count: expected ${copies * SAMPLE_ROWS}`)
    failed = true
  }
  if (loop === 'await' && peakMb >= limitMb) {
    console.error(`  peak RSS ${peakMb.toFixed(0)} MB is not below the limit of ${limitMb} MB`)
    failed = true
  }
}
process.exit(failed ? 1 : 0)
