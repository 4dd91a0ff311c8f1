// Dictionary-encodes the columns of a real access log (`make demo` runs it on the bundled log).
//
// usage: node examples/node/access_log_pool.mjs [ACCESS_LOG]
//
// One ferrule StringPool per column (client, path, user agent) turns each into a Uint32Array of
// ids; counting is then an integer histogram. Lines that do not split into the combined format's
// fields are reported and skipped (the bundled log has exactly one, line 8899). The results are
// checked against a plain Map and the script exits non-zero on a mismatch.
import { readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ferrule from '../../bindings-node/ferrule.js'

const path = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'apache_combined.log')

// A stand-in until ferrule's own access log parser lands: it only cuts at the quotes.
function splitCombined(line) {
  const parts = line.split('"')
  if (parts.length !== 7 || parts[6].trim() !== '') return null
  const request = parts[1].split(' ')
  if (request.length !== 3) return null
  return [line.slice(0, line.indexOf(' ')), request[1], parts[5]]
}

const columns = [[], [], []]
const skipped = []
readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
  if (line === '') return
  const fields = splitCombined(line)
  if (fields === null) skipped.push(i + 1)
  else fields.forEach((value, c) => columns[c].push(value))
})
console.log(`${basename(path)}: ${columns[0].length} requests, skipped lines [${skipped.slice(0, 5)}]`)

const failures = []
for (const [c, name] of ['client', 'path', 'user agent'].entries()) {
  const column = columns[c]
  const pool = new ferrule.StringPool()
  const ids = pool.internMany(column)
  const counts = new Uint32Array(pool.size)
  for (const id of ids) counts[id]++
  const top = counts.indexOf(Math.max(...counts))
  console.log(`  ${name.padEnd(10)}: ${pool.size} distinct; busiest: ${JSON.stringify(pool.resolve(top).slice(0, 60))} (${counts[top]})`)

  const model = new Map()
  for (const value of column) model.set(value, (model.get(value) ?? 0) + 1)
  if (model.size !== pool.size || model.get(pool.resolve(top)) !== counts[top] ||
      Math.max(...model.values()) !== counts[top]) failures.push(`${name}: pool disagrees with Map`)
  const back = pool.resolveMany(ids)
  if (back.some((value, i) => value !== column[i])) failures.push(`${name}: ids do not decode to the column`)
}
if (failures.length > 0) {
  console.error(`FAILED: ${failures.join('; ')}`)
  process.exit(1)
}
console.log('ok')
