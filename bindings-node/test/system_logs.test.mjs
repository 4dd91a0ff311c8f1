// The `logs` namespace on system logs: syslog (RFC 3164 and 5424, octet counting), Apache and nginx
// error logs, logfmt, JSON lines (typed columns, bool columns), header templates (the loghub
// samples), structured data, the new options and their errors, and the syslog_report example.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isFerruleError, logs } from '../ferrule.js'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const AUTH_LOG = join(REPO, 'examples', 'data', 'auth.log')
const APP_JSONL = join(REPO, 'examples', 'data', 'app.jsonl')
const LOGHUB = join(REPO, '..', 'shared', 'data', 'logs', 'loghub')

const scratch = mkdtempSync(join(tmpdir(), 'ferrule-system-logs-'))
after(() => rmSync(scratch, { recursive: true, force: true }))
function scratchFile(name, data) {
  const path = join(scratch, name)
  writeFileSync(path, data)
  return path
}

// Every column of a table as plain JS values per row: null for null rows, strings decoded,
// bools as true/false.
function decode(table) {
  const out = {}
  for (const name of table.columnNames) {
    const column = table.columns[name]
    const bool = table.columnTypes[name] === 'bool'
    const values = new Array(table.numRows)
    for (let row = 0; row < table.numRows; row++) {
      if (!table.isValid(name, row)) values[row] = null
      else if (Array.isArray(column)) values[row] = column[row]
      else if (column.codes !== undefined) values[row] = column.dictionary[column.codes[row]]
      else values[row] = bool ? column[row] === 1 : column[row]
    }
    out[name] = values
  }
  return out
}

// A table as data: names, types, decoded values, counts and errors (not the timing).
function snapshot(table) {
  const { lines, ok, errors, skipped, empty } = table.stats
  return {
    names: table.columnNames,
    types: table.columnTypes,
    columns: decode(table),
    stats: { lines, ok, errors, skipped, empty },
    errors: table.errors.map(({ line, code, offset, text }) => ({ line, code, offset, text })),
  }
}

function row(table, index) {
  return Object.fromEntries(Object.entries(decode(table)).map(([name, values]) => [name, values[index]]))
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

const micros = (...utc) => Date.UTC(...utc) * 1000
const parse = (text, options) => logs.parseBuffer(Buffer.from(text), options)

// ------------------------------------------------------------------------------ presets

const SYSTEM_SCHEMAS = {
  syslog_rfc3164: [
    ['timestamp', 'timestamp[us, UTC]'], ['facility', 'uint16'], ['severity', 'uint16'], ['hostname', 'dictionary'],
    ['app_name', 'dictionary'], ['proc_id', 'dictionary'], ['message', 'string'],
  ],
  syslog_rfc5424: [
    ['timestamp', 'timestamp[us, UTC]'], ['tz_offset', 'int16'], ['facility', 'uint16'], ['severity', 'uint16'],
    ['version', 'uint16'], ['hostname', 'dictionary'], ['app_name', 'dictionary'], ['proc_id', 'dictionary'],
    ['msg_id', 'dictionary'], ['structured_data', 'string'], ['message', 'string'],
  ],
  apache_error: [
    ['timestamp', 'timestamp[us, UTC]'], ['module', 'dictionary'], ['level', 'dictionary'], ['pid', 'int64'],
    ['tid', 'int64'], ['client', 'dictionary'], ['client_port', 'uint16'], ['error_code', 'dictionary'],
    ['message', 'string'],
  ],
  nginx_error: [
    ['timestamp', 'timestamp[us, UTC]'], ['level', 'dictionary'], ['pid', 'int64'], ['tid', 'int64'],
    ['connection', 'uint64'], ['message', 'string'], ['client', 'dictionary'], ['server', 'dictionary'],
    ['request', 'string'], ['upstream', 'dictionary'], ['host', 'dictionary'], ['referrer', 'dictionary'],
  ],
  logfmt: [],
  jsonl: [],
}

test('the system presets: columns and types, dynamicColumns for logfmt and jsonl', () => {
  for (const [name, fields] of Object.entries(SYSTEM_SCHEMAS)) {
    const expected = [['line', 'uint64'], ...fields, ['error', 'dictionary'], ['error_offset', 'uint64']]
    const format = logs.format.preset(name)
    assert.equal(format.kind, 'preset')
    assert.equal(format.spec, name)
    assert.deepEqual(format.columns.map((c) => [c.name, c.type]), expected, name)
    assert.deepEqual(format.columnNames, expected.map(([column]) => column), name)
    assert.deepEqual(logs.formatColumns(name), format.columns, name)
    assert.equal(format.dynamicColumns, name === 'logfmt' || name === 'jsonl', name)
    assert.ok(Object.isFrozen(format))
  }
  for (const name of ['combined', 'common', 'clf', 'vhost_combined']) {
    assert.equal(logs.format.preset(name).dynamicColumns, false, name)
  }
  assert.throws(() => logs.format.preset('syslog'), ferruleCode('FERRULE_INVALID_ARGUMENT', { message: /syslog_rfc3164/ }))
})

// ------------------------------------------------------------------------------ syslog_rfc3164

const RFC3164 = [
  "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
  '<13>Jun  4 03:04:05 host1 CRON[123]: (root) CMD (run-parts)',
  'Jun  4 03:04:06 2001:db8::1 sshd[9]: Accepted publickey for bob',
  '<0>Jan  1 00:00:00 h kernel: boot',
  'not syslog at all',
].join('\n')

test('syslog_rfc3164: values, types and nulls (PRI optional, Jun  4 padding, tags without pid, IPv6 hosts)', () => {
  const table = parse(RFC3164, { format: 'syslog_rfc3164', year: 2024 })
  assert.equal(table.numRows, 5)
  assert.deepEqual(table.columnNames, logs.format.preset('syslog_rfc3164').columnNames)
  const c = table.columns
  assert.ok(c.timestamp instanceof Float64Array)
  assert.ok(c.facility instanceof Uint16Array && c.severity instanceof Uint16Array)
  assert.ok(Array.isArray(c.message))
  assert.ok(c.hostname.codes instanceof Uint32Array)
  const { columns } = snapshot(table)
  assert.deepEqual(columns.line, [1, 2, 3, 4, 5])
  assert.deepEqual(columns.timestamp.slice(0, 4), [
    micros(2024, 9, 11, 22, 14, 15), micros(2024, 5, 4, 3, 4, 5), micros(2024, 5, 4, 3, 4, 6), micros(2024, 0, 1),
  ])
  assert.deepEqual(columns.facility.slice(0, 4), [4, 1, null, 0], 'PRI / 8; null without a PRI')
  assert.deepEqual(columns.severity.slice(0, 4), [2, 5, null, 0], 'PRI % 8')
  assert.deepEqual(columns.hostname.slice(0, 4), ['mymachine', 'host1', '2001:db8::1', 'h'])
  assert.deepEqual(columns.app_name.slice(0, 4), ['su', 'CRON', 'sshd', 'kernel'])
  assert.deepEqual(columns.proc_id.slice(0, 4), [null, '123', '9', null])
  assert.deepEqual(columns.message.slice(0, 4), [
    "'su root' failed for lonvick on /dev/pts/8", '(root) CMD (run-parts)', 'Accepted publickey for bob', 'boot',
  ])
  assert.deepEqual(columns.error.slice(0, 4), [null, null, null, null])
  assert.equal(typeof columns.error[4], 'string')
  assert.equal(table.errors.length, 1)
  assert.equal(table.errors[0].line, 5)
  assert.equal(table.errors[0].code, columns.error[4])
  assert.equal(table.errors[0].text, 'not syslog at all')
  assert.equal(columns.error_offset[4], table.errors[0].offset)
  assert.deepEqual(table.stats.ok, 4)
  const untagged = row(parse('Jun  4 03:04:05 host just a message\n', { format: 'syslog_rfc3164', year: 2020 }), 0)
  assert.deepEqual([untagged.app_name, untagged.proc_id, untagged.message], [null, null, 'just a message'], 'no tag')
})

test('syslog_rfc3164: the year rule (fixed year; referenceTime across Dec -> Jan, as a Date or ms)', () => {
  const text = 'Dec 31 23:59:58 h a: x\nJan  1 00:00:01 h a: y\nJan  1 13:00:00 h a: z\n'
  const fixed = parse(text, { format: 'syslog_rfc3164', year: 1999 }).columns.timestamp
  assert.deepEqual(Array.from(fixed), [micros(1999, 11, 31, 23, 59, 58), micros(1999, 0, 1, 0, 0, 1), micros(1999, 0, 1, 13)])
  const reference = new Date('2025-01-01T12:00:00Z')
  const expected = [micros(2024, 11, 31, 23, 59, 58), micros(2025, 0, 1, 0, 0, 1), micros(2024, 0, 1, 13)]
  for (const referenceTime of [reference, reference.getTime()]) {
    const table = parse(text, { format: 'syslog_rfc3164', referenceTime })
    assert.deepEqual(Array.from(table.columns.timestamp), expected, 'the latest date not after the reference time')
  }
  // The whole-input parse in parallel, a file, a stream and batches resolve alike.
  const big = text.repeat(20000)
  const path = scratchFile('turn.log', big)
  const options = { format: 'syslog_rfc3164', referenceTime: reference }
  const one = snapshot(logs.parseBuffer(Buffer.from(big), { ...options, threads: 1 }))
  assert.deepEqual(one.columns.timestamp.slice(0, 3), expected)
  assert.deepEqual(snapshot(logs.parseBuffer(Buffer.from(big), { ...options, threads: 4 })), one)
  assert.deepEqual(snapshot(logs.parseFile(path, options)), one)
  const batches = [...logs.readBatches(path, { ...options, batchRows: 7001 })]
  assert.ok(batches.length > 1)
  assert.deepEqual(batches.flatMap((b) => decode(b).timestamp), one.columns.timestamp)
  const parser = logs.createParser(options)
  parser.push(big.slice(0, 100001))
  parser.push(big.slice(100001))
  assert.deepEqual(decode(parser.finish()).timestamp, one.columns.timestamp)
})

test('syslog_rfc3164: without year or referenceTime, dates are resolved against now (never in the future)', () => {
  const table = parse('Jan  1 00:00:00 h a: x\nDec 31 23:59:59 h a: y\n', { format: 'syslog_rfc3164' })
  const now = Date.now() * 1000
  for (const value of table.columns.timestamp) {
    assert.ok(value <= now, `${new Date(value / 1000).toISOString()} is after now`)
    assert.ok(value > now - 367 * 86400e6, `${new Date(value / 1000).toISOString()} is more than a year ago`)
  }
})

// ------------------------------------------------------------------------------ syslog_rfc5424

const BOM = '\uFEFF'
const RFC5424 = [
  `<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] ${BOM}An application event log entry`,
  "<34>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
  '<13>1 - - - - - -',
  '<14>2 2003-10-11T22:14:15Z',
]

test('syslog_rfc5424: values, structured data as text, the BOM, NILVALUE nulls', () => {
  const table = parse(RFC5424.join('\n'), { format: 'syslog_rfc5424' })
  assert.equal(table.numRows, 4)
  assert.ok(table.columns.tz_offset instanceof Int16Array)
  assert.ok(table.columns.version instanceof Uint16Array)
  const first = row(table, 0)
  assert.deepEqual(first, {
    line: 1,
    timestamp: micros(2003, 9, 11, 22, 14, 15) + 3000,
    tz_offset: 0,
    facility: 20,
    severity: 5,
    version: 1,
    hostname: 'mymachine.example.com',
    app_name: 'evntslog',
    proc_id: null,
    msg_id: 'ID47',
    structured_data: '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]',
    message: 'An application event log entry',
    error: null,
    error_offset: null,
  })
  const second = row(table, 1)
  assert.equal(second.timestamp, micros(2003, 7, 24, 12, 14, 15) + 3, 'UTC, to the microsecond')
  assert.equal(second.tz_offset, -420)
  assert.deepEqual([second.facility, second.severity, second.hostname, second.proc_id, second.msg_id],
    [4, 2, '192.0.2.1', '8710', null])
  assert.equal(second.structured_data, null)
  assert.equal(second.message, "%% It's time to make the do-nuts.")
  const nil = row(table, 2)
  for (const name of ['timestamp', 'tz_offset', 'hostname', 'app_name', 'proc_id', 'msg_id', 'structured_data']) {
    assert.equal(nil[name], null, name)
  }
  assert.deepEqual([nil.facility, nil.severity, nil.version, nil.error], [1, 5, 1, null])
  const bad = row(table, 3)
  assert.equal(typeof bad.error, 'string', 'a line cut after the timestamp is an error row')
  assert.equal(table.errors[0].line, 4)
})

// RFC 6587 octet counting: `LEN SP MESSAGE`, back to back; a message may hold a newline.
function octetFrames(messages) {
  return Buffer.concat(messages.map((message) => {
    const bytes = Buffer.from(message)
    return Buffer.concat([Buffer.from(`${bytes.length} `), bytes])
  }))
}

test('syslog_rfc5424 octetCounted: parseBuffer, parseFile, batches, and the stream parser fed in small chunks agree', () => {
  const messages = [...RFC5424.slice(0, 3), '<14>1 2024-02-29T12:00:00+01:00 h app - - - line one\nline two é']
  const framed = octetFrames(messages)
  const options = { format: 'syslog_rfc5424', octetCounted: true }
  const whole = snapshot(logs.parseBuffer(framed, options))
  assert.equal(whole.stats.ok, 4)
  assert.deepEqual(whole.columns.line, [1, 2, 3, 4])
  assert.equal(whole.columns.message[3], 'line one\nline two é', 'a framed message keeps its newline')
  assert.equal(whole.columns.timestamp[3], micros(2024, 1, 29, 11))
  assert.equal(whole.columns.tz_offset[3], 60)
  // The same messages one per line (the last one without its newline) give the same values.
  const lines = snapshot(parse(messages.slice(0, 3).join('\n'), { format: 'syslog_rfc5424' }))
  for (const name of whole.names) assert.deepEqual(whole.columns[name].slice(0, 3), lines.columns[name], name)
  const path = scratchFile('framed.log', framed)
  assert.deepEqual(snapshot(logs.parseFile(path, options)), whole)
  assert.deepEqual(snapshot(logs.parseFile(path, { ...options, threads: 4 })), whole)
  assert.deepEqual([...logs.readBatches(path, options)].flatMap((b) => decode(b).message), whole.columns.message)
  for (const size of [1, 3, 7, 64]) {
    const parser = logs.createParser(options)
    const tables = []
    for (let at = 0; at < framed.length; at += size) {
      parser.push(framed.subarray(at, at + size))
      if (parser.rowsBuffered > 1) tables.push(parser.takeBatch())
    }
    tables.push(parser.finish())
    const joined = {}
    for (const t of tables) for (const [name, values] of Object.entries(decode(t))) joined[name] = (joined[name] ?? []).concat(values)
    assert.deepEqual(joined, whole.columns, `chunks of ${size} bytes`)
  }
})

test('syslog_rfc5424 octetCounted: readBatches keeps every batch within batchRows', () => {
  const options = { format: 'syslog_rfc5424', octetCounted: true }
  const few = scratchFile('few-frames.log', octetFrames(RFC5424.slice(0, 3).concat(RFC5424[2])))
  assert.deepEqual([...logs.readBatches(few, { ...options, batchRows: 3 })].map((b) => b.numRows), [3, 1])
  const many = octetFrames(Array.from({ length: 5000 }, (_, i) => `<13>1 - - - - - - message ${i}`))
  const batches = [...logs.readBatches(scratchFile('many-frames.log', many), { ...options, batchRows: 256 })]
  assert.ok(batches.every((b) => b.numRows <= 256), `batch sizes ${batches.map((b) => b.numRows)}`)
  assert.deepEqual(batches.flatMap((b) => decode(b).message), decode(logs.parseBuffer(many, options)).message)
})

test('syslog_rfc5424 octetCounted: a bad frame length is a BAD_FRAME error', () => {
  const options = { format: 'syslog_rfc5424', octetCounted: true }
  const good = octetFrames([RFC5424[2]])
  for (const tail of ['x5 <13>1', '999 <13>1 - - - - - -']) {
    const table = logs.parseBuffer(Buffer.concat([good, Buffer.from(tail)]), options)
    assert.equal(table.stats.ok, 1, tail)
    assert.ok(table.errors.length >= 1, tail)
    assert.equal(table.errors[0].code, 'BAD_FRAME', tail)
    assert.throws(() => logs.parseBuffer(Buffer.concat([good, Buffer.from(tail)]), { ...options, onError: 'raise' }),
      ferruleCode('FERRULE_PARSE', { reason: 'BAD_FRAME' }))
  }
})

// ------------------------------------------------------------------------------ error logs

test('apache_error: 2.4 lines with module, pid:tid, client and AH code; 2.2 lines', () => {
  const table = parse([
    '[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 1234:tid 5678] [client 127.0.0.1:54321] AH00126: Invalid URI in request GET /a HTTP/1.1',
    '[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6',
    '[Sun Dec 04 04:47:44 2005] no level here',
  ].join('\n'), { format: 'apache_error' })
  assert.ok(table.columns.pid instanceof Float64Array)
  assert.ok(table.columns.client_port instanceof Uint16Array)
  assert.deepEqual(row(table, 0), {
    line: 1,
    timestamp: micros(2000, 9, 11, 14, 32, 52) + 123456,
    module: 'core',
    level: 'error',
    pid: 1234,
    tid: 5678,
    client: '127.0.0.1',
    client_port: 54321,
    error_code: 'AH00126',
    message: 'Invalid URI in request GET /a HTTP/1.1',
    error: null,
    error_offset: null,
  })
  const old = row(table, 1)
  assert.equal(old.timestamp, micros(2005, 11, 4, 4, 47, 44))
  assert.deepEqual([old.module, old.level, old.pid, old.tid, old.client, old.client_port, old.error_code],
    [null, 'error', null, null, null, null, null])
  assert.equal(old.message, 'mod_jk child workerEnv in error state 6')
  assert.equal(table.errors.length, 1)
  assert.equal(table.errors[0].line, 3)
})

test('nginx_error: pid#tid, *connection, the trailing client/server/request/upstream/host/referrer fields', () => {
  const table = parse([
    '2024/01/15 10:30:45 [error] 1234#5678: *99 open() "/var/www/x" failed (2: No such file or directory), client: 10.0.0.1, server: example.com, request: "GET /x HTTP/1.1", upstream: "http://127.0.0.1:8080/x", host: "example.com", referrer: "http://example.com/"',
    '2024/01/15 10:30:46 [notice] 1#1: signal process started',
    '2024/13/15 10:30:46 [notice] 1#1: bad month',
  ].join('\n'), { format: 'nginx_error' })
  assert.ok(table.columns.connection instanceof Float64Array)
  assert.deepEqual(row(table, 0), {
    line: 1,
    timestamp: micros(2024, 0, 15, 10, 30, 45),
    level: 'error',
    pid: 1234,
    tid: 5678,
    connection: 99,
    message: 'open() "/var/www/x" failed (2: No such file or directory)',
    client: '10.0.0.1',
    server: 'example.com',
    request: 'GET /x HTTP/1.1',
    upstream: 'http://127.0.0.1:8080/x',
    host: 'example.com',
    referrer: 'http://example.com/',
    error: null,
    error_offset: null,
  })
  const notice = row(table, 1)
  assert.deepEqual([notice.level, notice.pid, notice.tid, notice.connection, notice.message, notice.client],
    ['notice', 1, 1, null, 'signal process started', null])
  assert.equal(row(table, 2).error, 'BAD_TIMESTAMP')
})

// ------------------------------------------------------------------------------ logfmt

test('logfmt: keys as columns in first-seen order; escapes, unicode, standalone keys, duplicates, name clashes', () => {
  const table = parse([
    'level=info msg="hello \\"world\\"" path=/a dur=1.5 flag',
    'msg=café ünïcode="ö ü" level=warn level=error',
    'error=oops line=7',
  ].join('\n'), { format: 'logfmt' })
  assert.deepEqual(table.columnNames,
    ['line', 'level', 'msg', 'path', 'dur', 'flag', 'ünïcode', 'error_2', 'line_2', 'error', 'error_offset'])
  for (const name of ['level', 'msg', 'dur', 'flag', 'ünïcode', 'error_2', 'line_2']) {
    assert.equal(table.columnTypes[name], 'dictionary', `${name}: logfmt values are strings`)
  }
  assert.equal(table.columnTypes.path, 'string', 'plainColumns (by default request and path) applies to keys too')
  assert.deepEqual(table.columns.path, ['/a', null, null])
  const allDictionary = parse('path=/a request=x\n', { format: 'logfmt', plainColumns: [] })
  assert.deepEqual([allDictionary.columnTypes.path, allDictionary.columnTypes.request], ['dictionary', 'dictionary'])
  const { columns } = snapshot(table)
  assert.deepEqual(columns.level, ['info', 'error', null], 'a repeated key keeps its last value')
  assert.deepEqual(columns.msg, ['hello "world"', 'café', null])
  assert.deepEqual(columns.dur, ['1.5', null, null])
  assert.deepEqual(columns.flag, ['true', null, null], 'a key alone means "true"')
  assert.deepEqual(columns['ünïcode'], [null, 'ö ü', null])
  assert.deepEqual(columns.error_2, [null, null, 'oops'])
  assert.deepEqual(columns.line_2, [null, null, '7'])
  assert.deepEqual(columns.line, [1, 2, 3])
  assert.deepEqual(columns.error, [null, null, null])
  assert.equal(logs.format.preset('logfmt').columnNames.length, 3, 'the format alone knows only line, error, error_offset')
})

// ------------------------------------------------------------------------------ jsonl

const JSONL = [
  '{"i":1,"f":1.5,"m":1,"b":true,"s":"x","c":1,"n":null,"o":{"k":[1,2]},"u":"\\u00e9\\"q\\""}',
  '{"i":2,"f":2.5,"m":2.5,"b":false,"s":"y","c":"z","n":null,"a":[true,null]}',
  '{"i":-3,"b":null,"c":false}',
  '[1,2]',
  '{"i":',
].join('\n')

test('jsonl: type inference (int64, float64, int+float, bool, string, conflicts, nulls, nested JSON text)', () => {
  const table = parse(JSONL, { format: 'jsonl' })
  assert.deepEqual(table.columnNames, ['line', 'i', 'f', 'm', 'b', 's', 'c', 'n', 'o', 'u', 'a', 'error', 'error_offset'])
  assert.deepEqual(table.columnTypes, {
    line: 'uint64',
    i: 'int64',
    f: 'float64',
    m: 'float64',
    b: 'bool',
    s: 'dictionary',
    c: 'dictionary',
    n: 'dictionary',
    o: 'dictionary',
    u: 'dictionary',
    a: 'dictionary',
    error: 'dictionary',
    error_offset: 'uint64',
  })
  const { columns, errors } = snapshot(table)
  assert.deepEqual(columns.i, [1, 2, -3, null, null])
  assert.deepEqual(columns.f, [1.5, 2.5, null, null, null])
  assert.deepEqual(columns.m, [1, 2.5, null, null, null], 'ints and floats: float64')
  assert.deepEqual(columns.b, [true, false, null, null, null])
  assert.deepEqual(columns.s, ['x', 'y', null, null, null])
  assert.deepEqual(columns.c, ['1', 'z', 'false', null, null], 'a mix: strings, numbers and bools as their JSON text')
  assert.deepEqual(columns.n, [null, null, null, null, null], 'an all-null column')
  assert.deepEqual(columns.o, ['{"k":[1,2]}', null, null, null, null], 'nested objects as JSON text')
  assert.deepEqual(columns.a, [null, '[true,null]', null, null, null], 'arrays as JSON text')
  assert.deepEqual(columns.u, ['é"q"', null, null, null, null], 'strings unescaped')
  assert.deepEqual(errors.map((e) => [e.line, e.code]), [[4, 'INVALID_JSON'], [5, 'INVALID_JSON']])
  assert.deepEqual(columns.error, [null, null, null, 'INVALID_JSON', 'INVALID_JSON'])
  assert.throws(() => parse(JSONL, { format: 'jsonl', onError: 'raise' }),
    ferruleCode('FERRULE_PARSE', { reason: 'INVALID_JSON', line: 4 }))
})

test('jsonl flatten: nested objects become dotted columns', () => {
  const text = '{"a":1,"user":{"id":7,"geo":{"cc":"FR"}},"tags":["x"]}\n{"user":{"id":8.5},"a":2}\n'
  const nested = parse(text, { format: 'jsonl' })
  assert.deepEqual(nested.columnNames, ['line', 'a', 'user', 'tags', 'error', 'error_offset'])
  const flat = parse(text, { format: 'jsonl', flatten: true })
  assert.deepEqual(flat.columnNames, ['line', 'a', 'user.id', 'user.geo.cc', 'tags', 'error', 'error_offset'])
  const { columns, types } = snapshot(flat)
  assert.equal(types['user.id'], 'float64')
  assert.deepEqual(columns['user.id'], [7, 8.5])
  assert.deepEqual(columns['user.geo.cc'], ['FR', null])
  assert.deepEqual(columns.tags, ['["x"]', null], 'arrays stay JSON text')
  assert.deepEqual(flat.column('user.id'), flat.columns['user.id'])
})

test('bool columns: a Uint8Array of 0/1 (0 at null rows), the same through every reader', async () => {
  const text = '{"ok":true}\n{"ok":null}\n{"ok":false}\n{}\n{"ok":true}\n'
  const path = scratchFile('bools.jsonl', text)
  const expectBools = (table, what) => {
    assert.equal(table.columnTypes.ok, 'bool', what)
    const ok = table.columns.ok
    assert.ok(ok instanceof Uint8Array, what)
    assert.deepEqual(Array.from(ok), [1, 0, 0, 0, 1], what)
    assert.deepEqual(Array.from(table.validity('ok')), [0b10101], what)
    assert.deepEqual([0, 1, 2, 3, 4].map((r) => table.isValid('ok', r)), [true, false, true, false, true], what)
    assert.equal(table.column('ok'), ok, `${what}: converted once and kept`)
  }
  const options = { format: 'jsonl' }
  expectBools(logs.parseBuffer(Buffer.from(text), options), 'parseBuffer')
  expectBools(logs.parseBuffer(Buffer.from(text), { ...options, threads: 3 }), 'parseBuffer threads 3')
  expectBools(logs.parseFile(path, options), 'parseFile')
  expectBools(await logs.parseFileAsync(path, options), 'parseFileAsync')
  expectBools([...logs.readBatches(path, options)][0], 'readBatches')
  for await (const batch of logs.readBatches(path, options)) expectBools(batch, 'readBatches (for await)')
  const parser = logs.createParser(options)
  parser.push(text)
  expectBools(parser.finish(), 'createParser')
  // The array owns its memory: writing to it changes neither the table nor a later read.
  const table = logs.parseBuffer(Buffer.from(text), options)
  table.columns.ok.fill(7)
  assert.deepEqual(Array.from(table.columns.ok), [7, 7, 7, 7, 7])
  assert.deepEqual(decode(logs.parseBuffer(Buffer.from(text), options)).ok, [true, null, false, null, true])
  assert.throws(() => table.column('ok', { bigint: true }), ferruleCode('FERRULE_INVALID_ARGUMENT', { message: /bool/ }))
  assert.throws(() => table.column('ok', { raw: true }), ferruleCode('FERRULE_INVALID_ARGUMENT', { message: /bool/ }))
})

test('jsonl streams: each batch infers its own types', () => {
  const parser = logs.createParser({ format: 'jsonl' })
  parser.push('{"v":1}\n{"v":2}\n')
  const first = parser.takeBatch()
  assert.equal(first.columnTypes.v, 'int64')
  parser.push('{"v":"x","w":true}\n')
  const second = parser.finish()
  assert.equal(second.columnTypes.v, 'dictionary')
  assert.equal(second.columnTypes.w, 'bool')
  assert.deepEqual(decode(second).line, [3])
})

test('jsonl over 1 MB: threads 2 (chunks seeing different keys and types) equals threads 1', () => {
  const lines = []
  const n = 40000
  for (let i = 0; i < n; i++) {
    const half = i < n / 2
    const record = { id: i, v: half ? i : i + 0.5, mixed: half ? i : `s${i % 7}` }
    if (i % 3 === 0) record.flag = i % 2 === 0
    if (!half) record.late = `k${i % 5}`
    if (i % 1000 === 999) record.nested = { x: i }
    lines.push(JSON.stringify(record))
    if (i === 123) lines.push('{"broken":')
  }
  const data = Buffer.from(lines.join('\n') + '\n')
  assert.ok(data.length > 1 << 20, `${data.length} bytes`)
  const one = snapshot(logs.parseBuffer(data, { format: 'jsonl', threads: 1 }))
  const two = snapshot(logs.parseBuffer(data, { format: 'jsonl', threads: 2 }))
  assert.deepEqual(two, one)
  assert.deepEqual(one.names, ['line', 'id', 'v', 'mixed', 'flag', 'nested', 'late', 'error', 'error_offset'])
  assert.deepEqual([one.types.id, one.types.v, one.types.mixed, one.types.flag, one.types.late, one.types.nested],
    ['int64', 'float64', 'dictionary', 'bool', 'dictionary', 'dictionary'])
  assert.equal(one.columns.mixed[0], '0')
  assert.equal(one.columns.mixed[n - 1 + 1], `s${(n - 1) % 7}`)
  assert.deepEqual(one.errors.map((e) => [e.line, e.code]), [[125, 'INVALID_JSON']])
  const path = scratchFile('big.jsonl', data)
  assert.deepEqual(snapshot(logs.parseFile(path, { format: 'jsonl', threads: 2 })), one)
  const flat = snapshot(logs.parseBuffer(data, { format: 'jsonl', threads: 2, flatten: true }))
  assert.deepEqual(flat, snapshot(logs.parseBuffer(data, { format: 'jsonl', threads: 1, flatten: true })))
  assert.ok(flat.names.includes('nested.x'))
})

// ------------------------------------------------------------------------------ templates

test('format.template: columns named as the fields, typed by :int / :float, the last field plain', () => {
  const format = logs.format.template('<Date> <Time> <Pid:int> <Level> <Component>: <Took:float>s <Content>')
  assert.equal(format.kind, 'template')
  assert.equal(format.dynamicColumns, false)
  assert.deepEqual(format.columns.map((c) => [c.name, c.type]), [
    ['line', 'uint64'], ['Date', 'dictionary'], ['Time', 'dictionary'], ['Pid', 'int64'], ['Level', 'dictionary'],
    ['Component', 'dictionary'], ['Took', 'float64'], ['Content', 'string'], ['error', 'dictionary'],
    ['error_offset', 'uint64'],
  ])
  const table = parse('081109 203615 148 INFO dfs.DataNode$PacketResponder: 0.25s PacketResponder 1 terminating\n' +
    'no match here\n', { format })
  assert.deepEqual(row(table, 0), {
    line: 1,
    Date: '081109',
    Time: '203615',
    Pid: 148,
    Level: 'INFO',
    Component: 'dfs.DataNode$PacketResponder',
    Took: 0.25,
    Content: 'PacketResponder 1 terminating',
    error: null,
    error_offset: null,
  })
  assert.ok(table.columns.Pid instanceof Float64Array)
  assert.equal(table.errors.length, 1)
  assert.equal(table.errors[0].line, 2)
  const optional = logs.format.template('<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>')
  const linux = decode(parse('Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass\nJun 14 15:16:02 combo su: x\n',
    { format: optional }))
  assert.deepEqual(linux.Component, ['sshd(pam_unix)', 'su'])
  assert.deepEqual(linux.PID, ['19939', null], 'an optional part that is absent: null')
  assert.throws(() => logs.format.template('<Unclosed'), ferruleCode('FERRULE_PARSE'))
  assert.throws(() => logs.format.template(42), (err) => err instanceof TypeError && err.code === 'FERRULE_INVALID_ARGUMENT')
  assert.deepEqual(logs.parseBuffer(Buffer.from('a b\n'), { format: { kind: 'template', spec: '<A> <B>' } }).columnNames,
    ['line', 'A', 'B', 'error', 'error_offset'], 'a plain { kind, spec } object works too')
})

// A CSV file as rows of strings (RFC 4180 quoting, as LogPAI writes it).
function readCsv(path) {
  const text = readFileSync(path, 'utf8')
  const rows = []
  let fields = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++ }
      else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { fields.push(field); field = '' }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      fields.push(field)
      rows.push(fields)
      fields = []
      field = ''
    } else field += ch
  }
  if (field !== '' || fields.length > 0) rows.push([...fields, field])
  return rows
}

const LOGHUB_FORMATS = {
  Linux: '<Month> <Date> <Time> <Level> <Component>([<PID>])?: <Content>',
  OpenSSH: '<Date> <Day> <Time> <Component> sshd[<Pid>]: <Content>',
  HDFS: '<Date> <Time> <Pid> <Level> <Component>: <Content>',
  Spark: '<Date> <Time> <Level> <Component>: <Content>',
  Zookeeper: '<Date> <Time> - <Level>  [<Node>:<Component>@<Id>] - <Content>',
  Apache: '[<Time>] [<Level>] <Content>',
}

for (const [system, spec] of Object.entries(LOGHUB_FORMATS)) {
  const dir = join(LOGHUB, system)
  test(`templates: loghub ${system} reproduces every header field of the structured CSV`, {
    skip: existsSync(dir) ? false : `${dir} is absent`,
  }, () => {
    const [header, ...expected] = readCsv(join(dir, `${system}_2k.log_structured.csv`))
    const fields = header.filter((name) => !['LineId', 'EventId', 'EventTemplate'].includes(name))
    const table = logs.parseFile(join(dir, `${system}_2k.log`), { format: logs.format.template(spec) })
    assert.deepEqual(table.columnNames, ['line', ...fields, 'error', 'error_offset'])
    assert.equal(table.errors.length, 0, JSON.stringify(table.errors.slice(0, 3)))
    assert.equal(table.numRows, expected.length)
    const columns = decode(table)
    for (const name of fields) {
      const at = header.indexOf(name)
      // The CSV writes a null (an optional part that is absent) as an empty field.
      const got = columns[name].map((value) => value ?? '')
      const want = expected.map((r) => r[at])
      for (let i = 0; i < want.length; i++) {
        if (got[i] !== want[i]) assert.fail(`${system} row ${i + 1} ${name}: got ${JSON.stringify(got[i])}, want ${JSON.stringify(want[i])}`)
      }
    }
  })
}

// ------------------------------------------------------------------------------ structured data

test('parseStructuredData: elements with their params, from a string or bytes', () => {
  const text = '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]'
  const expected = [
    { id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Application'], ['eventID', '1011']] },
    { id: 'examplePriority@32473', params: [['class', 'high']] },
  ]
  assert.deepEqual(logs.parseStructuredData(text), expected)
  assert.deepEqual(logs.parseStructuredData(Buffer.from(text)), expected)
  assert.deepEqual(logs.parseStructuredData(new Uint8Array(Buffer.from(text))), expected)
  assert.deepEqual(logs.parseStructuredData('-'), [])
  assert.deepEqual(logs.parseStructuredData('[meta]'), [{ id: 'meta', params: [] }])
  assert.deepEqual(logs.parseStructuredData('[x a="q\\"b\\\\c\\]d" a="é"]'),
    [{ id: 'x', params: [['a', 'q"b\\c]d'], ['a', 'é']] }], 'escapes undone, repeated names kept')
  const fromColumn = parse(RFC5424[0], { format: 'syslog_rfc5424' }).columns.structured_data[0]
  assert.deepEqual(logs.parseStructuredData(fromColumn), [
    { id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Application'], ['eventID', '1011']] },
  ])
  for (const bad of ['', 'x', '[', '[a b]', '[a b="c"', '[a b="c"] ', '[a b=c]']) {
    assert.throws(() => logs.parseStructuredData(bad), ferruleCode('FERRULE_PARSE'), JSON.stringify(bad))
  }
  for (const bad of [undefined, null, 42, ['[a]'], { id: 'a' }]) {
    assert.throws(() => logs.parseStructuredData(bad),
      (err) => err instanceof TypeError && err.code === 'FERRULE_INVALID_ARGUMENT', String(bad))
  }
})

// ------------------------------------------------------------------------------ option errors

test('option errors: octetCounted, flatten, year with referenceTime, year range -> FERRULE_INVALID_ARGUMENT everywhere', async () => {
  const path = scratchFile('options.log', RFC3164)
  const bad = [
    [{ format: 'syslog_rfc3164', octetCounted: true }, /octet/],
    [{ format: 'combined', octetCounted: true }, /octet/],
    [{ format: 'logfmt', flatten: true }, /flatten/],
    [{ format: 'syslog_rfc5424', flatten: true }, /flatten/],
    [{ format: 'syslog_rfc3164', year: 2024, referenceTime: new Date() }, /year/],
    [{ format: 'syslog_rfc3164', year: 2024, referenceTime: 0 }, /year/],
    [{ format: 'syslog_rfc3164', year: 0 }, /year/],
    [{ format: 'syslog_rfc3164', year: 10000 }, /year/],
    [{ format: 'syslog_rfc3164', year: -5 }, /year/],
    [{ format: 'syslog_rfc3164', year: 2024.5 }, /year/],
    [{ format: 'syslog_rfc3164', year: NaN }, /year/],
    [{ format: 'syslog_rfc3164', year: 2 ** 40 }, /year/],
    [{ format: 'syslog_rfc3164', referenceTime: new Date(NaN) }, /referenceTime/],
    [{ format: 'syslog_rfc3164', referenceTime: Infinity }, /referenceTime/],
    [{ format: 'syslog_rfc3164', referenceTime: 1e18 }, /reference/],
  ]
  for (const [options, message] of bad) {
    const what = JSON.stringify(options)
    const check = ferruleCode('FERRULE_INVALID_ARGUMENT', { message })
    assert.throws(() => logs.parseBuffer(Buffer.from(RFC3164), options), check, `parseBuffer ${what}`)
    assert.throws(() => logs.parseFile(path, options), check, `parseFile ${what}`)
    await assert.rejects(async () => logs.parseFileAsync(path, options), check, `parseFileAsync ${what}`)
    assert.throws(() => {
      const parser = logs.createParser(options)
      parser.push(RFC3164)
      parser.finish()
    }, check, `createParser ${what}`)
    assert.throws(() => [...logs.readBatches(path, options)], check, `readBatches ${what}`)
  }
  // The extremes that are allowed.
  for (const year of [1, 9999]) assert.equal(parse(RFC3164, { format: 'syslog_rfc3164', year }).stats.ok, 4)
  // Other formats ignore year and referenceTime.
  assert.equal(parse('a=1\n', { format: 'logfmt', year: 2020 }).numRows, 1)
  assert.equal(parse('{"a":1}\n', { format: 'jsonl', referenceTime: 0 }).numRows, 1)
})

test('option types: a TypeError with FERRULE_INVALID_ARGUMENT', () => {
  const typeError = (fn, what) => assert.throws(fn, (err) => {
    assert.ok(err instanceof TypeError, `${what}: ${err}`)
    assert.equal(err.code, 'FERRULE_INVALID_ARGUMENT', what)
    return true
  }, what)
  for (const options of [
    { year: '2024' }, { year: 2024n }, { referenceTime: '2025-01-01' }, { referenceTime: {} }, { referenceTime: 1n },
    { octetCounted: 1 }, { octetCounted: 'yes' }, { flatten: 'true' }, { refrenceTime: 0 },
  ]) {
    const what = Object.keys(options)[0]
    typeError(() => logs.parseBuffer(Buffer.from(RFC3164), { format: 'syslog_rfc3164', ...options }), `parseBuffer ${what}`)
    typeError(() => logs.createParser({ format: 'syslog_rfc3164', ...options }), `createParser ${what}`)
    typeError(() => logs.readBatches(AUTH_LOG, { format: 'syslog_rfc3164', ...options }), `readBatches ${what}`)
    typeError(() => logs.parseFileAsync(AUTH_LOG, { format: 'syslog_rfc3164', ...options }), `parseFileAsync ${what}`)
  }
  // null and undefined mean "not given".
  const table = parse(RFC3164, { format: 'syslog_rfc3164', year: 2024, referenceTime: null, octetCounted: undefined, flatten: null })
  assert.equal(table.columns.timestamp[0], micros(2024, 9, 11, 22, 14, 15))
})

// ------------------------------------------------------------------------------ the example

// The report recomputed from the raw text with plain JS (regular expressions, JSON.parse), for
// every section that does not need a syslog parser's judgment.
test('examples/node/syslog_report.mjs: the report agrees with the raw text', () => {
  const out = execFileSync(process.execPath, [join(REPO, 'examples', 'node', 'syslog_report.mjs')], { encoding: 'utf8' })
  const lines = out.split('\n')
  assert.equal(lines.pop(), '', 'the report ends with a newline')
  const section = (title) => {
    const at = lines.indexOf(title)
    assert.ok(at >= 0, title)
    const body = []
    for (let i = at + 1; i < lines.length && lines[i].startsWith('  '); i++) body.push(lines[i])
    return body
  }
  const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1)
  const ranked = (map, n) => [...map].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, n)

  const raw = readFileSync(AUTH_LOG, 'utf8').split('\n')
  if (raw.at(-1) === '') raw.pop()
  const syslog = /^(?:<\d+>)?([A-Z][a-z]{2}) ([ \d]\d) (\d\d:\d\d:\d\d) (\S+) ([^:[]+)(?:\[\d+\])?: (.*)$/
  const parsed = raw.map((line) => syslog.exec(line))
  const bad = parsed.flatMap((match, i) => (match === null ? [i + 1] : []))
  assert.deepEqual(bad, [118])
  assert.equal(lines[0], `auth.log: ${raw.length} lines, ${raw.length - 1} ok, 1 errors`)
  assert.match(lines[1], /^ {2}line 118: [A-Z_]+$/)
  assert.equal(lines[2], 'first: 2024-12-31T22:20:51Z', 'December lines in 2024')
  assert.equal(lines[3], 'last: 2025-01-01T00:14:28Z', 'January lines in 2025')

  const apps = new Map()
  const failed = new Map()
  const hosts = new Map()
  for (const match of parsed) {
    if (match === null) continue
    const [, , , , host, app, message] = match
    count(apps, app)
    count(hosts, host)
    const source = /Failed password.* from (\S+)/.exec(message)
    if (source) count(failed, source[1])
  }
  assert.deepEqual(section('top app_name:'), ranked(apps, 5).map(([app, n]) => `  ${app}: ${n}`))
  assert.deepEqual(section('failed passwords by source:'), ranked(failed, 5).map(([ip, n]) => `  ${ip}: ${n}`))
  assert.deepEqual(section('lines per hostname:'), [...hosts].sort().map(([host, n]) => `  ${host}: ${n}`))

  const json = readFileSync(APP_JSONL, 'utf8').split('\n').filter((line) => line !== '')
  const records = json.flatMap((line, i) => {
    try {
      return [JSON.parse(line)]
    } catch {
      assert.match(out, new RegExp(`^ {2}line ${i + 1}: INVALID_JSON$`, 'm'))
      return []
    }
  })
  assert.ok(lines.includes(`app.jsonl: ${json.length} rows`))
  const keys = [...new Set(records.flatMap((r) => Object.entries(r).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).map((sub) => `${k}.${sub}`) : [k])))]
  assert.ok(lines.includes(`columns: ${['line', ...keys, 'error', 'error_offset'].join(',')}`))
  const durations = records.map((r) => r.duration_ms).filter((d) => typeof d === 'number')
  const mean = durations.reduce((sum, d) => sum + d, 0) / durations.length
  assert.equal(lines.at(-1), `mean duration_ms: ${mean.toFixed(3)} (${durations.length} values)`)
})
