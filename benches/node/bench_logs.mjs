// Issue #5, Node side: an access log (combined format) from a file into columns, ferrule's
// `logs.parseFile` against a JS RegExp parser, side by side in one process.
//
// Input: the shared real sample concatenated to ~FERRULE_BENCH_MB megabytes (default 200), built
// by benches/make_data.py (run here if the file is missing; real data only: when ../shared is
// absent the script says so and exits).
//
// Contenders:
// - RegExp (untyped): the file read as one string, one sticky escape-aware RegExp per line
//   (quoted fields may hold \"), every capture pushed to a column array of strings;
// - ferrule `logs.parseFile(path, { threads })`, threads 1 and 2: the native table only (columns
//   are converted to JS lazily), and the same plus every column read into JS (typed arrays,
//   dictionaries, plain strings): file to JS columns, end to end.
// Contenders are interleaved round robin (the order rotating every round, as in harness.mjs),
// FERRULE_BENCH_REPEAT rounds (default 5), medians. "MB/s per core" is bytes / CPU seconds
// (process.cpuUsage: user + system over every thread); "wall MB/s" is bytes / elapsed seconds.
// Before timing, row counts are checked against the file, and ferrule's status and size columns
// against the RegExp parser's on the sample itself.
//
// Run alone: `node benches/node/bench_logs.mjs` (FERRULE_BENCH_MB=20 for a quick run).
import { spawnSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { cpus } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { emit } from './harness.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const SAMPLE = join(root, '..', 'shared', 'data', 'logs', 'access', 'apache_combined.log')
const SAMPLE_LINES = 10000
const REPEAT = Number(process.env.FERRULE_BENCH_REPEAT ?? 5)

function fail(message) {
  console.error(`bench_logs: ${message}`)
  process.exit(1)
}

function dataFile() {
  const made = spawnSync(process.env.PYTHON ?? 'python3', [join(root, 'benches', 'make_data.py'), '--print-path'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  if (made.status !== 0) fail(`benches/make_data.py failed (${made.error ?? made.status})`)
  return made.stdout.trim() || null
}

// ------------------------------------------------------------------------------ contenders

// A quoted field that may hold \" (unrolled: no alternation per character).
const Q = '"([^"\\\\\\n]*(?:\\\\.[^"\\\\\\n]*)*)"'
// Sticky: it matches at lastIndex only; no field can run past the end of its line.
const LINE = new RegExp(`(\\S+) (\\S+) (\\S+) \\[([^\\]\\n]*)\\] ${Q} (\\S+) (\\S+) ${Q} ${Q}[^\\n]*`, 'y')

function regexpParse(path) {
  const text = readFileSync(path, 'utf8')
  const cols = Array.from({ length: 9 }, () => [])
  let lines = 0
  let failed = 0
  let start = 0
  while (start < text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    if (end > start) {
      lines++
      LINE.lastIndex = start
      const m = LINE.exec(text)
      if (m === null || m.index + m[0].length !== end) {
        failed++
      } else {
        for (let i = 0; i < 9; i++) cols[i].push(m[i + 1])
      }
    }
    start = end + 1
  }
  return { lines, ok: lines - failed, failed, data: cols }
}

function ferruleParse(logs, threads, readColumns) {
  return (path) => {
    const table = logs.parseFile(path, { threads })
    const stats = table.stats
    if (readColumns) {
      for (const name of table.columnNames) table.column(name)
    }
    return { lines: stats.lines, ok: stats.ok, failed: stats.errors, data: table }
  }
}

// ------------------------------------------------------------------------------ timing

function cpuSeconds() {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

function runRounds(contenders, path) {
  for (const c of contenders) c.fn(path) // warm-up: JIT, page cache
  for (let round = 0; round < REPEAT; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + round) % contenders.length]
      const cpu0 = cpuSeconds()
      const wall0 = process.hrtime.bigint()
      let out = c.fn(path)
      c.wall.push(Number(process.hrtime.bigint() - wall0) / 1e9)
      c.cpu.push(cpuSeconds() - cpu0)
      c.counts = { lines: out.lines, ok: out.ok, failed: out.failed }
      out = null
    }
  }
}

// ------------------------------------------------------------------------------ main

const path = dataFile()
if (path === null) process.exit(0)
const size = statSync(path).size
const copies = Math.round(size / statSync(SAMPLE).size)
const expected = { lines: copies * SAMPLE_LINES, ok: copies * (SAMPLE_LINES - 1) }

let logs = null
try {
  const ferrule = (await import('../../bindings-node/ferrule.js')).default
  if (typeof ferrule?.logs?.parseFile !== 'function') throw new Error('no logs.parseFile export')
  logs = ferrule.logs
} catch (err) {
  console.log(`ferrule binding not built (${err.message}); run \`make build-node\` - its rows are skipped`)
}

// The sample itself: ferrule's typed values against the RegExp's strings, on the lines both parse.
const reference = regexpParse(SAMPLE)
if (reference.ok !== SAMPLE_LINES - 1) fail(`the RegExp parsed ${reference.ok} sample lines, expected ${SAMPLE_LINES - 1}`)
if (logs !== null) {
  const table = logs.parseFile(SAMPLE, { threads: 1 })
  const status = table.column('status')
  const bytes = table.column('bytes')
  const error = table.column('error')
  let r = 0
  for (let row = 0; row < table.numRows; row++) {
    if (error.validity !== null && (error.validity[row >> 3] & (1 << (row & 7))) !== 0) continue
    if (String(status[row]) !== reference.data[5][r]) fail(`row ${row}: status ${status[row]} != ${reference.data[5][r]}`)
    const size = table.isValid('bytes', row) ? String(bytes[row]) : '-'
    if (size !== reference.data[6][r]) fail(`row ${row}: bytes ${size} != ${reference.data[6][r]}`)
    r++
  }
  if (r !== reference.ok) fail(`ferrule has ${r} ok rows, the RegExp ${reference.ok}`)
}

const contenders = []
if (logs !== null) {
  for (const threads of [1, 2]) {
    contenders.push({ name: `ferrule parseFile + read all columns, threads=${threads}`, fn: ferruleParse(logs, threads, true) })
    contenders.push({ name: `ferrule parseFile (native table), threads=${threads}`, fn: ferruleParse(logs, threads, false) })
  }
}
contenders.push({ name: 'RegExp escape-aware, untyped', fn: regexpParse })
for (const c of contenders) Object.assign(c, { wall: [], cpu: [], counts: null })

console.log(`\ninput: ${path} (${(size / 1e6).toFixed(1)} MB, ${expected.lines.toLocaleString('en-US')} lines); ` +
  `Node ${process.version}, ${REPEAT} interleaved rounds, medians; ${cpus().length} CPUs`)
runRounds(contenders, path)

for (const c of contenders) {
  if (c.name.startsWith('ferrule') && (c.counts.lines !== expected.lines || c.counts.ok !== expected.ok)) {
    c.wrong = `WRONG: expected ${expected.lines} lines, ${expected.ok} ok`
  }
}
const rows = contenders.map((c) => {
  const wall = median(c.wall)
  const cpu = median(c.cpu)
  return { c, wall, cpu, wallMbs: size / wall / 1e6, coreMbs: size / Math.max(cpu, 1e-9) / 1e6, lps: c.counts.lines / wall }
})
const ref = rows.find((r) => r.c.name === 'ferrule parseFile + read all columns, threads=1') ?? rows.find((r) => r.c.name.startsWith('RegExp'))
const fmt = (x, d = 1) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })

console.log(`\n| contender | MB/s per core | wall MB/s | lines/s | wall s | CPU s | ok / failed lines | ${ref.c.name.split(',')[0]} is ... faster (per core) |`)
console.log('|---|---|---|---|---|---|---|---|')
for (const r of rows) {
  const wrong = r.c.wrong ? ` **${r.c.wrong}**` : ''
  console.log(`| ${r.c.name} | ${fmt(r.coreMbs)} | ${fmt(r.wallMbs)} | ${fmt(r.lps, 0)} | ${r.wall.toFixed(3)} | ${r.cpu.toFixed(3)} | ` +
    `${fmt(r.c.counts.ok, 0)} / ${fmt(r.c.counts.failed, 0)}${wrong} | ${fmt(ref.coreMbs / r.coreMbs)}x |`)
}
// The JSON line (FERRULE_BENCH_JSON): ratios of CPU time, as in the table.
emit(`access log (combined) -> JS columns: ${basename(path)} (${(size / 1e6).toFixed(1)} MB, ${expected.lines.toLocaleString('en-US')} lines)`,
  rows.map((r) => ({ name: r.c.name, medianS: r.wall, runs: r.c.wall, cpuMedianS: r.cpu, cpuRuns: r.c.cpu })),
  { baseline: ref.c.name, unit: 'line', unitCount: expected.lines, bytes: size, basis: 'cpu' })
const find = (name) => rows.find((r) => r.c.name === name)
const one = find('ferrule parseFile + read all columns, threads=1')
const two = find('ferrule parseFile + read all columns, threads=2')
if (one && two) {
  const x = one.wall / two.wall
  console.log(`\ninfo: file -> JS columns, 2 threads vs 1 (wall): ${x.toFixed(2)}x (issue goal for parsing: >= 1.7x)`)
  const n1 = find('ferrule parseFile (native table), threads=1')
  if (n1) console.log(`info: reading every column into JS adds ${((one.wall - n1.wall) * 1e3).toFixed(0)} ms on one thread`)
}
