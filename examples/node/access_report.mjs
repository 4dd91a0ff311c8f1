// A report on an access log (`make demo` runs it on the bundled sample): requests, the lines that
// failed and why, the status histogram, the top paths, bytes served and the response-size
// percentiles. The Python and C versions print the same text; only the last line (the parse
// throughput) may differ.
//
// usage: node examples/node/access_report.mjs [ACCESS_LOG]   (combined format; .gz works too)
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { logs } from '../../bindings-node/ferrule.js'

const path = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'apache_combined.log')
const table = logs.parseFile(path, { format: 'combined' })
const { stats } = table
if (stats.lines !== stats.ok + stats.errors + stats.skipped) {
  console.error(`stats do not add up: ${JSON.stringify(stats)}`)
  process.exit(1)
}

const out = []
out.push(`requests: ${stats.lines} lines, ${stats.ok} ok, ${stats.errors} errors, ${stats.skipped} skipped`)

out.push('error lines:')
for (const { line, code, offset } of table.errors) out.push(`  line ${line}: ${code} at byte ${offset}`)
if (table.errors.length === 0) out.push('  none')

// Status: a histogram over the uint16 codes, null statuses (`-`) counted apart and listed last.
const status = table.columns.status
const statusCounts = new Map()
let nullStatus = 0
for (let row = 0; row < status.length; row++) {
  if (!table.isValid('status', row)) nullStatus++
  else statusCounts.set(status[row], (statusCounts.get(status[row]) ?? 0) + 1)
}
out.push('status:')
for (const code of [...statusCounts.keys()].sort((a, b) => a - b)) {
  out.push(`  ${code} ${String(statusCounts.get(code)).padStart(7)}`)
}
if (nullStatus > 0) out.push(`  - ${String(nullStatus).padStart(7)}`)

// Top paths: by count, ties by the path's UTF-8 bytes (what the other runtimes compare).
const pathCounts = new Map()
for (const path of table.columns.path) {
  if (path !== null) pathCounts.set(path, (pathCounts.get(path) ?? 0) + 1)
}
const byBytes = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))
const top = [...pathCounts].sort(([pa, ca], [pb, cb]) => cb - ca || byBytes(pa, pb)).slice(0, 10)
out.push('top paths:')
for (const [path, count] of top) out.push(`  ${String(count).padStart(7)} ${path}`)

// Bytes: uint64 in a Float64Array (exact below 2^53); `-` rows are null, skipped.
const bytes = table.columns.bytes
const sizes = []
for (let row = 0; row < bytes.length; row++) {
  if (table.isValid('bytes', row)) sizes.push(bytes[row])
}
const served = sizes.reduce((sum, size) => sum + size, 0)
const sorted = Float64Array.from(sizes).sort()
const rank = (p) => (sorted.length === 0 ? '-' : String(sorted[Math.ceil(p / 100 * sorted.length) - 1]))
out.push(`bytes served: ${served}`)
out.push(`response size p50: ${rank(50)} p99: ${rank(99)}`)

const rate = stats.seconds > 0 ? stats.bytes / 1e6 / stats.seconds : 0
out.push(`parse: ${rate.toFixed(1)} MB/s (${stats.seconds.toFixed(3)} s)`)
console.log(out.join('\n'))
