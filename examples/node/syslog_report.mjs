// A report on system logs: a BSD syslog auth log and a JSON-lines application log. The Python and
// C versions print the same text, byte for byte:
// - the line counts, and each failed line with its code;
// - the earliest and latest timestamp (ISO 8601, UTC, to the second);
// - the 5 most frequent app_name values (ties: by name);
// - failed passwords per source address, top 5 (ties: by address): the word after `from` in each
//   message that contains `Failed password`;
// - lines per hostname, by hostname;
// - the JSON log's columns, rows, failed lines and the mean of duration_ms (its non-null values
//   summed in row order, divided by their count, to 3 decimals).
// Names are ordered by their UTF-8 bytes, as in the other runtimes.
//
// usage: node examples/node/syslog_report.mjs [AUTH_LOG [APP_JSONL]]
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { logs } from '../../bindings-node/ferrule.js'

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'data')
// auth.log's lines have no year: each takes the latest date not after this time, so the December
// lines fall in 2024 and the January ones in 2025.
const REFERENCE_TIME = new Date('2025-01-01T12:00:00Z')

const byBytes = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (the fraction dropped). */
function isoUtc(micros) {
  const seconds = Math.floor(micros / 1e6)
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')
}

/** The `n` largest counts, ties broken by the key's UTF-8 bytes. */
function top(counts, n) {
  return [...counts].sort(([a, x], [b, y]) => y - x || byBytes(a, b)).slice(0, n)
}

/** Counts the non-null values of a dictionary column, through its codes. */
function countDictionary(table, name) {
  const { codes, dictionary } = table.columns[name]
  const perCode = new Array(dictionary.length).fill(0)
  for (let row = 0; row < codes.length; row++) {
    if (table.isValid(name, row)) perCode[codes[row]]++
  }
  return new Map(dictionary.map((value, code) => [value, perCode[code]]).filter(([, count]) => count > 0))
}

function failedLines(table) {
  const lines = table.errors.map(({ line, code }) => `  line ${line}: ${code}`)
  return lines.length > 0 ? lines : ['  none']
}

/**
 * `x` to 3 decimals as Python's `f'{x:.3f}'` and C's `%.3f` print it: `toFixed` rounds an exact
 * tie (x an odd multiple of 1/16, such as 0.0625) up, they round it to even.
 */
function fixed3(x) {
  const sixteenths = x * 16
  if (Number.isInteger(sixteenths) && sixteenths % 2 !== 0) {
    const thousandths = x * 1000 - 0.5 // exact: an integer
    return ((thousandths % 2 === 0 ? thousandths : thousandths + 1) / 1000).toFixed(3)
  }
  return x.toFixed(3)
}

function syslogReport(path) {
  const table = logs.parseFile(path, { format: 'syslog_rfc3164', referenceTime: REFERENCE_TIME })
  const { stats } = table
  const out = [`${basename(path)}: ${stats.lines} lines, ${stats.ok} ok, ${stats.errors} errors`, ...failedLines(table)]

  // Microseconds in a Float64Array (exact until the year 2255); failed lines' are null.
  const times = table.columns.timestamp
  let first = Infinity
  let last = -Infinity
  for (let row = 0; row < times.length; row++) {
    if (!table.isValid('timestamp', row)) continue
    first = Math.min(first, times[row])
    last = Math.max(last, times[row])
  }
  if (first <= last) out.push(`first: ${isoUtc(first)}`, `last: ${isoUtc(last)}`)

  out.push('top app_name:')
  for (const [app, count] of top(countDictionary(table, 'app_name'), 5)) out.push(`  ${app}: ${count}`)

  out.push('failed passwords by source:')
  const sources = new Map()
  for (const message of table.columns.message) {
    if (message === null || !message.includes('Failed password')) continue
    const words = message.split(' ')
    const at = words.indexOf('from')
    if (at >= 0 && at < words.length - 1) sources.set(words[at + 1], (sources.get(words[at + 1]) ?? 0) + 1)
  }
  for (const [source, count] of top(sources, 5)) out.push(`  ${source}: ${count}`)

  out.push('lines per hostname:')
  const hosts = countDictionary(table, 'hostname')
  for (const host of [...hosts.keys()].sort(byBytes)) out.push(`  ${host}: ${hosts.get(host)}`)
  return out
}

function jsonlReport(path) {
  // Nested objects flattened: `user.id` and `user.plan` are columns.
  const table = logs.parseFile(path, { format: 'jsonl', flatten: true })
  const out = [`${basename(path)}: ${table.numRows} rows`, `columns: ${table.columnNames.join(',')}`, ...failedLines(table)]
  // duration_ms mixes ints and floats: one float64 column (NaN at null rows).
  const durations = table.columns.duration_ms
  let total = 0
  let count = 0
  for (let row = 0; row < durations.length; row++) {
    if (!table.isValid('duration_ms', row)) continue
    total += durations[row]
    count++
  }
  out.push(`mean duration_ms: ${count > 0 ? fixed3(total / count) : '-'} (${count} values)`)
  return out
}

const auth = process.argv[2] ?? join(DATA, 'auth.log')
const app = process.argv[3] ?? join(DATA, 'app.jsonl')
console.log([...syslogReport(auth), ...jsonlReport(app)].join('\n'))
