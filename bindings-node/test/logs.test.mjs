// The `logs` namespace: access logs into typed columns, from files, buffers, streams and batches.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import ferrule, { isFerruleError, logs } from '../ferrule.js'

const SAMPLE = fileURLToPath(new URL('../../examples/data/apache_combined.log', import.meta.url))
const SAMPLE_BYTES = readFileSync(SAMPLE)
const COMBINED_COLUMNS = [
  'line', 'vhost', 'client', 'ident', 'user', 'timestamp', 'tz_offset', 'request', 'method', 'path',
  'protocol', 'status', 'bytes', 'referer', 'user_agent', 'error', 'error_offset',
]

const scratch = mkdtempSync(join(tmpdir(), 'ferrule-logs-'))
after(() => rmSync(scratch, { recursive: true, force: true }))
function scratchFile(name, data) {
  const path = join(scratch, name)
  writeFileSync(path, data)
  return path
}

// Every column of a table as plain JS values per row: null for null rows, strings decoded.
function decode(table) {
  const out = {}
  for (const name of table.columnNames) {
    const column = table.columns[name]
    const values = new Array(table.numRows)
    for (let row = 0; row < table.numRows; row++) {
      if (!table.isValid(name, row)) values[row] = null
      else if (Array.isArray(column)) values[row] = column[row]
      else if (column.codes !== undefined) values[row] = column.dictionary[column.codes[row]]
      else values[row] = column[row]
    }
    out[name] = values
  }
  return out
}

// The decoded columns of several batches, joined, with their stats summed and errors joined.
function decodeAll(tables) {
  const columns = {}
  const stats = { lines: 0, ok: 0, errors: 0, skipped: 0, empty: 0 }
  const errors = []
  for (const table of tables) {
    for (const [name, values] of Object.entries(decode(table))) columns[name] = (columns[name] ?? []).concat(values)
    for (const key of Object.keys(stats)) stats[key] += table.stats[key]
    errors.push(...table.errors)
  }
  return { columns, stats, errors }
}

function counts(stats) {
  const { lines, ok, errors, skipped, empty } = stats
  return { lines, ok, errors, skipped, empty }
}

function assertBalanced(table) {
  const { lines, ok, errors, skipped } = table.stats
  assert.equal(lines, ok + errors + skipped, JSON.stringify(table.stats))
  assert.equal(table.numRows, ok + errors)
}

function ferruleCode(code, extra = {}) {
  return (err) => {
    assert.ok(isFerruleError(err), `not a ferrule error: ${err}`)
    assert.equal(err.code, code, err.message)
    for (const [key, value] of Object.entries(extra)) {
      if (value instanceof RegExp) assert.match(err[key], value)
      else assert.equal(err[key], value, key)
    }
    return true
  }
}

const reference = logs.parseFile(SAMPLE)
const referenceDecoded = decode(reference)

// A small log with every case of the stream tests: an empty line, CRLF, a multi-byte character,
// escapes, a line that fails early, raw TLS bytes as the request, invalid UTF-8 and a last line
// without its end (and an unterminated quote).
const SMALL = Buffer.concat([
  Buffer.from([
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "-" "curl/7"',
    '',
    '::1 - frank [10/Oct/2000:13:55:37 +0200] "POST /b?x=é HTTP/1.1" 404 - "http://r/" "Mozilla \\"q\\" \\x41"\r',
    'garbage line',
    'host.example - - [10/Oct/2000:13:55:38 +0000] "\\x16\\x03" 400 0 "-" "-"',
    '9.9.9.9 - - [10/Oct/2000:13:55:38 +0000] "GET /u HTTP/1.1" 200 5 "-" "bad ',
  ].join('\n')),
  Buffer.from([0xff, 0xfe]),
  Buffer.from('"\n5.6.7.8 - - [10/Oct/2000:13:55:39 -0700] "GET /c HTTP/1.0" 200 1 "-" "unterminated'),
])

// ------------------------------------------------------------------------------ the sample

test('the bundled sample: 10,000 lines, 9,999 ok, 1 error at line 8899 (UNTERMINATED_QUOTE)', () => {
  const table = reference
  assert.ok(table instanceof logs.LogTable)
  assert.equal(table.numRows, 10000)
  assert.deepEqual(counts(table.stats), { lines: 10000, ok: 9999, errors: 1, skipped: 0, empty: 0 })
  assert.equal(table.stats.bytes, SAMPLE_BYTES.length)
  assert.ok(table.stats.seconds > 0)
  assert.equal(table.errors.length, 1)
  const [error] = table.errors
  assert.equal(error.line, 8899)
  assert.equal(error.code, 'UNTERMINATED_QUOTE')
  assert.equal(error.text, SAMPLE_BYTES.toString().split('\n')[8898])
  assert.ok(error.offset > 0 && error.offset < error.text.length)
  assertBalanced(table)
})

test('combined columns: names, types and JS representations', () => {
  const table = reference
  assert.deepEqual(table.columnNames, COMBINED_COLUMNS)
  assert.deepEqual(table.columnNames, logs.formatColumns('combined').map((c) => c.name))
  assert.equal(table.columnTypes.status, 'uint16')
  assert.equal(table.columnTypes.timestamp, 'timestamp[us, UTC]')
  assert.equal(table.columnTypes.path, 'string')
  assert.equal(table.columnTypes.client, 'dictionary')
  const c = table.columns
  assert.ok(c.status instanceof Uint16Array)
  assert.ok(c.tz_offset instanceof Int16Array)
  for (const name of ['line', 'bytes', 'timestamp', 'error_offset']) assert.ok(c[name] instanceof Float64Array, name)
  for (const name of ['request', 'path']) assert.ok(Array.isArray(c[name]), name)
  for (const name of ['vhost', 'client', 'method', 'protocol', 'referer', 'user_agent', 'error']) {
    assert.ok(c[name].codes instanceof Uint32Array, name)
    assert.ok(Array.isArray(c[name].dictionary), name)
    assert.equal(c[name].codes.length, 10000, name)
  }
  for (const name of COMBINED_COLUMNS) {
    const column = c[name]
    assert.equal((column.codes ?? column).length, 10000, name)
  }
  assert.deepEqual(Object.keys(c), COMBINED_COLUMNS)
  assert.equal(c.status, c.status, 'a column is converted once and kept')
  assert.equal(table.column('path'), c.path)
  assert.deepEqual(Array.from(c.line.subarray(0, 3)), [1, 2, 3])
  assert.equal(c.line[9999], 10000)
})

test('the first row of the sample, field by field', () => {
  const first = SAMPLE_BYTES.toString().split('\n')[0]
  // 83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/... HTTP/1.1" 200 203023 "http://..." "Mozilla/5.0 ..."
  const [, client, time, request, status, bytes, referer, agent] =
    /^(\S+) - - \[([^\]]+)\] "([^"]*)" (\d+) (\d+) "([^"]*)" "([^"]*)"$/.exec(first)
  const row = Object.fromEntries(Object.entries(referenceDecoded).map(([name, values]) => [name, values[0]]))
  assert.equal(time, '17/May/2015:10:05:03 +0000')
  assert.equal(row.timestamp, Date.UTC(2015, 4, 17, 10, 5, 3) * 1000, 'microseconds since the epoch, UTC')
  assert.equal(row.tz_offset, 0)
  assert.equal(row.client, client)
  assert.equal(row.vhost, null)
  assert.equal(row.ident, null)
  assert.equal(row.user, null)
  assert.equal(row.request, request)
  assert.deepEqual([row.method, row.path, row.protocol], request.split(' '))
  assert.equal(row.status, Number(status))
  assert.equal(row.bytes, Number(bytes))
  assert.equal(row.referer, referer)
  assert.equal(row.user_agent, agent)
  assert.equal(row.error, null)
  assert.equal(row.error_offset, null)
})

test('the failed row keeps the fields parsed before the failure', () => {
  const row = 8898
  const { error, error_offset: errorOffset, status, client, user_agent: agent } = referenceDecoded
  assert.equal(error[row], 'UNTERMINATED_QUOTE')
  assert.equal(errorOffset[row], reference.errors[0].offset)
  assert.ok(status[row] > 0)
  assert.equal(typeof client[row], 'string')
  assert.equal(agent[row], null)
  assert.equal(error.filter((e) => e !== null).length, 1)
  assert.equal(reference.isValid('error', row), true)
  assert.equal(reference.isValid('error', row + 1), false)
})

test('validity: an Arrow LSB bitmap per column, null when no row is null', () => {
  const table = reference
  assert.equal(table.validity('status'), null)
  assert.equal(table.validity('line'), null)
  const bits = table.validity('error')
  assert.ok(bits instanceof Uint8Array)
  assert.equal(bits.length, Math.ceil(10000 / 8))
  for (let row = 0; row < 10000; row++) {
    assert.equal((bits[row >> 3] >> (row & 7)) & 1, row === 8898 ? 1 : 0)
  }
  assert.notEqual(table.validity('error'), bits, 'a copy each time')
  bits.fill(255)
  assert.equal(table.isValid('error', 0), false, 'changing a copy changes nothing')
  assert.deepEqual(table.columns.error.validity, table.validity('error'))
  const referer = table.validity('referer')
  const nullReferers = referenceDecoded.referer.filter((r) => r === null).length
  assert.ok(nullReferers > 0, 'the sample logs "-" referers')
  let unset = 0
  for (let row = 0; row < 10000; row++) unset += ((referer[row >> 3] >> (row & 7)) & 1) === 0 ? 1 : 0
  assert.equal(unset, nullReferers)
  assert.equal(table.isValid('status', 10000), false, 'past the end')
  assert.equal(table.isValid('status', -1), false)
})

// ------------------------------------------------------------------------------ one input, four ways

test('parseFile == parseBuffer == parseFileAsync == the readBatches joined', async () => {
  assert.deepEqual(decode(logs.parseBuffer(SAMPLE_BYTES)), referenceDecoded)
  assert.deepEqual(decode(await logs.parseFileAsync(SAMPLE)), referenceDecoded)
  const batches = [...logs.readBatches(SAMPLE, { batchRows: 999 })]
  assert.equal(batches.length, Math.ceil(10000 / 999))
  assert.ok(batches.slice(0, -1).every((b) => b.numRows === 999))
  for (const batch of batches) assertBalanced(batch)
  const joined = decodeAll(batches)
  assert.deepEqual(joined.columns, referenceDecoded)
  assert.deepEqual(joined.stats, counts(reference.stats))
  assert.deepEqual(joined.errors, reference.errors)
})

test('parseBuffer takes a Uint8Array view at any offset of its buffer', () => {
  const padded = new Uint8Array(SAMPLE_BYTES.length + 7)
  padded.set(SAMPLE_BYTES, 3)
  const view = padded.subarray(3, 3 + SAMPLE_BYTES.length)
  assert.deepEqual(decode(logs.parseBuffer(view)), referenceDecoded)
})

test('paths may be file: URLs', () => {
  const table = logs.parseFile(new URL('../../examples/data/apache_combined.log', import.meta.url))
  assert.equal(table.numRows, 10000)
  assert.throws(() => logs.parseFile(new URL('https://example.com/access.log')), ferruleCode('FERRULE_INVALID_ARGUMENT'))
})

// The codes of the non-null rows of a dictionary column (null rows are compared as null).
function validCodes(table, name) {
  return Array.from(table.columns[name].codes, (code, row) => (table.isValid(name, row) ? code : null))
}

test('threads: 1 and 2 give identical tables, dictionary codes included', () => {
  assert.ok(SAMPLE_BYTES.length > 1 << 20, 'large enough to be cut into chunks')
  const one = logs.parseFile(SAMPLE, { threads: 1 })
  const two = logs.parseFile(SAMPLE, { threads: 2 })
  const all = logs.parseBuffer(SAMPLE_BYTES, { threads: 0 })
  for (const other of [two, all]) {
    assert.deepEqual(decode(other), decode(one))
    for (const name of COMBINED_COLUMNS) {
      if (one.columnTypes[name] !== 'dictionary') {
        assert.deepEqual(other.columns[name], one.columns[name], name)
        continue
      }
      assert.deepEqual(other.columns[name].dictionary, one.columns[name].dictionary, name)
      assert.deepEqual(validCodes(other, name), validCodes(one, name), name)
      assert.deepEqual(other.validity(name), one.validity(name), name)
    }
    assert.deepEqual(counts(other.stats), counts(one.stats))
    assert.deepEqual(other.errors, one.errors)
  }
})

test('threads: 2 leaves code 0 at null rows, as a sequential parse does', () => {
  const one = logs.parseFile(SAMPLE, { threads: 1 })
  const two = logs.parseFile(SAMPLE, { threads: 2 })
  for (const name of ['referer', 'user_agent']) assert.deepEqual(two.columns[name].codes, one.columns[name].codes, name)
})

test('readBatches: for await gives the same batches as for...of', async () => {
  const numbers = (batch) => [batch.numRows, batch.stats.lines, batch.columns.line[0]]
  const sync = [...logs.readBatches(SAMPLE, { batchRows: 3000 })].map(numbers)
  const viaAwait = []
  for await (const batch of logs.readBatches(SAMPLE, { batchRows: 3000 })) viaAwait.push(numbers(batch))
  assert.deepEqual(viaAwait, sync)
  assert.deepEqual(sync.map((n) => n[0]), [3000, 3000, 3000, 1000])
  // A break closes the file in the async form too.
  for await (const batch of logs.readBatches(SAMPLE, { batchRows: 10 })) { assert.equal(batch.numRows, 10); break }
})

test('readBatches: dictionaries grow batch to batch, codes keep their meaning', () => {
  let previous = []
  let batches = 0
  for (const batch of logs.readBatches(SAMPLE, { batchRows: 2500, onError: 'row' })) {
    batches++
    const { dictionary, codes } = batch.columns.client
    assert.deepEqual(dictionary.slice(0, previous.length), previous, 'a superset of the last one')
    assert.ok(codes.every((code) => code < dictionary.length))
    previous = dictionary
  }
  assert.equal(batches, 4)
  assert.deepEqual(previous, reference.columns.client.dictionary)
})

test('readBatches: batchRows larger than the file gives one batch; a break closes the file', () => {
  const whole = [...logs.readBatches(SAMPLE, { batchRows: 1e6 })]
  assert.equal(whole.length, 1)
  assert.equal(whole[0].numRows, 10000)
  const iterator = logs.readBatches(SAMPLE, { batchRows: 10 })
  for (const batch of iterator) {
    assert.equal(batch.numRows, 10)
    break
  }
  assert.deepEqual(iterator.next(), { value: undefined, done: true }, 'finished after the break')
})

// ------------------------------------------------------------------------------ streams

test('createParser: the input split at every byte offset gives the one-shot table', () => {
  const oneShot = logs.parseBuffer(SMALL)
  const expected = decode(oneShot)
  assert.deepEqual(counts(oneShot.stats), { lines: 7, ok: 4, errors: 2, skipped: 1, empty: 1 })
  for (let cut = 0; cut <= SMALL.length; cut++) {
    const parser = logs.createParser()
    parser.push(SMALL.subarray(0, cut))
    parser.push(SMALL.subarray(cut))
    const table = parser.finish()
    assert.deepEqual(decode(table), expected, `split at byte ${cut}`)
    assert.deepEqual(counts(table.stats), counts(oneShot.stats), `split at byte ${cut}`)
    assert.deepEqual(table.errors, oneShot.errors, `split at byte ${cut}`)
  }
})

test('createParser: one byte at a time, and batches taken midway, give the same rows', () => {
  const expected = decode(logs.parseBuffer(SMALL))
  const parser = logs.createParser()
  const batches = []
  for (let i = 0; i < SMALL.length; i++) {
    parser.push(SMALL.subarray(i, i + 1))
    if (i % 50 === 0) batches.push(parser.takeBatch())
  }
  assert.ok(parser.pendingBytes > 0, 'the last line has no end yet')
  assert.equal(parser.finished, false)
  batches.push(parser.finish())
  assert.equal(parser.finished, true)
  assert.equal(parser.rowsBuffered, 0)
  const joined = decodeAll(batches)
  assert.deepEqual(joined.columns, expected)
  assert.deepEqual(joined.stats, { lines: 7, ok: 4, errors: 2, skipped: 1, empty: 1 })
})

test('createParser: strings are pushed as UTF-8; push after finish throws', () => {
  const parser = logs.createParser({ format: 'common' })
  parser.push('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /é HTTP/1.0" 200 2326\n')
  assert.equal(parser.rowsBuffered, 1)
  parser.push('5.6.7.8 - - [10/Oct/2000:13:55:36 -0700] "GET /b HTTP/1.0" 200 -')
  assert.ok(parser.pendingBytes > 0)
  const table = parser.finish()
  assert.deepEqual(table.columns.path, ['/é', '/b'])
  assert.equal(table.isValid('bytes', 1), false)
  assert.throws(() => parser.push('x\n'), ferruleCode('FERRULE_INVALID_ARGUMENT', { message: /finished/ }))
  assert.throws(() => parser.finish(), ferruleCode('FERRULE_INVALID_ARGUMENT'))
})

test('createParser: the sample in uneven chunks equals parseFile', () => {
  const parser = logs.createParser()
  for (let start = 0, size = 1; start < SAMPLE_BYTES.length; start += size, size = (size * 7 + 3) % 65521) {
    parser.push(SAMPLE_BYTES.subarray(start, start + size))
  }
  assert.deepEqual(decode(parser.finish()), referenceDecoded)
})

// ------------------------------------------------------------------------------ input cases

test('empty input, and input of empty lines only', () => {
  const empty = logs.parseBuffer(Buffer.alloc(0))
  assert.equal(empty.numRows, 0)
  assert.deepEqual(counts(empty.stats), { lines: 0, ok: 0, errors: 0, skipped: 0, empty: 0 })
  assert.equal(empty.columns.status.length, 0)
  assert.deepEqual(empty.columns.path, [])
  assert.deepEqual(empty.columns.client.dictionary, [])
  const blank = logs.parseBuffer(Buffer.from('\n\r\n\n'))
  assert.equal(blank.numRows, 0)
  assert.deepEqual(counts(blank.stats), { lines: 3, ok: 0, errors: 0, skipped: 3, empty: 3 })
  const path = scratchFile('empty.log', '')
  assert.equal(logs.parseFile(path).numRows, 0)
  assert.deepEqual([...logs.readBatches(path)].length, 0)
})

test('lines == ok + errors + skipped on every input and mode', () => {
  const inputs = [SAMPLE_BYTES, SMALL, Buffer.from('\n\nx\n'), Buffer.from('no newline at all')]
  for (const input of inputs) {
    for (const onError of ['row', 'skip']) {
      const table = logs.parseBuffer(input, { onError })
      assertBalanced(table)
      if (onError === 'skip') assert.equal(table.stats.errors, 0)
    }
  }
})

test('CRLF line ends are dropped', () => {
  const crlf = Buffer.from(SAMPLE_BYTES.toString().split('\n').slice(0, 200).join('\r\n'))
  const table = logs.parseBuffer(crlf)
  assert.deepEqual(decode(table).user_agent, referenceDecoded.user_agent.slice(0, 200))
  assert.equal(table.stats.errors, 0)
})

test('nulls: `-` fields, and requests that are not METHOD PATH PROTOCOL', () => {
  const table = logs.parseBuffer(SMALL)
  const rows = decode(table)
  assert.deepEqual(rows.bytes, [2326, null, null, 0, 5, 1])
  assert.equal(table.columns.bytes[1], 0, 'null rows of integer columns hold 0')
  assert.deepEqual(rows.user, [null, 'frank', null, null, null, null])
  assert.deepEqual(rows.request[3], '\\x16\\x03', 'kept raw')
  assert.deepEqual([rows.method[3], rows.path[3], rows.protocol[3]], [null, null, null])
  assert.deepEqual(rows.method, ['GET', 'POST', null, null, 'GET', 'GET'])
  assert.equal(table.columns.path[3], null, 'plain string columns hold null at null rows')
  assert.deepEqual(rows.tz_offset, [-420, 120, null, 0, 0, -420])
  assert.equal(rows.timestamp[0], Date.UTC(2000, 9, 10, 20, 55, 36) * 1000)
  assert.equal(rows.timestamp[1], Date.UTC(2000, 9, 10, 11, 55, 37) * 1000)
  assert.deepEqual(rows.client, ['1.2.3.4', '::1', 'garbage', 'host.example', '9.9.9.9', '5.6.7.8'])
  assert.deepEqual(rows.error, [null, null, 'TOO_FEW_FIELDS', null, null, 'UNTERMINATED_QUOTE'])
  assert.deepEqual(table.errors.map((e) => [e.line, e.code]), [[4, 'TOO_FEW_FIELDS'], [7, 'UNTERMINATED_QUOTE']])
  assert.deepEqual(rows.line, [1, 3, 4, 5, 6, 7], 'line numbers count the empty line')
})

test('escapes are kept raw by default, undone with unescape', () => {
  const raw = decode(logs.parseBuffer(SMALL))
  const unescaped = decode(logs.parseBuffer(SMALL, { unescape: true }))
  assert.equal(raw.user_agent[1], 'Mozilla \\"q\\" \\x41')
  assert.equal(unescaped.user_agent[1], 'Mozilla "q" A')
  assert.equal(unescaped.request[3], '\x16\x03')
})

test('invalid UTF-8: decoded lossily by default, an INVALID_UTF8 error row with strictUtf8', () => {
  const lossy = decode(logs.parseBuffer(SMALL))
  assert.equal(lossy.user_agent[4], 'bad \uFFFD\uFFFD')
  const strict = logs.parseBuffer(SMALL, { strictUtf8: true })
  assert.equal(decode(strict).error[4], 'INVALID_UTF8')
  assert.deepEqual(strict.errors.map((e) => e.code), ['TOO_FEW_FIELDS', 'INVALID_UTF8', 'UNTERMINATED_QUOTE'])
  assert.equal(strict.errors[1].text.includes('\uFFFD'), true, 'the raw line, lossily decoded')
  assertBalanced(strict)
})

test('invalid UTF-8: the bytes as logged, from column(name, { raw: true }) and errors[i].raw', () => {
  const agent = Buffer.concat([Buffer.from('bad '), Buffer.from([0xff]), Buffer.from(' agent')])
  const path = Buffer.concat([Buffer.from('/p'), Buffer.from([0xc3])])
  const good = Buffer.from('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /ok HTTP/1.0" 200 1 "-" "curl"')
  const bad = Buffer.concat([
    Buffer.from('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET '), path, Buffer.from(' HTTP/1.0" 200 1 "-" "'),
    agent, Buffer.from('"'),
  ])
  const failed = Buffer.concat([Buffer.from('9.9.9.9 - - [10/Oct/2000:13:55:36 -0700] "GET /'), Buffer.from([0xff, 0x80])])
  const input = Buffer.concat([good, Buffer.from('\n'), bad, Buffer.from('\n'), failed, Buffer.from('\n')])
  const table = logs.parseBuffer(input)

  // The default: lossy strings.
  const lossy = decode(table)
  assert.equal(lossy.user_agent[1], 'bad \uFFFD agent')
  assert.equal(lossy.path[1], '/p\uFFFD')

  // A dictionary column as bytes: its own dictionary, codes into it.
  const agents = table.column('user_agent', { raw: true })
  assert.ok(agents.dictionary.every((value) => Buffer.isBuffer(value)))
  const rawAgents = Array.from(agents.codes, (code, row) => table.isValid('user_agent', row) ? agents.dictionary[code] : null)
  assert.deepEqual(rawAgents, [Buffer.from('curl'), agent, null])
  assert.equal(rawAgents[1][4], 0xff)
  assert.deepEqual(agents.validity, table.validity('user_agent'))
  assert.equal(table.column('user_agent', { raw: true }), agents, 'kept, like the default columns')
  assert.notEqual(table.column('user_agent'), agents)

  // A plain string column as bytes: a Buffer per row, null at null rows.
  const paths = table.column('path', { raw: true })
  assert.deepEqual(paths, [Buffer.from('/ok'), path, null])
  assert.ok(Buffer.isBuffer(paths[1]) && paths[1][2] === 0xc3)
  const requests = table.column('request', { raw: true, bigint: false })
  assert.deepEqual(requests[1], Buffer.concat([Buffer.from('GET '), path, Buffer.from(' HTTP/1.0')]))

  // Values that decode alike stay apart as bytes.
  const twins = logs.parseBuffer(Buffer.concat([bad, Buffer.from('\n'),
    Buffer.from(bad.toString('latin1').replace('\xff', '\xfe'), 'latin1')]))
  assert.deepEqual(twins.column('user_agent').dictionary, ['bad \uFFFD agent'])
  const twinAgents = twins.column('user_agent', { raw: true })
  assert.deepEqual(twinAgents.dictionary.map((b) => b[4]), [0xff, 0xfe])
  assert.deepEqual(Array.from(twinAgents.codes), [0, 1])

  // A failed line: lossy text, and its exact bytes.
  assert.equal(table.errors.length, 1)
  const [error] = table.errors
  assert.equal(error.line, 3)
  assert.equal(error.text, failed.toString())
  assert.ok(error.text.includes('\uFFFD'))
  assert.ok(Buffer.isBuffer(error.raw))
  assert.deepEqual(error.raw, failed)
  assert.deepEqual(logs.parseBuffer(SMALL).errors.map((e) => e.raw.toString()),
    logs.parseBuffer(SMALL).errors.map((e) => e.text), 'UTF-8 lines: raw is the text')
})

test('raw bytes cross in several chunks too', () => {
  const agents = []
  const lines = []
  for (let i = 0; i < 2000; i++) {
    const agent = Buffer.concat([Buffer.from(`agent ${i} `), Buffer.alloc(1000 + (i % 17), 0xff)])
    agents.push(agent)
    lines.push(Buffer.from(`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /${i} HTTP/1.0" 200 1 "-" "`), agent,
      Buffer.from('"\n'))
  }
  const input = Buffer.concat(lines)
  assert.ok(input.length > 2 << 20, 'more than a 1 MB chunk')
  for (const plainColumns of [undefined, ['user_agent']]) {
    const table = logs.parseBuffer(input, { plainColumns })
    const column = table.column('user_agent', { raw: true })
    const values = Array.isArray(column) ? column : Array.from(column.codes, (code) => column.dictionary[code])
    assert.equal(values.length, agents.length)
    assert.ok(values.every((value, i) => value.equals(agents[i])), `plainColumns ${plainColumns}`)
  }
})

test('64-bit columns: rounded above 2^53 in Float64Array, exact with { bigint: true }', () => {
  const table = logs.parseBuffer(Buffer.from(
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 18446744073709551615\n' +
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 9007199254740993\n' +
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 -\n' +
    'garbage\n'), { format: 'common' })
  assert.equal(table.columns.bytes[0], 2 ** 64, 'rounded')
  assert.equal(table.columns.bytes[1], 2 ** 53, 'rounded')
  const bytes = table.column('bytes', { bigint: true })
  assert.ok(bytes instanceof BigUint64Array)
  assert.deepEqual(Array.from(bytes), [18446744073709551615n, 9007199254740993n, 0n, 0n])
  assert.equal(table.isValid('bytes', 2), false, 'null rows hold 0n: validity tells')
  assert.equal(table.column('bytes', { bigint: true }), bytes, 'kept')
  const lines = table.column('line', { bigint: true })
  assert.ok(lines instanceof BigUint64Array)
  assert.deepEqual(Array.from(lines), [1n, 2n, 3n, 4n])
  const errorOffsets = table.column('error_offset', { bigint: true })
  assert.ok(errorOffsets instanceof BigUint64Array)
  assert.equal(errorOffsets[3], BigInt(table.errors[0].offset))
  const micros = table.column('timestamp', { bigint: true })
  assert.ok(micros instanceof BigInt64Array)
  assert.equal(micros[0], BigInt(Date.UTC(2000, 9, 10, 20, 55, 36)) * 1000n)
  assert.equal(Number(micros[0]), table.columns.timestamp[0])
  const early = logs.parseBuffer(Buffer.from('1.2.3.4 - - [10/Oct/1900:13:55:36 +0000] "GET / HTTP/1.0" 200 1\n'),
    { format: 'common' })
  assert.equal(early.column('timestamp', { bigint: true })[0], BigInt(Date.UTC(1900, 9, 10, 13, 55, 36)) * 1000n,
    'timestamps are signed')
  // nginx: $pid is int64, $msec a timestamp, $request_time float64 (no bigint).
  const nginx = logs.parseBuffer(Buffer.from('1.5 1700000000.123 9223372036854775807\n'),
    { format: logs.format.nginx('$request_time $msec $pid') })
  assert.equal(nginx.columnTypes.pid, 'int64')
  const pids = nginx.column('pid', { bigint: true })
  assert.ok(pids instanceof BigInt64Array)
  assert.deepEqual(Array.from(pids), [9223372036854775807n])
  assert.deepEqual(Array.from(nginx.column('timestamp', { bigint: true })), [1700000000123000n])
  assert.throws(() => nginx.column('request_time', { bigint: true }),
    ferruleCode('FERRULE_INVALID_ARGUMENT', { message: /request_time.*float64/ }))
})

test('column options: raw for strings, bigint for 64-bit integers, checked', () => {
  const invalid = (fn, what, message) => assert.throws(fn, (err) => {
    assert.ok(!(err instanceof TypeError), what)
    return ferruleCode('FERRULE_INVALID_ARGUMENT', { message })(err)
  }, what)
  invalid(() => reference.column('status', { raw: true }), 'raw status', /raw.*"status" is uint16/)
  invalid(() => reference.column('bytes', { raw: true }), 'raw bytes', /raw/)
  invalid(() => reference.column('path', { bigint: true }), 'bigint path', /bigint.*"path" is string/)
  invalid(() => reference.column('status', { bigint: true }), 'bigint status', /bigint/)
  invalid(() => reference.column('tz_offset', { bigint: true }), 'bigint tz_offset', /bigint/)
  invalid(() => reference.column('path', { raw: true, bigint: true }), 'both', /both/)
  for (const options of ['raw', [true], { raw: 1 }, { bigint: 'yes' }, { Raw: true }, { lossy: false }]) {
    assert.throws(() => reference.column('path', options), (err) => err instanceof TypeError &&
      err.code === 'FERRULE_INVALID_ARGUMENT', JSON.stringify(options))
  }
  for (const options of [undefined, null, {}, { raw: false }, { bigint: null }, { raw: false, bigint: false }]) {
    assert.equal(reference.column('path', options), reference.columns.path, JSON.stringify(options))
    assert.equal(reference.column('bytes', options), reference.columns.bytes, JSON.stringify(options))
  }
})

test('invalid UTF-8: values that decode alike share one dictionary entry; plain columns too', () => {
  const line = (path, agent) => Buffer.concat([
    Buffer.from('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /'), path, Buffer.from(' HTTP/1.0" 200 1 "-" "'),
    agent, Buffer.from('"\n'),
  ])
  const input = Buffer.concat([
    line(Buffer.from([0xff]), Buffer.from([0x61, 0xff])),
    line(Buffer.from([0xfe]), Buffer.from([0x61, 0xfe])),
    line(Buffer.from('ok'), Buffer.from('b')),
  ])
  const table = logs.parseBuffer(input)
  const agents = table.columns.user_agent
  assert.deepEqual(agents.dictionary, ['a\uFFFD', 'b'])
  assert.deepEqual(Array.from(agents.codes), [0, 0, 1])
  assert.deepEqual(table.columns.path, ['/\uFFFD', '/\uFFFD', '/ok'])
  assert.deepEqual(table.columns.request, ['GET /\uFFFD HTTP/1.0', 'GET /\uFFFD HTTP/1.0', 'GET /ok HTTP/1.0'])
})

test('long strings cross in several chunks, multi-byte characters included', () => {
  const lines = []
  const paths = []
  const agents = []
  for (let i = 0; i < 3000; i++) {
    const path = `/${i}/` + 'é😀x'.repeat(100 + (i % 37)) + (i % 5 === 0 ? '\u00a0' : '')
    const agent = `agent ${i} ` + 'ü'.repeat(300)
    paths.push(path)
    agents.push(agent)
    lines.push(`1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET ${path} HTTP/1.0" 200 1 "-" "${agent}"`)
  }
  const input = Buffer.from(lines.join('\n'))
  assert.ok(input.length > 3 << 20, 'more than a few 1 MB chunks')
  const table = logs.parseBuffer(input, { threads: 2 })
  assert.deepEqual(table.columns.path, paths)
  assert.deepEqual(table.columns.user_agent.dictionary, agents)
  assert.deepEqual(Array.from(table.columns.user_agent.codes), agents.map((_, i) => i))
})

test('plainColumns chooses exactly the plain string columns', () => {
  const table = logs.parseBuffer(SMALL, { plainColumns: ['client'] })
  assert.deepEqual(table.columns.client, ['1.2.3.4', '::1', 'garbage', 'host.example', '9.9.9.9', '5.6.7.8'])
  assert.equal(table.columnTypes.client, 'string')
  assert.equal(table.columnTypes.path, 'dictionary')
  assert.deepEqual(decode(table).path, decode(logs.parseBuffer(SMALL)).path)
  const none = logs.parseBuffer(SMALL, { plainColumns: [] })
  assert.ok(Object.values(none.columnTypes).every((type) => type !== 'string'))
  assert.throws(() => logs.parseBuffer(SMALL, { plainColumns: ['nope'] }),
    ferruleCode('FERRULE_INVALID_ARGUMENT', { message: /nope/ }))
  assert.throws(() => logs.parseBuffer(SMALL, { plainColumns: ['status'] }), ferruleCode('FERRULE_INVALID_ARGUMENT'))
})

test('large numbers: uint64 exact below 2^53 in a Float64Array', () => {
  const table = logs.parseBuffer(Buffer.from(
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 9007199254740991\n' +
    '1.2.3.4 - - [31/Dec/2254:23:59:59 +0000] "GET / HTTP/1.0" 200 0\n'), { format: 'common' })
  assert.equal(table.columns.bytes[0], Number.MAX_SAFE_INTEGER)
  const late = Date.UTC(2254, 11, 31, 23, 59, 59) * 1000
  assert.ok(late < Number.MAX_SAFE_INTEGER)
  assert.equal(table.columns.timestamp[1], late)
})

// ------------------------------------------------------------------------------ files

test('gzip files are detected by their magic bytes, for every reader', async () => {
  const gz = scratchFile('sample.log.gz', gzipSync(SAMPLE_BYTES))
  const noSuffix = scratchFile('sample-gzipped', gzipSync(SAMPLE_BYTES))
  assert.deepEqual(decode(logs.parseFile(gz)), referenceDecoded)
  assert.deepEqual(decode(logs.parseFile(noSuffix)), referenceDecoded)
  assert.deepEqual(decode(await logs.parseFileAsync(gz)), referenceDecoded)
  assert.deepEqual(decodeAll(logs.readBatches(gz, { batchRows: 3000 })).columns, referenceDecoded)
  assert.equal(logs.parseFile(gz).stats.bytes, SAMPLE_BYTES.length, 'inflated bytes')
})

test('truncated gzip: FERRULE_CORRUPT from every reader', async () => {
  const whole = gzipSync(SAMPLE_BYTES)
  const cut = scratchFile('cut.log.gz', whole.subarray(0, whole.length >> 1))
  assert.throws(() => logs.parseFile(cut), ferruleCode('FERRULE_CORRUPT', { message: /truncated/ }))
  await assert.rejects(logs.parseFileAsync(cut), ferruleCode('FERRULE_CORRUPT'))
  assert.throws(() => [...logs.readBatches(cut, { batchRows: 100 })], ferruleCode('FERRULE_CORRUPT'))
  const damaged = Buffer.from(whole)
  damaged.fill(0x55, 100, 200)
  assert.throws(() => logs.parseFile(scratchFile('damaged.log.gz', damaged)), ferruleCode('FERRULE_CORRUPT'))
})

test('a missing file and a directory: FERRULE_IO from every reader', async () => {
  const missing = join(scratch, 'no-such.log')
  for (const path of [missing, scratch]) {
    assert.throws(() => logs.parseFile(path), ferruleCode('FERRULE_IO'))
    await assert.rejects(logs.parseFileAsync(path), ferruleCode('FERRULE_IO'))
    assert.throws(() => logs.readBatches(path), ferruleCode('FERRULE_IO'), 'at the call, not at the first batch')
  }
  assert.throws(() => logs.parseFile(missing), { message: /no-such\.log/ })
  assert.throws(() => logs.parseFile(scratch), { message: /directory/ })
})

// ------------------------------------------------------------------------------ onError

test("onError 'skip': failed lines dropped, counted as skipped, still listed", () => {
  const table = logs.parseFile(SAMPLE, { onError: 'skip' })
  assert.equal(table.numRows, 9999)
  assert.deepEqual(counts(table.stats), { lines: 10000, ok: 9999, errors: 0, skipped: 1, empty: 0 })
  assert.deepEqual(table.errors.map((e) => [e.line, e.code]), [[8899, 'UNTERMINATED_QUOTE']])
  assert.equal(table.columns.line[8898], 8900, 'line 8899 is missing')
  assert.ok(decode(table).error.every((e) => e === null))
  assertBalanced(table)
})

test("onError 'raise': FERRULE_PARSE with reason, line and offset, from every reader", async () => {
  const offset = reference.errors[0].offset
  const expected = ferruleCode('FERRULE_PARSE', {
    reason: 'UNTERMINATED_QUOTE', line: 8899, offset, message: /UNTERMINATED_QUOTE.*line 8899/,
  })
  assert.throws(() => logs.parseFile(SAMPLE, { onError: 'raise' }), expected)
  assert.throws(() => logs.parseFile(SAMPLE, { onError: 'raise', threads: 2 }), expected)
  assert.throws(() => logs.parseBuffer(SAMPLE_BYTES, { onError: 'raise', threads: 1 }), expected)
  await assert.rejects(logs.parseFileAsync(SAMPLE, { onError: 'raise' }), expected)
  assert.throws(() => [...logs.readBatches(SAMPLE, { onError: 'raise', batchRows: 1000 })], expected)
  const parser = logs.createParser({ onError: 'raise' })
  assert.throws(() => parser.push(SAMPLE_BYTES), expected)
  assert.throws(() => parser.push(Buffer.from('\n')), ferruleCode('FERRULE_PARSE'), 'later pushes fail too')
  assert.throws(() => logs.parseBuffer(SMALL, { onError: 'raise' }),
    ferruleCode('FERRULE_PARSE', { reason: 'TOO_FEW_FIELDS', line: 4 }))
  // A good input raises nothing.
  const goodLines = SAMPLE_BYTES.subarray(0, SAMPLE_BYTES.indexOf('\n', 100000) + 1)
  const goodCount = goodLines.toString().split('\n').length - 1
  assert.ok(goodCount > 300 && goodCount < 8899)
  assert.equal(logs.parseBuffer(goodLines, { onError: 'raise' }).stats.ok, goodCount)
})

test("onError 'raise': reason, line and offset arrive as data, not read back from the message", () => {
  const offset = reference.errors[0].offset
  assert.throws(() => logs.parseFile(SAMPLE, { onError: 'raise' }), (err) => {
    assert.match(err.message, new RegExp(`^UNTERMINATED_QUOTE: .+ \\(line 8899, byte offset ${offset}\\)$`))
    assert.equal(err.cause, undefined, 'the carrier of the details is removed')
    assert.deepEqual([err.code, err.reason, err.line, err.offset], ['FERRULE_PARSE', 'UNTERMINATED_QUOTE', 8899, offset])
    return true
  })
  // A message that merely looks located is not taken for a location.
  assert.throws(() => ferrule.__debugRaise('FERRULE_PARSE', 'fake (line 5, byte offset 6)'),
    { code: 'FERRULE_PARSE', line: null, offset: null, reason: null, message: 'fake (line 5, byte offset 6)' })
  assert.throws(() => ferrule.__debugRaise('FERRULE_IO', 'x', 2 ** 32 - 1, 0), { line: 2 ** 32 - 1, offset: 0 })
})

test('errors without a finer reason have reason null', () => {
  assert.throws(() => logs.parseFile(join(scratch, 'nope.log')), { code: 'FERRULE_IO', reason: null })
  assert.throws(() => ferrule.__debugRaise('FERRULE_PARSE', 'bad'), { code: 'FERRULE_PARSE', reason: null })
})

// ------------------------------------------------------------------------------ custom formats

const NGINX = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent ' +
  '$request_time "$upstream_response_time" $msec $time_iso8601'

test('nginx: $request_time, "$upstream_response_time" lists, $msec, $time_iso8601', () => {
  const format = logs.format.nginx(NGINX)
  assert.equal(format.kind, 'nginx')
  assert.equal(format.spec, NGINX)
  assert.ok(Object.isFrozen(format))
  const types = Object.fromEntries(format.columns.map((c) => [c.name, c.type]))
  assert.equal(types.request_time, 'float64')
  assert.equal(types.upstream_response_time, 'float64')
  assert.equal(types.timestamp_2, 'timestamp[us, UTC]')
  const input = Buffer.from(
    '1.2.3.4 - bob [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 12 0.123 "0.001, 0.002 : 0.003" ' +
    '1431857103.125 2015-05-17T10:05:03+02:00\n' +
    '5.6.7.8 - - [17/May/2015:10:05:04 +0000] "GET /b HTTP/1.1" 502 0 0.5 "-" 1431857104 2015-05-17T08:05:04Z\n')
  const table = logs.parseBuffer(input, { format })
  assert.deepEqual(table.columnNames, format.columnNames)
  assert.deepEqual(table.errors, [])
  const upstream = table.columns.upstream_response_time
  assert.ok(Math.abs(upstream[0] - 0.006) < 1e-12, `the list sums: ${upstream[0]}`)
  assert.ok(Number.isNaN(upstream[1]), 'float64 nulls are NaN')
  assert.equal(table.isValid('upstream_response_time', 1), false)
  assert.deepEqual(Array.from(table.columns.request_time), [0.123, 0.5])
  assert.deepEqual(Array.from(table.columns.timestamp_2), [1431857103125000, 1431857104000000])
  assert.deepEqual(Array.from(table.columns.timestamp_3),
    [Date.UTC(2015, 4, 17, 8, 5, 3) * 1000, Date.UTC(2015, 4, 17, 8, 5, 4) * 1000])
  assert.deepEqual(Array.from(table.columns.tz_offset_3), [120, 0])
  assert.deepEqual(table.columns.user.dictionary, ['bob'])
  assert.deepEqual(decode(table).user, ['bob', null])
  // The same object or a plain { kind, spec } works as options.format, and as nginx.conf writes it.
  assert.deepEqual(decode(logs.parseBuffer(input, { format: { kind: 'nginx', spec: NGINX } })), decode(table))
  const conf = `log_format timed '${NGINX.slice(0, 40)}'\n    '${NGINX.slice(40)}';`
  assert.deepEqual(decode(logs.parseBuffer(input, { format: logs.format.nginx(conf) })), decode(table))
})

test('nginx: an unquoted $upstream_response_time list at the end of the line', () => {
  const table = logs.parseBuffer(Buffer.from('200 0.001, 0.002 : 0.003\n200 0.25\n'),
    { format: logs.format.nginx('$status $upstream_response_time') })
  assert.ok(Math.abs(table.columns.upstream_response_time[0] - 0.006) < 1e-12)
  assert.equal(table.columns.upstream_response_time[1], 0.25)
})

test('nginx: an unquoted $upstream_response_time list before another field', () => {
  const table = logs.parseBuffer(Buffer.from('200 0.001, 0.002 : 0.003 1431857103.125\n'),
    { format: logs.format.nginx('$status $upstream_response_time $msec') })
  assert.deepEqual(table.errors, [])
  assert.ok(Math.abs(table.columns.upstream_response_time[0] - 0.006) < 1e-12)
})

test('apache: %D and %T durations, headers as columns', () => {
  const format = logs.format.apache('%h %l %u %t \\"%r\\" %>s %b \\"%{User-Agent}i\\" %D %T')
  const table = logs.parseBuffer(Buffer.from(
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "curl" 1234 1\n' +
    '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /b HTTP/1.0" 200 - "-" 999999 0\n'), { format })
  assert.deepEqual(table.errors, [])
  assert.equal(table.columnTypes.duration_us, format.columns.find((c) => c.name === 'duration_us').type)
  assert.deepEqual(Array.from(table.columns.duration_us), [1234, 999999])
  assert.deepEqual(Array.from(table.columns.duration_s), [1, 0])
  assert.deepEqual(decode(table).user_agent, ['curl', null])
  assert.deepEqual(decode(table).bytes, [2326, null])
})

test('presets: common, clf, vhost_combined', () => {
  const line = 'example.com:443 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.0" 200 2326 "-" "curl"\n'
  const vhost = logs.parseBuffer(Buffer.from(line), { format: 'vhost_combined' })
  assert.deepEqual(decode(vhost).vhost, ['example.com'])
  assert.deepEqual(Array.from(vhost.columns.port), [443])
  assert.deepEqual(Array.from(vhost.columns.bytes_sent), [2326])
  const common = logs.parseBuffer(Buffer.from(line), { format: 'common' })
  assert.deepEqual(decode(common).vhost, ['example.com:443'], 'the presets take a leading vhost')
  assert.deepEqual(common.columnNames, logs.formatColumns('clf').map((c) => c.name))
  assert.ok(!common.columnNames.includes('user_agent'))
  assert.deepEqual(logs.format.preset('common').columnNames, common.columnNames)
})

test('bad format strings throw FERRULE_PARSE; unknown presets and kinds FERRULE_INVALID_ARGUMENT', () => {
  for (const spec of ['', 'just text', '$remote_addr$status']) {
    assert.throws(() => logs.format.nginx(spec), ferruleCode('FERRULE_PARSE', { reason: null }), spec)
  }
  assert.throws(() => logs.format.apache('%h%l'), ferruleCode('FERRULE_PARSE', { message: /ambiguous/ }))
  assert.throws(() => logs.parseBuffer(SMALL, { format: { kind: 'apache', spec: '%h%l' } }), ferruleCode('FERRULE_PARSE'))
  assert.throws(() => logs.parseFile(SAMPLE, { format: 'json' }), ferruleCode('FERRULE_INVALID_ARGUMENT', { message: /combined/ }))
  assert.throws(() => logs.format.preset('json'), ferruleCode('FERRULE_INVALID_ARGUMENT'))
  assert.throws(() => logs.formatColumns({ kind: 'syslog', spec: 'x' }),
    ferruleCode('FERRULE_INVALID_ARGUMENT', { message: /syslog/ }))
  assert.throws(() => logs.parseFileAsync(SAMPLE, { format: logs.format.nginx('$status') && { kind: 'nginx', spec: '' } }),
    ferruleCode('FERRULE_PARSE'), 'async calls throw bad formats at once')
})

// ------------------------------------------------------------------------------ async

test('parseFileAsync runs beside synchronous calls, and several at once', async () => {
  const pending = [
    logs.parseFileAsync(SAMPLE),
    logs.parseFileAsync(SAMPLE, { threads: 1 }),
    logs.parseFileAsync(SAMPLE, { threads: 2, onError: 'skip' }),
  ]
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(decode(logs.parseBuffer(SAMPLE_BYTES)).status, referenceDecoded.status)
  }
  const [a, b, skipped] = await Promise.all(pending)
  assert.deepEqual(decode(a), referenceDecoded)
  assert.deepEqual(decode(b), referenceDecoded)
  assert.equal(skipped.numRows, 9999)
})

test('a panic in an async task rejects with FERRULE_INTERNAL and the process lives on', async () => {
  await assert.rejects(ferrule.__logs.debugPanicAsync('task broke'), (err) => {
    assert.equal(err.code, 'FERRULE_INTERNAL')
    assert.match(err.message, /task broke/)
    return true
  })
  assert.equal(logs.parseBuffer(SMALL).numRows, 6)
})

// ------------------------------------------------------------------------------ malformed arguments

test('wrong argument types: TypeError with code FERRULE_INVALID_ARGUMENT', async () => {
  const typeError = (fn, what) => assert.throws(fn, (err) => {
    assert.ok(err instanceof TypeError, `${what}: ${err}`)
    assert.equal(err.code, 'FERRULE_INVALID_ARGUMENT', what)
    return true
  }, what)
  for (const path of [undefined, null, 42, {}, Buffer.from(SAMPLE)]) {
    typeError(() => logs.parseFile(path), `parseFile(${String(path)})`)
    typeError(() => logs.parseFileAsync(path), `parseFileAsync(${String(path)})`)
    typeError(() => logs.readBatches(path), `readBatches(${String(path)})`)
  }
  for (const buf of [undefined, null, 'text', [1, 2], new Uint16Array(4), SAMPLE_BYTES.buffer]) {
    typeError(() => logs.parseBuffer(buf), `parseBuffer(${Object.prototype.toString.call(buf)})`)
  }
  const bad = [
    ['options', 'combined'],
    ['options', [1]],
    ['key', { formt: 'combined' }],
    ['key', { on_error: 'skip' }],
    ['key', { batchRows: 10 }],
    ['format', { format: 42 }],
    ['format', { format: { kind: 'nginx' } }],
    ['format', { format: ['combined'] }],
    ['onError', { onError: true }],
    ['threads', { threads: '2' }],
    ['unescape', { unescape: 'yes' }],
    ['strictUtf8', { strictUtf8: 1 }],
    ['plainColumns', { plainColumns: 'path' }],
    ['plainColumns', { plainColumns: [1] }],
  ]
  for (const [what, options] of bad) {
    typeError(() => logs.parseFile(SAMPLE, options), `parseFile ${what} ${JSON.stringify(options)}`)
    typeError(() => logs.parseBuffer(SMALL, options), `parseBuffer ${what}`)
    typeError(() => logs.parseFileAsync(SAMPLE, options), `parseFileAsync ${what}`)
    typeError(() => logs.createParser(options), `createParser ${what}`)
    if (what !== 'key' || !('batchRows' in options)) typeError(() => logs.readBatches(SAMPLE, options), `readBatches ${what}`)
  }
  typeError(() => logs.readBatches(SAMPLE, { batchRows: '10' }), 'batchRows string')
  typeError(() => logs.createParser().push(42), 'push(42)')
  typeError(() => logs.createParser().push(null), 'push(null)')
  typeError(() => reference.column(3), 'column(3)')
  typeError(() => reference.isValid('status', 1.5), 'isValid row 1.5')
  typeError(() => reference.isValid('status', '1'), "isValid row '1'")
  typeError(() => new logs.LogTable(), 'new LogTable()')
  typeError(() => logs.format.nginx(42), 'format.nginx(42)')
  typeError(() => logs.formatColumns(42), 'formatColumns(42)')
})

test('threads is not an option of the streams (createParser, readBatches), as in Python', () => {
  for (const threads of [1, 0, 2, null]) {
    for (const [what, fn] of [
      ['createParser', () => logs.createParser({ threads })],
      ['readBatches', () => logs.readBatches(SAMPLE, { threads, batchRows: 100 })],
    ]) {
      assert.throws(fn, (err) => {
        assert.ok(err instanceof TypeError, `${what}: ${err}`)
        assert.equal(err.code, 'FERRULE_INVALID_ARGUMENT')
        assert.match(err.message, /unknown option "threads".*calling thread/)
        return true
      }, `${what} threads ${threads}`)
    }
  }
  // The whole-input functions keep it.
  assert.equal(logs.parseBuffer(SMALL, { threads: 1 }).numRows, logs.parseBuffer(SMALL).numRows)
})

test('bad option values: Error with code FERRULE_INVALID_ARGUMENT', () => {
  const invalid = (fn, what, message) => assert.throws(fn, ferruleCode('FERRULE_INVALID_ARGUMENT', message ? { message } : {}), what)
  for (const onError of ['ignore', 'ROW', '']) invalid(() => logs.parseFile(SAMPLE, { onError }), onError, /onError/)
  for (const threads of [-1, 1.5, NaN, Infinity]) invalid(() => logs.parseBuffer(SMALL, { threads }), `threads ${threads}`, /threads/)
  invalid(() => logs.parseFile(SAMPLE, { threads: 5000 }), 'threads 5000', /threads/)
  for (const batchRows of [0, -5, 2.5, NaN]) {
    invalid(() => logs.readBatches(SAMPLE, { batchRows }), `batchRows ${batchRows}`, /batchRows/)
  }
  invalid(() => reference.column('nope'), 'column nope', /nope.*line, vhost/)
  invalid(() => reference.validity('nope'), 'validity nope')
  invalid(() => reference.isValid('nope', 0), 'isValid nope')
})

test('absent options: undefined and null mean the defaults', () => {
  const expected = decode(logs.parseBuffer(SMALL))
  for (const options of [undefined, null, {}, { format: null, onError: undefined, threads: null, plainColumns: null }]) {
    assert.deepEqual(decode(logs.parseBuffer(SMALL, options)), expected)
  }
})

test('the logs namespace is exported for require() and import', async () => {
  const { createRequire } = await import('node:module')
  const required = createRequire(import.meta.url)('../ferrule.js')
  assert.equal(required.logs, logs)
  assert.equal(ferrule.logs, logs)
  assert.ok(Object.isFrozen(logs))
  for (const name of ['parseFile', 'parseFileAsync', 'parseBuffer', 'createParser', 'readBatches', 'formatColumns']) {
    assert.equal(typeof logs[name], 'function', name)
  }
})
