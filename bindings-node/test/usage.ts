// Type-checked (not run) by `tsc --strict` in `make test`: the package's types must describe
// the API the way a TypeScript user writes against it.
import { capabilities, isFerruleError, logs, version, vector, StringPool, type Capabilities, type FerruleErrorCode } from '../ferrule.js'
import ferrule from '../ferrule.js'

const caps: Capabilities = capabilities()
const isa: 'scalar' | 'avx2' | 'avx512' | 'neon' = caps.isa
const features: string[] = caps.features
const v: string = ferrule.version()

try {
  capabilities()
} catch (err) {
  if (isFerruleError(err)) {
    const code: FerruleErrorCode = err.code
    const line: number | null = err.line
    const reason: string | null = err.reason
    console.log(code, err.message, line, err.offset, reason)
  }
}

// @ts-expect-error: version() takes no argument
version(1)

// @ts-expect-error: not a ferrule error code
const bad: FerruleErrorCode = 'ENOENT'

// The string pool: native methods (index.d.ts) and the ones ferrule.js adds (ferrule.d.ts).
const pool: StringPool = new ferrule.StringPool()
const id: number = pool.intern('GET /index.html')
const fromBytes: number = pool.intern(Buffer.from('GET /index.html'))
const ids: Uint32Array = pool.internMany(['a', 'b', 'a'] as const)
const lineIds: Uint32Array = pool.internLines(Buffer.from('a\nb\n'))
const csvIds: Uint32Array = pool.internLines(new Uint8Array([97, 44, 98]), 44)
const found: number | null = pool.get('a')
const known: boolean = pool.has(new Uint8Array([97]))
const text: string = pool.resolve(id)
const bytes: Buffer = pool.resolveBytes(fromBytes)
const texts: string[] = pool.resolveMany(ids)
const size: number = pool.size
const heap: number = pool.memoryUsage
const copy: StringPool = StringPool.fromBuffer(pool.toBuffer())
const all: string[] = [...copy]
for (const value of copy.values()) console.log(value.length)
async function later(): Promise<Uint32Array> {
  return await pool.internLinesAsync(Buffer.from('x\ny'), 10)
}

// @ts-expect-error: ids are numbers, not strings
pool.resolve('0')
// @ts-expect-error: internMany takes strings only
pool.internMany(['a', 1])
// @ts-expect-error: resolveMany takes a Uint32Array
pool.resolveMany([0, 1])
// @ts-expect-error: size is read-only
pool.size = 3

console.log(isa, features.length, v, bad, found, known, text, bytes, texts, size, heap, all, lineIds, csvIds, later)

// Vector math: overloads keep the float type through every call.
const a32 = new Float32Array([1, 2, 3])
const b32 = new Float32Array([4, 5, 6])
const a64 = new Float64Array([1, 2, 3])
const d: number = vector.dot(a32, b32) + ferrule.vector.dot(a64, a64)
const cos: number = vector.cosineDistance(a64, a64, { precision: 'accurate' })
const sim: number = vector.cosineSimilarity(a32, b32, {})
const l2: number = vector.euclidean(a64, a64) + vector.sqeuclidean(a32, b32) + vector.manhattan(a32, b32)
const reduced: number = vector.norm(a32) + vector.sum(a64, { precision: 'fast' }) + vector.mean(a32) + vector.min(a64) +
  vector.max(a32) + vector.argmin(a64) + vector.argmax(a32)
const scaled: Float32Array = vector.scale(a32, 2)
const scaled64: Float64Array = vector.scale(a64, 2, new Float64Array(3))
const summed: Float32Array = vector.add(a32, b32, null)
const rest: Float64Array[] = [vector.subtract(a64, a64), vector.multiply(a64, a64), vector.axpy(0.5, a64, a64),
  vector.fma(a64, a64, a64), vector.normalize(a64)]
const inPlace: Float32Array = vector.normalize(a32, a32)
const rows: Float32Array = vector.oneToMany(a32, new Float32Array(9), { metric: 'dot', threads: 1, stride: 3 })
const rows64: Float64Array = vector.oneToMany(a64, new Float64Array(6), { out: new Float64Array(2) })
const pairs: Float32Array = vector.cdist(a32, b32, 3, { metric: 'euclidean', precision: 'accurate' })
const top: vector.TopkResult<Float64Array> = vector.topk(a64, new Float64Array(12), 3, 2, { metric: 'manhattan' })
const topIndices: Uint32Array = top.indices
const topDistances: Float64Array = top.distances
async function batches(): Promise<[Float32Array, vector.TopkResult<Float32Array>]> {
  return [await vector.cdistAsync(a32, b32, 3, { out: new Float32Array(1) }), await vector.topkAsync(a32, b32, 3, 1)]
}
const metric: vector.Metric = 'sqeuclidean'
const precision: vector.Precision = 'accurate'

// @ts-expect-error: one float type per call
vector.dot(a32, a64)
// @ts-expect-error: typed arrays only
vector.dot([1, 2], [3, 4])
// @ts-expect-error: the result has the inputs' type
const wrong: Float64Array = vector.add(a32, b32)
// @ts-expect-error: out has the inputs' type
vector.scale(a32, 2, new Float64Array(3))
// @ts-expect-error: not a metric
vector.cdist(a32, b32, 3, { metric: 'cosine_similarity' })
// @ts-expect-error: not a precision
vector.dot(a32, b32, { precision: 'exact' })
// @ts-expect-error: topk has no out
vector.topk(a32, b32, 3, 1, { out: new Float32Array(1) })

console.log(d, cos, sim, l2, reduced, scaled, scaled64, summed, rest, inPlace, rows, rows64, pairs, topIndices,
  topDistances, batches, metric, precision, wrong)

// Access logs: preset formats type their columns; other formats give the general column union.
const table: logs.LogTable<logs.CombinedColumns> = logs.parseFile('access.log')
const statuses: Uint16Array = table.columns.status
const tz: Int16Array = table.column('tz_offset')
const micros: Float64Array = table.columns.timestamp
const paths: Array<string | null> = table.columns.path
const agents: logs.DictionaryColumn = table.columns.user_agent
const agentCodes: Uint32Array = agents.codes
const agentNames: string[] = agents.dictionary
const agentValidity: Uint8Array | null = agents.validity
const bytesValidity: Uint8Array | null = table.validity('bytes')
const valid: boolean = table.isValid('bytes', 0)
const rowsAndNames: [number, string[]] = [table.numRows, table.columnNames]
const types: logs.ColumnType | undefined = table.columnTypes['status']
const firstError: logs.LogError | undefined = table.errors[0]
const errorCode: logs.RowErrorCode | undefined = firstError?.code
const counts: number = table.stats.lines - table.stats.ok - table.stats.errors - table.stats.skipped + table.stats.empty +
  table.stats.bytes + table.stats.seconds
const common: logs.LogTable<logs.CommonColumns> = logs.parseBuffer(Buffer.from('...'), { format: 'common', onError: 'skip' })
const vhost: Float64Array = logs.parseFile(new URL('file:///tmp/access.log'), { format: 'vhost_combined' }).columns.bytes_sent

const nginx: logs.LogFormat = logs.format.nginx('$remote_addr [$time_local] "$request" $status $request_time')
const apache: logs.LogFormat = logs.format.apache('%h %l %u %t \\"%r\\" %>s %b %D')
const columnInfo: readonly logs.ColumnInfo[] = nginx.columns
const someColumns: logs.ColumnInfo[] = logs.formatColumns({ kind: 'nginx', spec: '$status' }).concat(logs.formatColumns('clf'))
const custom: logs.LogTable = logs.parseFile('access.log', { format: nginx, threads: 2, unescape: true, strictUtf8: false })
const anyColumn: logs.Column | undefined = custom.columns['request_time']
if (anyColumn instanceof Float64Array) console.log(anyColumn[0])
const plain: logs.LogTable = logs.parseFile('access.log', { plainColumns: ['client'] })
const plainClients: logs.Column = plain.column('client')

// The bytes as logged, and exact 64-bit integers.
const rawAgents: logs.RawDictionaryColumn = table.column('user_agent', { raw: true })
const rawAgentBytes: Buffer[] = rawAgents.dictionary
const rawPaths: Array<Buffer | null> = table.column('path', { raw: true })
const rawError: Buffer | undefined = table.errors[0]?.raw
const exactBytes: BigUint64Array | BigInt64Array = table.column('bytes', { bigint: true })
const exactMicros: logs.BigIntColumn = table.column('timestamp', { bigint: true })
const sameStatus: Uint16Array = table.column('status', {})
const samePaths: Array<string | null> = table.column('path', { raw: false, bigint: null })
const anyRaw: logs.RawStringColumn | logs.RawDictionaryColumn = custom.column('request', { raw: true })
const anyExact: logs.BigIntColumn = custom.column('pid', { bigint: true })
const chosen = (raw: boolean): logs.DictionaryColumn | logs.RawDictionaryColumn => table.column('client', { raw })
const exactOrNot = (bigint: boolean): Float64Array | logs.BigIntColumn => table.column('line', { bigint })
// @ts-expect-error: raw applies to string and dictionary columns only
table.column('status', { raw: true })
// @ts-expect-error: bigint applies to 64-bit integer columns only
table.column('path', { bigint: true })
// @ts-expect-error: bigint applies to 64-bit integer columns only
table.column('tz_offset', { bigint: true })
// @ts-expect-error: not both
table.column('path', { raw: true, bigint: true })
// @ts-expect-error: no such column option
table.column('path', { lossy: false })

async function parseLater(): Promise<number> {
  const later = await logs.parseFileAsync('access.log', { onError: 'raise' })
  const other = await logs.parseFileAsync('access.log', { format: apache })
  return later.columns.status.length + other.numRows
}
const parser: logs.LogParser<logs.CombinedColumns> = logs.createParser()
parser.push(Buffer.from('1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "curl"\n'))
parser.push('partial line')
const batch: logs.LogTable<logs.CombinedColumns> = parser.takeBatch()
const last: Uint16Array = parser.finish().columns.status
const buffered: number = parser.rowsBuffered + parser.pendingBytes + Number(parser.finished)
for (const part of logs.readBatches('access.log', { batchRows: 10_000, onError: 'skip' })) {
  const partStatus: Uint16Array = part.columns.status
  console.log(partStatus.length)
}
const nginxBatches: Generator<logs.LogTable> = logs.readBatches('access.log', { format: nginx, batchRows: 100 })
async function readAll(): Promise<number> {
  let rows = 0
  for await (const part of logs.readBatches('access.log', { batchRows: 10_000 })) rows += part.numRows
  return rows
}
void readAll
const streamOptions: logs.StreamOptions = { onError: 'skip', strictUtf8: true }
const nginxParser: logs.LogParser = logs.createParser({ ...streamOptions, format: nginx })
// @ts-expect-error: streams parse on the calling thread: no threads option
logs.createParser({ threads: 2 })
// @ts-expect-error: streams parse on the calling thread: no threads option
logs.readBatches('access.log', { threads: 2, batchRows: 100 })
// @ts-expect-error: no threads option, whatever the format
logs.createParser({ format: nginx, threads: 1 })

// @ts-expect-error: not a preset
logs.parseFile('access.log', { format: 'json' })
// @ts-expect-error: not an onError mode
logs.parseFile('access.log', { onError: 'ignore' })
// @ts-expect-error: batchRows is an option of readBatches only
logs.parseFile('access.log', { batchRows: 10 })
// @ts-expect-error: combined has no such column
table.columns.request_time
// @ts-expect-error: status is a Uint16Array, not strings
const wrongStatus: string[] = table.columns.status
// @ts-expect-error: tables come from the logs functions
new logs.LogTable()
// @ts-expect-error: bytes or strings only
parser.push(42)

// System logs: the syslog and error-log presets type their columns; logfmt and jsonl columns come
// from the data (`line`, `error` and `error_offset` known).
const syslog: logs.LogTable<logs.Syslog3164Columns> = logs.parseFile('auth.log', {
  format: 'syslog_rfc3164',
  referenceTime: new Date('2025-01-01T12:00:00Z'),
})
const apps: logs.DictionaryColumn = syslog.columns.app_name
const severities: Uint16Array = syslog.columns.severity
const syslogMessages: Array<string | null> = syslog.column('message')
const fixedYear: Float64Array = logs.parseBuffer(Buffer.from('...'), { format: 'syslog_rfc3164', year: 2024 }).columns.timestamp
const byMillis: logs.LogTable<logs.Syslog3164Columns> = logs.parseBuffer(Buffer.from('...'), {
  format: 'syslog_rfc3164',
  referenceTime: Date.UTC(2025, 0, 1),
})
const framed: logs.LogParser<logs.Syslog5424Columns> = logs.createParser({ format: 'syslog_rfc5424', octetCounted: true })
const sd: Array<string | null> = framed.finish().columns.structured_data
const elements: logs.SdElement[] = logs.parseStructuredData('[a@1 b="c"]').concat(logs.parseStructuredData(Buffer.from('-')))
const firstParam: [string, string] | undefined = elements[0]?.params[0]
const apacheErrors: Promise<logs.LogTable<logs.ApacheErrorColumns>> = logs.parseFileAsync('error.log', { format: 'apache_error' })
const nginxErrors: Generator<logs.LogTable<logs.NginxErrorColumns>> = logs.readBatches('error.log', { format: 'nginx_error' })
const json: logs.LogTable<logs.DynamicColumns> = logs.parseFile('app.jsonl', { format: 'jsonl', flatten: true })
const jsonLine: Float64Array = json.columns.line
const cached: logs.Column | undefined = json.columns['cached']
if (cached instanceof Uint8Array) console.log(cached[0] === 1)
const jsonTypes: logs.ColumnType | undefined = json.columnTypes['cached']
const boolType: logs.ColumnType = 'bool'
const logfmt: logs.LogTable<logs.DynamicColumns> = logs.parseBuffer(Buffer.from('a=1'), { format: 'logfmt' })
const dynamic: boolean = logs.format.preset('jsonl').dynamicColumns
const template: logs.LogFormat = logs.format.template('<Date> <Time> <Level> <Component>: <Content>')
const templated: logs.LogTable = logs.parseFile('HDFS.log', { format: template, threads: 1 })
const jsonError: logs.RowErrorCode = 'INVALID_JSON'
const frameError: logs.RowErrorCode = 'BAD_FRAME'
// @ts-expect-error: the syslog_rfc3164 preset has no such column
syslog.columns.tz_offset
// @ts-expect-error: a year is a number
logs.parseFile('auth.log', { format: 'syslog_rfc3164', year: '2024' })
// @ts-expect-error: a Date or milliseconds
logs.parseFile('auth.log', { format: 'syslog_rfc3164', referenceTime: '2025-01-01' })
// @ts-expect-error: structured data is text or bytes
logs.parseStructuredData(42)

console.log(apps, severities, syslogMessages, fixedYear, byMillis, sd, firstParam, apacheErrors, nginxErrors, jsonLine,
  jsonTypes, boolType, logfmt, dynamic, templated, jsonError, frameError)

console.log(statuses, tz, micros, paths, agentCodes, agentNames, agentValidity, bytesValidity, valid, rowsAndNames,
  types, errorCode, counts, common, vhost, columnInfo, someColumns, plainClients, parseLater, batch, last, buffered,
  nginxBatches, wrongStatus, rawAgentBytes, rawPaths, rawError, exactBytes, exactMicros, sameStatus, samePaths, anyRaw,
  anyExact, chosen, exactOrNot, nginxParser)
