// Bad input (issue #7), table-driven: every exported function and class member, the internal
// `__vector` / `__logs` ones included (a user can reach them), called with wrong types,
// null/undefined, empty inputs, NaN/Infinity, mismatched lengths and typed-array kinds, detached
// and shrunk buffers, sizes near 2**53 or that would need terabytes, out-of-range ids and k,
// missing / directory / unreadable files, truncated and corrupt gzip, invalid UTF-8 in paths and
// in data. Each case states its outcome: the error (class and `code`) thrown at once or with
// which a promise rejects, or the result. A crash, a hang or an absurd allocation is a bug.
//
// The conventions checked (those of ferrule.js today): a value of the wrong type is a TypeError
// with code FERRULE_INVALID_ARGUMENT; a value of the right type but a bad value an Error with the
// core code. The internal namespaces are not wrapped by ferrule.js: napi's own conversion
// failures keep napi's status as their code there (NumberExpected, InvalidArg, ...).
//
// Cases that could take the process down (huge allocations) run in a child process, which also
// reports its peak RSS: failing "before allocating" means the peak stays small. The completeness
// test at the end walks the exports and checks that every function and member has a case.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import ferrule from '../ferrule.js'

const { StringPool, vector, logs, isFerruleError } = ferrule
const V = ferrule.__vector
const L = ferrule.__logs
const F32 = Float32Array
const F64 = Float64Array

const FERRULE = fileURLToPath(new URL('../ferrule.js', import.meta.url))
const INDEX_DTS = fileURLToPath(new URL('../index.d.ts', import.meta.url))
const SAMPLE = fileURLToPath(new URL('../../examples/data/apache_combined.log', import.meta.url))
const SAMPLE_BYTES = readFileSync(SAMPLE)
const LINE = '1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET /a HTTP/1.1" 200 5 "-" "agent"\n'
const IS_ROOT = process.getuid?.() === 0

// ---------------------------------------------------------------------------------- scratch files

const scratch = mkdtempSync(join(tmpdir(), 'ferrule-bad-input-'))
// Others may enter it: an unreadable file must fail for its own mode (see the root case below).
chmodSync(scratch, 0o755)
after(() => {
  try {
    chmodSync(FILES.unreadable, 0o600)
  } catch {}
  rmSync(scratch, { recursive: true, force: true })
})
const scratchFile = (name, data) => {
  const path = join(scratch, name)
  writeFileSync(path, data)
  return path
}
const gz = gzipSync(SAMPLE_BYTES)
const corruptGz = Buffer.from(gz)
for (let i = 100; i < 200; i++) corruptGz[i] ^= 0x5a
const FILES = {
  empty: scratchFile('empty.log', ''),
  oneLine: scratchFile('one.log', LINE),
  gz: scratchFile('sample.log.gz', gz),
  truncatedGz: scratchFile('truncated.log.gz', gz.subarray(0, gz.length >> 1)),
  tinyTruncatedGz: scratchFile('tiny.log.gz', gz.subarray(0, 12)),
  corruptGz: scratchFile('corrupt.log.gz', corruptGz),
  // Two lines of invalid UTF-8 (in a quoted field, and as the whole line) and one good line.
  invalidUtf8: scratchFile('invalid-utf8.log', Buffer.concat([
    Buffer.from(LINE.replace('agent', 'ag\xffent'), 'latin1'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from(LINE),
  ])),
  unreadable: scratchFile('unreadable.log', LINE),
  directory: join(scratch, 'a-directory'),
  missing: join(scratch, 'missing.log'),
}
mkdirSync(FILES.directory)
chmodSync(FILES.unreadable, 0o000)
// A file whose name is not UTF-8 (byte 0xFF): JS strings cannot name it (a lone surrogate
// becomes U+FFFD on the way to UTF-8), and ferrule takes no Buffer paths.
const NON_UTF8_NAME = Buffer.concat([Buffer.from(`${scratch}/bad-`), Buffer.from([0xff]), Buffer.from('.log')])
writeFileSync(NON_UTF8_NAME, LINE)

// ---------------------------------------------------------------------------------- the table

const cases = []

/** The error thrown at once: its class (exactly) and code. */
const throws = (code, Type = Error) => ({ kind: 'throws', code, Type })
/** A promise returned at once that rejects with that error. */
const rejects = (code, Type = Error) => ({ kind: 'rejects', code, Type })
/** A value (or, for a promise, the value it resolves to) that `check` accepts (it asserts). */
const returns = (check) => ({ kind: 'returns', check })
const resolves = (check) => ({ kind: 'resolves', check })
const TYPE = throws('FERRULE_INVALID_ARGUMENT', TypeError)
const INVALID = throws('FERRULE_INVALID_ARGUMENT')
const MISMATCH = throws('FERRULE_LENGTH_MISMATCH')

/**
 * One case: `api` names the export or member it covers (as the completeness test names them:
 * `vector.dot`, `StringPool#intern`, `StringPool.fromBuffer`, `__logs.NativeTable#numbers`).
 */
function add(api, what, call, expect, options = {}) {
  cases.push({ api, what, call, expect, ...options })
}

/**
 * A case run in a child process, for what might abort or allocate absurdly: `source` is an
 * expression over `ferrule`, `vector`, `logs`, `StringPool`, `F32`, `F64`. `expect.code` may
 * be reached by a throw at once or, when `anyOf` includes it, by a rejection. The child's peak
 * RSS must stay below `maxRssMb`. `uid`: run it as that user (and group).
 */
function addChild(api, what, source, { code, anyOf = ['threw'], maxRssMb = 400, uid }) {
  cases.push({ api, what, source, child: { code, anyOf, maxRssMb, uid } })
}

// Values.
const f32 = (...values) => F32.of(...values)
const f64 = (...values) => F64.of(...values)
const filled = (Type, n, value) => new Type(n).fill(value)
function detached(Type, n) {
  const array = new Type(n)
  structuredClone(array.buffer, { transfer: [array.buffer] })
  return array
}
// A fixed-length view left out of bounds by shrinking its resizable buffer (length 0 now).
function outOfBounds(Type, n) {
  const buffer = new ArrayBuffer(n * Type.BYTES_PER_ELEMENT, { maxByteLength: 2 * n * Type.BYTES_PER_ELEMENT })
  const view = new Type(buffer, 0, n)
  buffer.resize(Type.BYTES_PER_ELEMENT)
  return view
}
const same = (expected) => (actual) => assert.ok(Object.is(actual, expected), `${actual} is not ${expected}`)
const isEmptyOf = (Type) => (actual) => {
  assert.ok(actual instanceof Type, `${actual?.constructor?.name} is not a ${Type.name}`)
  assert.equal(actual.length, 0)
}
const allNaN = (actual) => {
  assert.ok(actual.length > 0)
  assert.ok(actual.every(Number.isNaN))
}
const table = (rows, check) => (actual) => {
  assert.ok(actual instanceof logs.LogTable)
  assert.equal(actual.numRows, rows)
  check?.(actual)
}
const rowsOf = (batches) => [...batches].reduce((n, batch) => n + batch.numRows, 0)

// ---------------------------------------------------------------------------------- top level

add('version', 'extra arguments are ignored', () => ferrule.version(1, null), returns((v) => assert.match(v, /^\d+\.\d+\.\d+/)))
add('capabilities', 'extra arguments are ignored', () => ferrule.capabilities({}), returns((c) => {
  assert.ok(['scalar', 'avx2', 'avx512', 'neon'].includes(c.isa))
  assert.ok(Array.isArray(c.features))
}))
add('isFerruleError', 'null', () => isFerruleError(null), returns(same(false)))
add('isFerruleError', 'a non-Error with a ferrule code', () => isFerruleError({ code: 'FERRULE_IO' }), returns(same(false)))
add('isFerruleError', 'an Error with a ferrule code', () => isFerruleError(Object.assign(new Error('x'), { code: 'FERRULE_IO' })),
  returns(same(true)))
add('__debugPanic', 'a panic', () => ferrule.__debugPanic('bad input table'), throws('FERRULE_INTERNAL'))
add('__debugPanic', 'no message', () => ferrule.__debugPanic(), TYPE)
add('__debugPanic', 'a number', () => ferrule.__debugPanic(5), TYPE)
add('__debugRaise', 'an unknown code', () => ferrule.__debugRaise('FERRULE_NOPE', 'm'), INVALID)
add('__debugRaise', 'null code', () => ferrule.__debugRaise(null, 'm'), TYPE)
add('__debugRaise', 'a string line', () => ferrule.__debugRaise('FERRULE_IO', 'm', 'x'), TYPE)

// ---------------------------------------------------------------------------------- StringPool

const pool = () => {
  const p = new StringPool()
  p.internMany(['a', 'b'])
  p.intern(Buffer.from([0x61, 0xff])) // id 2: bytes that are not UTF-8
  return p
}
const serialized = pool().toBuffer()
const flipped = Buffer.from(serialized)
flipped[flipped.length - 12] ^= 0x01
// A header that promises 2^60 values of 2^60 bytes in a 64-byte buffer: rejected from the
// lengths, before allocating anything.
const hugeHeader = Buffer.alloc(64)
serialized.copy(hugeHeader, 0, 0, 16)
hugeHeader.writeBigUInt64LE(1n << 60n, 16)
hugeHeader.writeBigUInt64LE(1n << 60n, 24)

add('StringPool', 'called without new', () => StringPool(), TYPE)
add('StringPool', 'extra arguments are ignored', () => new StringPool(5, 'x').size, returns(same(0)))
add('StringPool.fromBuffer', 'null', () => StringPool.fromBuffer(null), TYPE)
add('StringPool.fromBuffer', 'a string', () => StringPool.fromBuffer('FERPOOL'), TYPE)
add('StringPool.fromBuffer', 'a Float32Array', () => StringPool.fromBuffer(new F32(4)), TYPE)
add('StringPool.fromBuffer', 'empty', () => StringPool.fromBuffer(Buffer.alloc(0)), throws('FERRULE_CORRUPT'))
add('StringPool.fromBuffer', 'garbage', () => StringPool.fromBuffer(Buffer.from('not a pool at all, really')),
  throws('FERRULE_CORRUPT'))
add('StringPool.fromBuffer', 'truncated by one byte', () => StringPool.fromBuffer(serialized.subarray(0, -1)),
  throws('FERRULE_CORRUPT'))
add('StringPool.fromBuffer', 'one bit flipped', () => StringPool.fromBuffer(flipped), throws('FERRULE_CORRUPT'))
add('StringPool.fromBuffer', 'a detached buffer', () => StringPool.fromBuffer(detached(Uint8Array, 64)),
  throws('FERRULE_CORRUPT'))
add('StringPool.fromBuffer', 'a round trip keeps bytes that are not UTF-8',
  () => StringPool.fromBuffer(serialized).resolveBytes(2), returns((b) => assert.deepEqual([...b], [0x61, 0xff])))
addChild('StringPool.fromBuffer', 'a header promising 2^60 values of 2^60 bytes',
  `StringPool.fromBuffer(Buffer.from(${JSON.stringify(hugeHeader.toString('hex'))}, 'hex'))`, { code: 'FERRULE_CORRUPT' })

for (const [what, value] of [['null', null], ['undefined', undefined], ['a number', 5], ['an object', {}],
  ['a Float32Array', new F32(2)], ['a DataView', new DataView(new ArrayBuffer(2))], ['a symbol', Symbol('x')]]) {
  add('StringPool#intern', what, () => pool().intern(value), TYPE)
  add('StringPool#get', what, () => pool().get(value), TYPE)
  add('StringPool#has', what, () => pool().has(value), TYPE)
}
add('StringPool#intern', 'the empty string', () => pool().intern(''), returns(same(3)))
add('StringPool#intern', 'a lone surrogate is U+FFFD', () => {
  const p = pool()
  return [p.intern('\ud800'), p.intern('\ufffd'), p.intern('x\udc00')]
}, returns((ids) => assert.deepEqual(ids, [3, 3, 4])))
add('StringPool#intern', 'bytes that are not UTF-8, then resolve', () => {
  const p = pool()
  return p.resolve(p.intern(Buffer.from([0xc3, 0x28])))
}, throws('FERRULE_INVALID_UTF8'))
add('StringPool#intern', 'a detached Uint8Array is the empty value', () => pool().intern(detached(Uint8Array, 4)),
  returns(same(3)))
add('StringPool#get', 'a value never interned', () => pool().get('zzz'), returns(same(null)))
add('StringPool#get', 'bytes equal to a string', () => pool().get(Buffer.from('b')), returns(same(1)))
add('StringPool#has', 'bytes that are not UTF-8', () => pool().has(Buffer.from([0x61, 0xff])), returns(same(true)))

for (const [what, value] of [['null', null], ['a string', 'a\nb'], ['an array', [97, 10]], ['a Float64Array', new F64(2)]]) {
  add('StringPool#internLines', what, () => pool().internLines(value), TYPE)
  add('StringPool#internLinesAsync', what, () => pool().internLinesAsync(value), TYPE)
}
for (const separator of [256, -1, 1.5, NaN, Infinity, 2 ** 53]) {
  add('StringPool#internLines', `separator ${separator}`, () => pool().internLines(Buffer.from('a\nb'), separator), INVALID)
  add('StringPool#internLinesAsync', `separator ${separator} (throws at once)`,
    () => pool().internLinesAsync(Buffer.from('a\nb'), separator), INVALID)
}
add('StringPool#internLines', "separator 'x'", () => pool().internLines(Buffer.from('a'), 'x'), TYPE)
add('StringPool#internLines', 'empty input', () => pool().internLines(Buffer.alloc(0)), returns(isEmptyOf(Uint32Array)))
add('StringPool#internLines', 'a view of a shrunk buffer', () => pool().internLines(outOfBounds(Uint8Array, 8)),
  returns(isEmptyOf(Uint32Array)))
add('StringPool#internLines', 'invalid UTF-8 lines are interned as bytes', () => {
  const p = pool()
  const ids = p.internLines(Buffer.from([0xff, 0x0a, 0x61, 0xff, 0x0d, 0x0a]))
  return [...ids, p.size]
}, returns((r) => assert.deepEqual(r, [3, 2, 4])))
add('StringPool#internLinesAsync', 'empty input', () => pool().internLinesAsync(Buffer.alloc(0)),
  resolves(isEmptyOf(Uint32Array)))
add('StringPool#internLinesAsync', 'a detached buffer', () => pool().internLinesAsync(detached(Uint8Array, 8)),
  resolves(isEmptyOf(Uint32Array)))

for (const id of [-1, 1.5, NaN, Infinity, -Infinity]) {
  add('StringPool#resolve', `id ${id}`, () => pool().resolve(id), INVALID)
  add('StringPool#resolveBytes', `id ${id}`, () => pool().resolveBytes(id), INVALID)
}
for (const id of [3, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 - 1, 1e300]) {
  add('StringPool#resolve', `unknown id ${id}`, () => pool().resolve(id), throws('FERRULE_OUT_OF_RANGE'))
  add('StringPool#resolveBytes', `unknown id ${id}`, () => pool().resolveBytes(id), throws('FERRULE_OUT_OF_RANGE'))
}
add('StringPool#resolve', "id '0'", () => pool().resolve('0'), TYPE)
add('StringPool#resolve', 'no id', () => pool().resolve(), TYPE)
add('StringPool#resolve', 'bytes that are not UTF-8', () => pool().resolve(2), throws('FERRULE_INVALID_UTF8'))
add('StringPool#resolveBytes', 'bytes that are not UTF-8', () => pool().resolveBytes(2),
  returns((b) => assert.deepEqual([...b], [0x61, 0xff])))
add('StringPool#resolve', 'id 0 of an empty pool', () => new StringPool().resolve(0), throws('FERRULE_OUT_OF_RANGE'))

add('StringPool#internMany', 'null', () => pool().internMany(null), TYPE)
add('StringPool#internMany', 'a string', () => pool().internMany('ab'), TYPE)
add('StringPool#internMany', 'a typed array', () => pool().internMany(new Uint32Array(2)), TYPE)
add('StringPool#internMany', 'a number among strings', () => pool().internMany(['x', 1]),
  throws('FERRULE_INVALID_ARGUMENT', TypeError))
add('StringPool#internMany', 'a hole among strings', () => pool().internMany(['x', , 'y']), TYPE)
add('StringPool#internMany', 'empty', () => pool().internMany([]), returns(isEmptyOf(Uint32Array)))
add('StringPool#internMany', 'lone surrogates at the ends of values do not join', () => {
  const p = new StringPool()
  return [p.internMany(['a\ud800', '\udc00b', '\ud83d', '\ude00']), p.resolveMany(Uint32Array.of(0, 1, 2))]
}, returns(([ids, values]) => {
  assert.deepEqual([...ids], [0, 1, 2, 2])
  assert.deepEqual(values, ['a\ufffd', '\ufffdb', '\ufffd'])
}))
add('StringPool#resolveMany', 'an array', () => pool().resolveMany([0]), TYPE)
add('StringPool#resolveMany', 'an Int32Array', () => pool().resolveMany(new Int32Array(1)), TYPE)
add('StringPool#resolveMany', 'an unknown id', () => pool().resolveMany(Uint32Array.of(0, 99)), throws('FERRULE_OUT_OF_RANGE'))
add('StringPool#resolveMany', 'id 2^32-1', () => pool().resolveMany(Uint32Array.of(0xffffffff)),
  throws('FERRULE_OUT_OF_RANGE'))
add('StringPool#resolveMany', 'bytes that are not UTF-8', () => pool().resolveMany(Uint32Array.of(2)),
  throws('FERRULE_INVALID_UTF8'))
add('StringPool#resolveMany', 'empty', () => pool().resolveMany(new Uint32Array(0)), returns((v) => assert.deepEqual(v, [])))
add('StringPool#values', 'bytes that are not UTF-8 throw when reached', () => [...pool().values()],
  throws('FERRULE_INVALID_UTF8'))
add('StringPool#values', 'an empty pool', () => [...new StringPool().values()], returns((v) => assert.deepEqual(v, [])))
add('StringPool#[Symbol.iterator]', 'bytes that are not UTF-8', () => [...pool()], throws('FERRULE_INVALID_UTF8'))
add('StringPool#toBuffer', 'an empty pool round-trips', () => StringPool.fromBuffer(new StringPool().toBuffer()).size,
  returns(same(0)))
add('StringPool#size', 'after bytes and strings', () => pool().size, returns(same(3)))
add('StringPool#memoryUsage', 'a number', () => pool().memoryUsage, returns((n) => assert.ok(Number.isInteger(n) && n > 0)))
add('StringPool#__internJoined', 'lengths that do not add up', () => pool().__internJoined('abc', Uint32Array.of(5)),
  MISMATCH)
add('StringPool#__internJoined', 'more lengths than text', () => pool().__internJoined('abc', Uint32Array.of(1, 1)),
  MISMATCH)
add('StringPool#__internJoined', 'lengths as an array', () => pool().__internJoined('ab', [1, 1]), TYPE)
add('StringPool#__internJoined', 'a number as text', () => pool().__internJoined(5, Uint32Array.of(1)), TYPE)
add('StringPool#__resolveJoined', 'an unknown id', () => pool().__resolveJoined(Uint32Array.of(9), 0),
  throws('FERRULE_OUT_OF_RANGE'))
add('StringPool#__resolveJoined', 'a start past the end', () => pool().__resolveJoined(Uint32Array.of(0), 5),
  returns(([text, ends]) => {
    assert.equal(text, '')
    assert.equal(ends.length, 0)
  }))
add('StringPool#__resolveJoined', 'null ids', () => pool().__resolveJoined(null, 0), TYPE)
add('StringPool#__resolveDistinct', 'an unknown id', () => pool().__resolveDistinct(Uint32Array.of(3)),
  throws('FERRULE_OUT_OF_RANGE'))
add('StringPool#__resolveDistinct', 'an array', () => pool().__resolveDistinct([0]), TYPE)

// Members called on something that is not a pool: a TypeError with the code, never a crash.
const foreign = { size: 1 }
for (const name of ['intern', 'get', 'has', 'internLines', 'internLinesAsync', 'resolve', 'resolveBytes', 'toBuffer',
  '__internJoined', '__resolveJoined']) {
  add(`StringPool#${name}`, 'called on a plain object', () => StringPool.prototype[name].call(foreign, 'a', 0), TYPE)
}
for (const name of ['size', 'memoryUsage']) {
  add(`StringPool#${name}`, 'read on a plain object',
    () => Object.getOwnPropertyDescriptor(StringPool.prototype, name).get.call(foreign), TYPE)
}

// ---------------------------------------------------------------------------------- vector: 1:1

const PAIRS = {
  dot: { empty: 0, inf: Infinity },
  cosineSimilarity: { empty: 0, inf: NaN },
  cosineDistance: { empty: 1, inf: NaN },
  sqeuclidean: { empty: 0, inf: Infinity },
  euclidean: { empty: 0, inf: Infinity },
  manhattan: { empty: 0, inf: Infinity },
}
for (const [name, { empty, inf }] of Object.entries(PAIRS)) {
  const api = `vector.${name}`
  const fn = vector[name]
  add(api, 'a null', () => fn(null, f32(1)), TYPE)
  add(api, 'b undefined', () => fn(f32(1)), TYPE)
  add(api, 'plain arrays', () => fn([1, 2], [1, 2]), TYPE)
  add(api, 'Int32Arrays', () => fn(new Int32Array(2), new Int32Array(2)), TYPE)
  add(api, 'a Buffer', () => fn(Buffer.alloc(8), Buffer.alloc(8)), TYPE)
  add(api, 'Float32Array and Float64Array (short)', () => fn(new F32(3), new F64(3)), TYPE)
  add(api, 'Float64Array and Float32Array (long)', () => fn(new F64(300), new F32(300)), TYPE)
  add(api, 'lengths 3 and 4 (JS path)', () => fn(new F32(3), new F32(4)), MISMATCH)
  add(api, 'lengths 300 and 301 (native path)', () => fn(new F64(300), new F64(301)), MISMATCH)
  add(api, 'empty', () => fn(new F32(0), new F32(0)), returns(same(empty)))
  add(api, 'detached buffers are empty', () => fn(detached(F32, 8), detached(F32, 8)), returns(same(empty)))
  add(api, 'a view of a shrunk buffer is empty', () => fn(outOfBounds(F64, 8), new F64(0)), returns(same(empty)))
  add(api, 'NaN (short)', () => fn(f32(1, NaN, 2), f32(1, 1, 1)), returns(same(NaN)))
  add(api, 'NaN (long)', () => fn(filled(F64, 500, 1).fill(NaN, 250, 251), filled(F64, 500, 2)), returns(same(NaN)))
  add(api, 'Infinity (short)', () => fn(f64(Infinity, 1), f64(1, 1)), returns(same(inf)))
  add(api, 'Infinity (long)', () => fn(filled(F32, 300, Infinity), filled(F32, 300, 1)), returns(same(inf)))
  add(api, 'options a number', () => fn(new F32(2), new F32(2), 5), TYPE)
  add(api, 'an unknown option', () => fn(new F32(2), new F32(2), { precison: 'accurate' }), TYPE)
  add(api, 'an unknown precision', () => fn(new F32(2), new F32(2), { precision: 'exact' }), INVALID)
  add(api, 'precision a number', () => fn(new F32(2), new F32(2), { precision: 1 }), TYPE)
  add(api, 'accurate, mismatched', () => fn(new F32(2), new F32(3), { precision: 'accurate' }), MISMATCH)
}

// ---------------------------------------------------------------------------------- vector: reductions

const REDUCTIONS = {
  norm: { empty: returns(same(0)), nan: NaN, inf: Infinity, precise: true },
  sum: { empty: returns(same(0)), nan: NaN, inf: NaN, precise: true },
  mean: { empty: INVALID, nan: NaN, inf: NaN },
  min: { empty: INVALID, nan: NaN, inf: -Infinity },
  max: { empty: INVALID, nan: NaN, inf: Infinity },
  argmin: { empty: INVALID, nan: 5, inf: 1 },
  argmax: { empty: INVALID, nan: 5, inf: 0 },
}
for (const [name, { empty, nan, inf, precise }] of Object.entries(REDUCTIONS)) {
  const api = `vector.${name}`
  const fn = vector[name]
  add(api, 'null', () => fn(null), TYPE)
  add(api, 'no argument', () => fn(), TYPE)
  add(api, 'an array', () => fn([1, 2]), TYPE)
  add(api, 'a Uint8Array', () => fn(new Uint8Array(4)), TYPE)
  add(api, 'a BigInt64Array', () => fn(new BigInt64Array(4)), TYPE)
  add(api, 'empty Float32Array', () => fn(new F32(0)), empty)
  add(api, 'empty Float64Array (accurate where it applies)',
    () => fn(new F64(0), precise ? { precision: 'accurate' } : undefined), empty)
  add(api, 'a detached buffer', () => fn(detached(F64, 4)), empty)
  const withNaN = (Type, n) => filled(Type, n, 1).fill(NaN, 5, 6).fill(NaN, 9, 10)
  add(api, 'NaN (short)', () => fn(withNaN(F32, 12)), returns(same(nan)))
  add(api, 'NaN (long)', () => fn(withNaN(F64, 400)), returns(same(nan)))
  const withInf = (Type, n) => new Type(n).fill(Infinity, 0, 1).fill(-Infinity, 1, 2)
  add(api, 'Infinity and -Infinity (short)', () => fn(withInf(F64, 10)), returns(same(inf)))
  add(api, 'Infinity and -Infinity (long)', () => fn(withInf(F32, 400)), returns(same(inf)))
  add(api, 'options a string', () => fn(new F32(2), 'accurate'), TYPE)
  if (precise) {
    add(api, 'an unknown precision', () => fn(new F32(2), { precision: 'exact' }), INVALID)
  } else {
    add(api, 'precision is not an option', () => fn(new F32(2), { precision: 'accurate' }), TYPE)
  }
}
add('vector.sum', 'float32 overflow gives Infinity', () => vector.sum(filled(F32, 100, 3e38)), returns(same(Infinity)))
add('vector.sum', 'float32 overflow, accurate', () => vector.sum(filled(F32, 100, 3e38), { precision: 'accurate' }),
  returns(same(Infinity)))

// ---------------------------------------------------------------------------------- vector: element-wise

const ELEMENTWISE = {
  scale: { arity: 1, alpha: 'second', call: (x, _b, _c, out, alpha = 2) => vector.scale(x, alpha, out) },
  add: { arity: 2, call: (a, b, _c, out) => vector.add(a, b, out) },
  subtract: { arity: 2, call: (a, b, _c, out) => vector.subtract(a, b, out) },
  multiply: { arity: 2, call: (a, b, _c, out) => vector.multiply(a, b, out) },
  axpy: { arity: 2, alpha: 'first', call: (x, y, _c, out, alpha = 2) => vector.axpy(alpha, x, y, out) },
  fma: { arity: 3, call: (a, b, c, out) => vector.fma(a, b, c, out) },
  normalize: { arity: 1, call: (x, _b, _c, out) => vector.normalize(x, out) },
}
for (const [name, { arity, alpha, call }] of Object.entries(ELEMENTWISE)) {
  const api = `vector.${name}`
  const args = (Type, ...lengths) => [0, 1, 2].map((i) => (i < arity ? new Type(lengths[i] ?? lengths[0]) : undefined))
  const run = (inputs, out, a) => call(inputs[0], inputs[1], inputs[2], out, a)
  add(api, 'null input', () => call(null, new F32(2), new F32(2)), TYPE)
  add(api, 'an array input', () => call([1, 2], [1, 2], [1, 2]), TYPE)
  add(api, 'Uint16Array inputs', () => run(args(Uint16Array, 2)), TYPE)
  if (arity > 1) {
    add(api, 'lengths differ (short)', () => run(args(F32, 3, 4, 3)), MISMATCH)
    add(api, 'lengths differ (long)', () => run(args(F64, 300, 301, 300)), MISMATCH)
    add(api, 'Float32Array and Float64Array', () => call(new F32(3), new F64(3), new F32(3)), TYPE)
  }
  add(api, 'out of the other float type', () => run(args(F32, 3), new F64(3)), TYPE)
  add(api, 'out too short (short)', () => run(args(F32, 3), new F32(2)), MISMATCH)
  add(api, 'out too long (long)', () => run(args(F64, 300), new F64(301)), MISMATCH)
  add(api, 'out a string', () => run(args(F32, 3), 'out'), TYPE)
  add(api, 'out a detached buffer', () => run(args(F32, 3), detached(F32, 3)), MISMATCH)
  add(api, 'out null means a new array', () => run(args(F64, 3), null), returns((r) => {
    assert.ok(r instanceof F64)
    assert.equal(r.length, 3)
  }))
  add(api, 'empty inputs', () => run(args(F32, 0)), returns(isEmptyOf(F32)))
  add(api, 'detached inputs are empty', () => run([detached(F64, 4), detached(F64, 4), detached(F64, 4)]),
    returns(isEmptyOf(F64)))
  if (alpha !== undefined) {
    add(api, "alpha '2'", () => run(args(F32, 3), undefined, '2'), TYPE)
    add(api, 'alpha null', () => run(args(F32, 3), undefined, null), TYPE)
    add(api, 'alpha a BigInt', () => run(args(F32, 3), undefined, 2n), TYPE)
    add(api, 'alpha NaN (short)', () => run(args(F32, 3), undefined, NaN), returns(allNaN))
    add(api, 'alpha NaN (long)', () => run(args(F64, 300), undefined, NaN), returns(allNaN))
  } else {
    add(api, 'NaN inputs', () => run([filled(F32, 300, NaN), filled(F32, 300, NaN), filled(F32, 300, NaN)]),
      returns(allNaN))
  }
}
add('vector.normalize', 'a zero vector stays zero', () => vector.normalize(new F64(300)),
  returns((r) => assert.ok(r.every((v) => Object.is(v, 0)))))

// ---------------------------------------------------------------------------------- vector: batches

const BAD_COUNTS = [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, 1e300]
// [threads, outcome, outcome of the async calls]: a count that is no integer fails at once; an
// integer above 1024 is checked where the pool is made, on the libuv thread for the async calls.
const THREAD_CASES = [[5000, INVALID, rejects('FERRULE_INVALID_ARGUMENT')],
  [1025, INVALID, rejects('FERRULE_INVALID_ARGUMENT')], [-1, INVALID, INVALID], [0.5, INVALID, INVALID],
  [2 ** 53, INVALID, INVALID], ['2', TYPE, TYPE], [true, TYPE, TYPE]]

// oneToMany(query, matrix, options)
add('vector.oneToMany', 'query null', () => vector.oneToMany(null, new F32(4)), TYPE)
add('vector.oneToMany', 'matrix an array', () => vector.oneToMany(new F32(2), [1, 2, 3, 4]), TYPE)
add('vector.oneToMany', 'mixed float types', () => vector.oneToMany(new F32(2), new F64(4)), TYPE)
add('vector.oneToMany', 'matrix not whole rows', () => vector.oneToMany(new F32(3), new F32(8)), INVALID)
add('vector.oneToMany', 'an empty query, a matrix with data', () => vector.oneToMany(new F32(0), new F32(8)), INVALID)
add('vector.oneToMany', 'both empty', () => vector.oneToMany(new F32(0), new F32(0)), returns(isEmptyOf(F32)))
add('vector.oneToMany', 'an empty matrix', () => vector.oneToMany(new F64(3), new F64(0)), returns(isEmptyOf(F64)))
for (const stride of [...BAD_COUNTS, 0, 1]) {
  add('vector.oneToMany', `stride ${stride}`, () => vector.oneToMany(new F32(2), new F32(4), { stride }), INVALID)
}
add('vector.oneToMany', "stride '2'", () => vector.oneToMany(new F32(2), new F32(4), { stride: '2' }), TYPE)
add('vector.oneToMany', 'stride 2^53-1 with one row allocates nothing', () =>
  vector.oneToMany(f32(1, 0), f32(1, 0), { stride: 2 ** 53 - 1, metric: 'dot' }), returns((r) => assert.deepEqual([...r], [1])))
add('vector.oneToMany', 'out too short', () => vector.oneToMany(new F32(2), new F32(6), { out: new F32(2) }), MISMATCH)
add('vector.oneToMany', 'out of the other type', () => vector.oneToMany(new F32(2), new F32(6), { out: new F64(3) }), TYPE)
add('vector.oneToMany', 'an unknown metric', () => vector.oneToMany(new F32(2), new F32(4), { metric: 'jaccard' }), INVALID)
add('vector.oneToMany', 'metric a number', () => vector.oneToMany(new F32(2), new F32(4), { metric: 1 }), TYPE)
add('vector.oneToMany', 'an unknown option', () => vector.oneToMany(new F32(2), new F32(4), { dim: 2 }), TYPE)
for (const [threads, expect] of THREAD_CASES) {
  add('vector.oneToMany', `threads ${String(threads)}`, () => vector.oneToMany(new F32(2), new F32(4), { threads }), expect)
}
add('vector.oneToMany', 'NaN rows give NaN', () => vector.oneToMany(f64(1, 1), f64(NaN, 1, 1, 1), { metric: 'dot' }),
  returns((r) => assert.deepEqual([...r], [NaN, 2])))

// cdist(a, b, dim, options) and cdistAsync: argument errors throw at once in both.
for (const [api, cdist] of [['vector.cdist', vector.cdist], ['vector.cdistAsync', vector.cdistAsync]]) {
  for (const dim of [...BAD_COUNTS, 0]) {
    add(api, `dim ${dim}`, () => cdist(new F32(4), new F32(4), dim), INVALID)
  }
  add(api, "dim '2'", () => cdist(new F32(4), new F32(4), '2'), TYPE)
  add(api, 'dim missing', () => cdist(new F32(4), new F32(4)), TYPE)
  add(api, 'a null', () => cdist(null, new F32(4), 2), TYPE)
  add(api, 'b a Uint8Array', () => cdist(new F32(4), new Uint8Array(4), 2), TYPE)
  add(api, 'mixed float types', () => cdist(new F32(4), new F64(4), 2), TYPE)
  add(api, 'b not whole rows', () => cdist(new F32(6), new F32(8), 3), INVALID)
  add(api, 'out too short', () => cdist(new F32(4), new F32(6), 2, { out: new F32(5) }), MISMATCH)
  add(api, 'out of the other type', () => cdist(new F32(4), new F32(6), 2, { out: new F64(6) }), TYPE)
  add(api, 'out a plain array', () => cdist(new F32(4), new F32(6), 2, { out: [0, 0, 0, 0, 0, 0] }), TYPE)
  add(api, 'options a string', () => cdist(new F32(4), new F32(6), 2, 'fast'), TYPE)
  add(api, 'an unknown metric', () => cdist(new F32(4), new F32(6), 2, { metric: 'hamming' }), INVALID)
  add(api, 'an unknown precision', () => cdist(new F32(4), new F32(6), 2, { precision: 'exact' }), INVALID)
  add(api, 'out of a terabyte-sized result: a length mismatch, nothing allocated',
    () => cdist(new F32(2_000_000), new F32(2_000_000), 1, { out: new F32(4) }), MISMATCH)
}
for (const [threads, expect, expectAsync] of THREAD_CASES) {
  add('vector.cdist', `threads ${String(threads)}`, () => vector.cdist(new F32(4), new F32(4), 2, { threads }), expect)
  add('vector.cdistAsync', `threads ${String(threads)}`,
    () => vector.cdistAsync(new F32(4), new F32(4), 2, { threads }), expectAsync)
}
add('vector.cdist', 'empty a', () => vector.cdist(new F32(0), new F32(6), 3), returns(isEmptyOf(F32)))
add('vector.cdist', 'empty inputs, dim 2^53-1', () => vector.cdist(new F64(0), new F64(0), 2 ** 53 - 1),
  returns(isEmptyOf(F64)))
add('vector.cdist', 'detached inputs', () => vector.cdist(detached(F32, 4), detached(F32, 4), 2), returns(isEmptyOf(F32)))
add('vector.cdist', 'Infinity rows give NaN', () => vector.cdist(f32(Infinity), f32(Infinity), 1), returns(allNaN))
add('vector.cdistAsync', 'empty a', () => vector.cdistAsync(new F32(0), new F32(6), 3), resolves(isEmptyOf(F32)))
add('vector.cdistAsync', 'views of shrunk buffers', () => vector.cdistAsync(outOfBounds(F32, 8), outOfBounds(F32, 8), 2),
  resolves(isEmptyOf(F32)))
add('vector.cdistAsync', 'out detached while the task runs', () => {
  const out = new F32(4)
  const promise = vector.cdistAsync(new F32(4), new F32(4), 2, { out })
  structuredClone(out.buffer, { transfer: [out.buffer] })
  return promise
}, rejects('FERRULE_LENGTH_MISMATCH'))
add('vector.cdistAsync', 'an ArrayBuffer input shrunk while the task runs (it was copied)', () => {
  const buffer = new ArrayBuffer(4096, { maxByteLength: 8192 })
  const a = new F32(buffer).fill(1)
  const promise = vector.cdistAsync(a, a, 4)
  buffer.resize(0)
  return promise
}, resolves((r) => {
  assert.equal(r.length, 256 * 256)
  assert.ok(r.every((v) => v === 0))
}))
// A result that needs terabytes (and more than the 2^32 elements a JS typed array can hold) must
// be refused from the shapes, before allocating: today the process aborts (reported). Only
// sizes no machine can allocate are tried here, so a regression cannot fill a big machine's RAM.
addChild('vector.cdist', '4*10^12 results (16 TB)', 'vector.cdist(new F32(2000000), new F32(2000000), 1)',
  { code: 'FERRULE_CAPACITY' })
addChild('vector.cdistAsync', '4*10^12 results (16 TB)', 'vector.cdistAsync(new F32(2000000), new F32(2000000), 1)',
  { code: 'FERRULE_CAPACITY', anyOf: ['threw', 'rejected'] })

// topk(queries, database, dim, k, options) and topkAsync.
for (const [api, topk] of [['vector.topk', vector.topk], ['vector.topkAsync', vector.topkAsync]]) {
  for (const k of BAD_COUNTS) {
    add(api, `k ${k}`, () => topk(new F32(4), new F32(4), 2, k), INVALID)
  }
  add(api, 'k larger than the database', () => topk(new F32(4), new F32(4), 2, 3), INVALID)
  add(api, 'k 2^53-1', () => topk(new F32(4), new F32(4), 2, 2 ** 53 - 1), INVALID)
  add(api, 'k 1 of an empty database', () => topk(new F32(4), new F32(0), 2, 1), INVALID)
  add(api, "k '1'", () => topk(new F32(4), new F32(4), 2, '1'), TYPE)
  add(api, 'k missing', () => topk(new F32(4), new F32(4), 2), TYPE)
  for (const dim of [0, -1, NaN, 2 ** 53]) {
    add(api, `dim ${dim}`, () => topk(new F32(4), new F32(4), dim, 1), INVALID)
  }
  add(api, 'queries not whole rows', () => topk(new F32(5), new F32(4), 2, 1), INVALID)
  add(api, 'mixed float types', () => topk(new F64(4), new F32(4), 2, 1), TYPE)
  add(api, 'database null', () => topk(new F32(4), null, 2, 1), TYPE)
  add(api, 'an unknown metric', () => topk(new F32(4), new F32(4), 2, 1, { metric: 'l3' }), INVALID)
  add(api, 'out is not an option', () => topk(new F32(4), new F32(4), 2, 1, { out: new F32(2) }), TYPE)
}
add('vector.topk', 'k 0', () => vector.topk(new F32(4), new F32(4), 2, 0), returns((r) => {
  assert.equal(r.indices.length, 0)
  assert.equal(r.distances.length, 0)
}))
add('vector.topk', 'empty queries', () => vector.topk(new F64(0), new F64(6), 3, 2), returns((r) => {
  assert.equal(r.indices.length, 0)
  assert.ok(r.distances instanceof F64)
}))
add('vector.topk', 'NaN rows rank last', () => vector.topk(f32(1, 0), f32(NaN, 0, 1, 0, 0, 1), 2, 3,
  { metric: 'sqeuclidean' }), returns((r) => assert.deepEqual([...r.indices], [1, 2, 0])))
add('vector.topk', 'threads 5000', () => vector.topk(new F32(4), new F32(4), 2, 1, { threads: 5000 }), INVALID)
add('vector.topkAsync', 'threads 5000 (checked on the libuv thread)',
  () => vector.topkAsync(new F32(4), new F32(4), 2, 1, { threads: 5000 }), rejects('FERRULE_INVALID_ARGUMENT'))
add('vector.topkAsync', 'threads -1', () => vector.topkAsync(new F32(4), new F32(4), 2, 1, { threads: -1 }), INVALID)
add('vector.topkAsync', 'k 0', () => vector.topkAsync(new F32(4), new F32(4), 2, 0),
  resolves((r) => assert.equal(r.indices.length, 0)))
addChild('vector.topk', '2*10^6 queries, k = 2*10^6 (4*10^12 results)',
  'vector.topk(new F32(2000000), new F32(2000000), 1, 2000000)', { code: 'FERRULE_CAPACITY' })
addChild('vector.topkAsync', '2*10^6 queries, k = 2*10^6 (4*10^12 results)',
  'vector.topkAsync(new F32(2000000), new F32(2000000), 1, 2000000)',
  { code: 'FERRULE_CAPACITY', anyOf: ['threw', 'rejected'] })

// ---------------------------------------------------------------------------------- logs: files

const FILE_FUNCTIONS = {
  'logs.parseFile': { run: (path, options) => logs.parseFile(path, options), async: false },
  'logs.parseFileAsync': { run: (path, options) => logs.parseFileAsync(path, options), async: true },
  'logs.readBatches': { run: (path, options) => rowsOf(logs.readBatches(path, options)), async: false },
}
for (const [api, { run, async }] of Object.entries(FILE_FUNCTIONS)) {
  // Failures of the file itself: a rejection for the async call, a throw for the others.
  const failure = (code) => (async ? rejects(code) : throws(code))
  const rows = (n, check) => (async ? resolves(table(n, check)) : returns(api === 'logs.readBatches' ? same(n) : table(n, check)))
  add(api, 'a missing file', () => run(FILES.missing), failure('FERRULE_IO'))
  add(api, 'a directory', () => run(FILES.directory), failure('FERRULE_IO'))
  // Root reads any file: then the case runs in a child process as nobody (uid 65534).
  if (IS_ROOT) {
    addChild(api, 'an unreadable file (chmod 000), as nobody',
      `${api}(${JSON.stringify(FILES.unreadable)})${api === 'logs.readBatches' ? '.next()' : ''}`,
      { code: 'FERRULE_IO', anyOf: [async ? 'rejected' : 'threw'], uid: 65534 })
  } else {
    add(api, 'an unreadable file (chmod 000)', () => run(FILES.unreadable), failure('FERRULE_IO'))
  }
  add(api, 'truncated gzip', () => run(FILES.truncatedGz), failure('FERRULE_CORRUPT'))
  add(api, 'gzip cut inside its header', () => run(FILES.tinyTruncatedGz), failure('FERRULE_CORRUPT'))
  add(api, 'corrupt gzip', () => run(FILES.corruptGz), failure('FERRULE_CORRUPT'))
  add(api, 'gzip', () => run(FILES.gz), rows(10000))
  add(api, 'an empty file', () => run(FILES.empty), rows(0))
  add(api, 'the empty path', () => run(''), failure('FERRULE_IO'))
  add(api, 'a NUL byte in the path', () => run(`${FILES.oneLine}\0.txt`), failure('FERRULE_IO'))
  add(api, 'a lone surrogate in the path (becomes U+FFFD: no such file)', () => run(`${scratch}/bad-\ud800.log`),
    failure('FERRULE_IO'))
  add(api, 'a file whose name is not UTF-8, named lossily', () => run(NON_UTF8_NAME.toString('utf8')),
    failure('FERRULE_IO'))
  add(api, 'a Buffer path (not taken)', () => run(NON_UTF8_NAME), TYPE)
  add(api, 'a file: URL with %FF (not UTF-8)', () => run(new URL(`${pathToFileURL(scratch)}/bad-%FF.log`)), INVALID)
  add(api, 'an http: URL', () => run(new URL('http://example.com/access.log')), INVALID)
  add(api, 'a file: URL', () => run(pathToFileURL(FILES.oneLine)), rows(1))
  add(api, 'null', () => run(null), TYPE)
  add(api, 'a number', () => run(5), TYPE)
  add(api, 'options a string', () => run(FILES.oneLine, 'combined'), TYPE)
  add(api, 'options an array', () => run(FILES.oneLine, []), TYPE)
  add(api, 'an unknown option', () => run(FILES.oneLine, { formt: 'common' }), TYPE)
  add(api, 'an unknown preset', () => run(FILES.oneLine, { format: 'json' }), INVALID)
  add(api, 'format a number', () => run(FILES.oneLine, { format: 1 }), TYPE)
  add(api, 'a format object without spec', () => run(FILES.oneLine, { format: { kind: 'nginx' } }), TYPE)
  add(api, 'a bad nginx format', () => run(FILES.oneLine, { format: { kind: 'nginx', spec: '' } }), throws('FERRULE_PARSE'))
  add(api, 'an unknown format kind', () => run(FILES.oneLine, { format: { kind: 'iis', spec: 'x' } }), INVALID)
  add(api, "onError 'ignore'", () => run(FILES.oneLine, { onError: 'ignore' }), INVALID)
  add(api, 'onError true', () => run(FILES.oneLine, { onError: true }), TYPE)
  add(api, 'unescape a string', () => run(FILES.oneLine, { unescape: 'yes' }), TYPE)
  add(api, 'plainColumns a string', () => run(FILES.oneLine, { plainColumns: 'path' }), TYPE)
  add(api, 'plainColumns an unknown column', () => run(FILES.oneLine, { plainColumns: ['nope'] }),
    failure('FERRULE_INVALID_ARGUMENT'))
  add(api, 'referenceTime a string', () => run(FILES.oneLine, { referenceTime: '2020-01-01' }), TYPE)
  add(api, 'octetCounted on combined', () => run(FILES.oneLine, { octetCounted: true }), failure('FERRULE_INVALID_ARGUMENT'))
  add(api, 'flatten on combined', () => run(FILES.oneLine, { flatten: true }), failure('FERRULE_INVALID_ARGUMENT'))
  add(api, 'year NaN', () => run(FILES.oneLine, { year: NaN }), INVALID)
  add(api, 'referenceTime NaN', () => run(FILES.oneLine, { referenceTime: NaN }), INVALID)
  add(api, 'referenceTime an invalid Date', () => run(FILES.oneLine, { referenceTime: new Date(NaN) }), INVALID)
  add(api, 'referenceTime Infinity', () => run(FILES.oneLine, { referenceTime: Infinity }), INVALID)
  // Values core checks when the parse starts: in the task for the async call.
  add(api, 'year 0', () => run(FILES.oneLine, { year: 0 }), failure('FERRULE_INVALID_ARGUMENT'))
  add(api, 'year 10000', () => run(FILES.oneLine, { year: 10000 }), failure('FERRULE_INVALID_ARGUMENT'))
  add(api, 'referenceTime 1e300', () => run(FILES.oneLine, { referenceTime: 1e300 }), failure('FERRULE_INVALID_ARGUMENT'))
  add(api, 'year and referenceTime', () => run(FILES.oneLine, { year: 2020, referenceTime: 0 }),
    failure('FERRULE_INVALID_ARGUMENT'))
  add(api, 'invalid UTF-8 in the data: rows with U+FFFD', () => run(FILES.invalidUtf8), rows(3, (t) => {
    assert.equal(t.column('user_agent').dictionary[t.column('user_agent').codes[0]], 'ag\ufffdent')
    assert.deepEqual([...t.column('user_agent', { raw: true }).dictionary[t.column('user_agent', { raw: true }).codes[0]]],
      [...Buffer.from('ag\xffent', 'latin1')])
  }))
  add(api, "invalid UTF-8 in the data, strictUtf8: 'INVALID_UTF8' rows",
    () => run(FILES.invalidUtf8, { strictUtf8: true }), rows(3, (t) => {
      assert.deepEqual(t.errors.map((e) => [e.line, e.code]), [[1, 'INVALID_UTF8'], [2, 'INVALID_UTF8']])
      assert.deepEqual([...t.errors[1].raw], [0xc3, 0x28])
    }))
  add(api, "a bad line with onError 'raise'", () => run(SAMPLE, { onError: 'raise' }), failure('FERRULE_PARSE'))
}
for (const [threads, expect] of [[-1, INVALID], [1.5, INVALID], [NaN, INVALID], [2 ** 53, INVALID], ['2', TYPE]]) {
  add('logs.parseFile', `threads ${String(threads)}`, () => logs.parseFile(FILES.oneLine, { threads }), expect)
  add('logs.parseFileAsync', `threads ${String(threads)}`, () => logs.parseFileAsync(FILES.oneLine, { threads }), expect)
}
add('logs.parseFile', 'threads 1025 (small input)', () => logs.parseFile(FILES.oneLine, { threads: 1025 }), INVALID)
add('logs.parseFileAsync', 'threads 1025 (checked in the task)', () => logs.parseFileAsync(FILES.oneLine, { threads: 1025 }),
  rejects('FERRULE_INVALID_ARGUMENT'))
add('logs.readBatches', 'threads is not an option', () => logs.readBatches(FILES.oneLine, { threads: 1 }), TYPE)
for (const batchRows of [0, -1, 1.5, NaN, Infinity]) {
  add('logs.readBatches', `batchRows ${batchRows}`, () => logs.readBatches(FILES.oneLine, { batchRows }), INVALID)
}
add('logs.readBatches', 'batchRows 2^53', () => logs.readBatches(FILES.oneLine, { batchRows: 2 ** 53 }), INVALID)
add('logs.readBatches', "batchRows '10'", () => logs.readBatches(FILES.oneLine, { batchRows: '10' }), TYPE)
add('logs.readBatches', 'batchRows 2^53-1 allocates nothing', () => rowsOf(logs.readBatches(SAMPLE, { batchRows: 2 ** 53 - 1 })),
  returns(same(10000)))
add('logs.readBatches', 'batchRows 1', () => [...logs.readBatches(FILES.invalidUtf8, { batchRows: 1 })].map((b) => b.numRows),
  returns((sizes) => assert.deepEqual(sizes, [1, 1, 1])))
add('logs.readBatches', 'for await over a truncated gzip', async () => {
  let rows = 0
  for await (const batch of logs.readBatches(FILES.truncatedGz, { batchRows: 1000 })) rows += batch.numRows
  return rows
}, rejects('FERRULE_CORRUPT'))
// Far more threads than any machine has, on input big enough to be split: today core sizes its
// chunk list from the thread count before checking it, and the process aborts (reported).
addChild('logs.parseBuffer', 'threads 10^9 on 1.5 MB',
  `logs.parseBuffer(Buffer.from(${JSON.stringify(LINE)}.repeat(20000)), { threads: 1e9 })`,
  { code: 'FERRULE_INVALID_ARGUMENT' })
addChild('logs.parseFile', 'threads 10^9 on the sample (2.3 MB)', `logs.parseFile(${JSON.stringify(SAMPLE)}, { threads: 1e9 })`,
  { code: 'FERRULE_INVALID_ARGUMENT' })
addChild('logs.parseFileAsync', 'threads 10^9 on the sample (2.3 MB)',
  `logs.parseFileAsync(${JSON.stringify(SAMPLE)}, { threads: 1e9 })`,
  { code: 'FERRULE_INVALID_ARGUMENT', anyOf: ['threw', 'rejected'] })

// ---------------------------------------------------------------------------------- logs: in memory

add('logs.parseBuffer', 'a string', () => logs.parseBuffer(LINE), TYPE)
add('logs.parseBuffer', 'null', () => logs.parseBuffer(null), TYPE)
add('logs.parseBuffer', 'a Float32Array', () => logs.parseBuffer(new F32(4)), TYPE)
add('logs.parseBuffer', 'an ArrayBuffer', () => logs.parseBuffer(new ArrayBuffer(4)), TYPE)
add('logs.parseBuffer', 'empty', () => logs.parseBuffer(Buffer.alloc(0)), returns(table(0)))
add('logs.parseBuffer', 'a detached buffer', () => logs.parseBuffer(detached(Uint8Array, 16)), returns(table(0)))
add('logs.parseBuffer', 'only newlines', () => logs.parseBuffer(Buffer.from('\n\r\n\n')), returns(table(0, (t) => {
  assert.equal(t.stats.empty, 3)
})))
add('logs.parseBuffer', 'NUL bytes and invalid UTF-8', () => logs.parseBuffer(Buffer.from([0, 0xff, 0xfe, 0x0a, 0x00])),
  returns(table(2, (t) => assert.deepEqual(t.errors.map((e) => e.code), ['TOO_FEW_FIELDS', 'TOO_FEW_FIELDS']))))
add('logs.parseBuffer', 'threads 1025', () => logs.parseBuffer(Buffer.from(LINE), { threads: 1025 }), INVALID)
add('logs.parseBuffer', 'batchRows is not an option', () => logs.parseBuffer(Buffer.from(LINE), { batchRows: 1 }), TYPE)

add('logs.parseStructuredData', 'null', () => logs.parseStructuredData(null), TYPE)
add('logs.parseStructuredData', 'a number', () => logs.parseStructuredData(5), TYPE)
add('logs.parseStructuredData', 'empty', () => logs.parseStructuredData(''), throws('FERRULE_PARSE'))
add('logs.parseStructuredData', 'unterminated', () => logs.parseStructuredData('[id a="1"'), throws('FERRULE_PARSE'))
add('logs.parseStructuredData', "'-'", () => logs.parseStructuredData('-'), returns((r) => assert.deepEqual(r, [])))
add('logs.parseStructuredData', 'invalid UTF-8 as the SD-ID', () => logs.parseStructuredData(Buffer.from([0x5b, 0xff, 0x5d])),
  throws('FERRULE_PARSE'))
add('logs.parseStructuredData', 'invalid UTF-8 in a value',
  () => logs.parseStructuredData(Buffer.from('[id a="\xff"]', 'latin1')),
  returns((r) => assert.deepEqual(r, [{ id: 'id', params: [['a', '\ufffd']] }])))
add('logs.parseStructuredData', 'a lone surrogate in a value', () => logs.parseStructuredData('[id a="\ud800"]'),
  returns((r) => assert.deepEqual(r, [{ id: 'id', params: [['a', '\ufffd']] }])))
add('logs.parseStructuredData', 'a detached buffer', () => logs.parseStructuredData(detached(Uint8Array, 4)),
  throws('FERRULE_PARSE'))

for (const [name, bad] of [['preset', 'json'], ['nginx', ''], ['apache', '%{'], ['template', '<x']]) {
  const api = `logs.format.${name}`
  add(api, 'a number', () => logs.format[name](5), TYPE)
  add(api, 'null', () => logs.format[name](null), TYPE)
  add(api, `the bad format ${JSON.stringify(bad)}`, () => logs.format[name](bad),
    name === 'preset' ? INVALID : throws('FERRULE_PARSE'))
}
add('logs.format.nginx', 'a NUL byte in the format', () => logs.format.nginx('$a\0$b').columnNames,
  returns((names) => assert.deepEqual(names, ['line', 'a', 'b', 'error', 'error_offset'])))
add('logs.format.template', 'a lone surrogate in literal text', () => logs.format.template('<A> \ud800 <B>').columnNames,
  returns((names) => assert.deepEqual(names, ['line', 'A', 'B', 'error', 'error_offset'])))
add('logs.formatColumns', 'a number', () => logs.formatColumns(5), TYPE)
add('logs.formatColumns', 'an array', () => logs.formatColumns(['combined']), TYPE)
add('logs.formatColumns', 'an unknown kind', () => logs.formatColumns({ kind: 'iis', spec: 'x' }), INVALID)
add('logs.formatColumns', 'an unknown preset', () => logs.formatColumns('json'), INVALID)
add('logs.formatColumns', 'null is the default format', () => logs.formatColumns(null).length, returns(same(17)))

add('logs.createParser', 'threads is not an option', () => logs.createParser({ threads: 2 }), TYPE)
add('logs.createParser', 'an unknown preset', () => logs.createParser({ format: 'json' }), INVALID)
add('logs.createParser', 'year 0', () => logs.createParser({ format: 'syslog_rfc3164', year: 0 }), INVALID)
add('logs.createParser', 'options a number', () => logs.createParser(1), TYPE)

// ---------------------------------------------------------------------------------- logs: classes

const parsed = () => logs.parseBuffer(Buffer.from(LINE + 'garbage\n'))
add('logs.LogTable', 'constructed directly', () => new logs.LogTable(), TYPE)
add('logs.LogTable', 'called without new', () => logs.LogTable(), TYPE)
add('logs.LogTable#column', 'an unknown column', () => parsed().column('nope'), INVALID)
add('logs.LogTable#column', 'a number', () => parsed().column(3), TYPE)
add('logs.LogTable#column', 'raw on a number column', () => parsed().column('status', { raw: true }), INVALID)
add('logs.LogTable#column', 'bigint on a string column', () => parsed().column('path', { bigint: true }), INVALID)
add('logs.LogTable#column', 'raw and bigint', () => parsed().column('path', { raw: true, bigint: true }), INVALID)
add('logs.LogTable#column', 'raw a string', () => parsed().column('path', { raw: 'yes' }), TYPE)
add('logs.LogTable#column', 'an unknown option', () => parsed().column('path', { row: true }), TYPE)
add('logs.LogTable#column', 'options an array', () => parsed().column('path', []), TYPE)
add('logs.LogTable#column', 'null options', () => parsed().column('status', null),
  returns((s) => assert.deepEqual([...s], [200, 0])))
add('logs.LogTable#validity', 'an unknown column', () => parsed().validity('nope'), INVALID)
add('logs.LogTable#validity', 'undefined', () => parsed().validity(), TYPE)
add('logs.LogTable#isValid', 'row NaN', () => parsed().isValid('status', NaN), TYPE)
add('logs.LogTable#isValid', "row '0'", () => parsed().isValid('status', '0'), TYPE)
add('logs.LogTable#isValid', 'row -1', () => parsed().isValid('status', -1), returns(same(false)))
add('logs.LogTable#isValid', 'row 2^53', () => parsed().isValid('status', 2 ** 53), returns(same(false)))
add('logs.LogTable#isValid', 'an unknown column', () => parsed().isValid('nope', 0), INVALID)
add('logs.LogTable#numRows', 'an empty table', () => logs.parseBuffer(Buffer.alloc(0)).numRows, returns(same(0)))
add('logs.LogTable#columnNames', 'a copy each time', () => {
  const t = parsed()
  t.columnNames.length = 0
  return t.columnNames.length
}, returns(same(17)))
add('logs.LogTable#columnTypes', 'of an empty table', () => logs.parseBuffer(Buffer.alloc(0)).columnTypes.status,
  returns(same('uint16')))
add('logs.LogTable#columns', 'an unknown name is undefined', () => {
  const columns = parsed().columns
  return [Object.keys(columns).length, columns.nope, Object.isFrozen(columns)]
}, returns((r) => assert.deepEqual(r, [17, undefined, true])))
add('logs.LogTable#errors', 'a failed line', () => parsed().errors.map((e) => [e.line, e.code]),
  returns((e) => assert.deepEqual(e, [[2, 'TOO_FEW_FIELDS']])))
add('logs.LogTable#stats', 'frozen', () => Object.isFrozen(parsed().stats), returns(same(true)))
add('logs.LogTable#memoryUsage', 'a number', () => parsed().memoryUsage, returns((n) => assert.ok(n > 0)))
add('logs.LogTable#[Symbol.toStringTag]', 'LogTable', () => Object.prototype.toString.call(parsed()),
  returns(same('[object LogTable]')))
// Members called on something that is not a table: like StringPool's, a TypeError with the code.
add('logs.LogTable#column', 'called on a plain object', () => logs.LogTable.prototype.column.call({}, 'status'), TYPE)
add('logs.LogTable#numRows', 'read on a plain object',
  () => Object.getOwnPropertyDescriptor(logs.LogTable.prototype, 'numRows').get.call({}), TYPE)

const parser = (options) => logs.createParser(options)
add('logs.LogParser', 'constructed directly', () => new logs.LogParser(), TYPE)
add('logs.LogParser#push', 'a number', () => parser().push(5), TYPE)
add('logs.LogParser#push', 'null', () => parser().push(null), TYPE)
add('logs.LogParser#push', 'a Float64Array', () => parser().push(new F64(2)), TYPE)
add('logs.LogParser#push', 'a detached buffer', () => parser().push(detached(Uint8Array, 8)), returns(same(undefined)))
add('logs.LogParser#push', 'invalid UTF-8 and a lone surrogate', () => {
  const p = parser()
  p.push(Buffer.from([0xff, 0x0a]))
  p.push('\ud800\n')
  return p.finish().errors.map((e) => e.text)
}, returns((texts) => assert.deepEqual(texts, ['\ufffd', '\ufffd'])))
add('logs.LogParser#push', 'after finish', () => {
  const p = parser()
  p.finish()
  p.push(LINE)
}, INVALID)
add('logs.LogParser#push', "a bad line with onError 'raise', and every push after it", () => {
  const p = parser({ onError: 'raise' })
  assert.throws(() => p.push('garbage\n'), { code: 'FERRULE_PARSE', reason: 'TOO_FEW_FIELDS', line: 1 })
  p.push(LINE)
}, throws('FERRULE_PARSE'))
add('logs.LogParser#finish', 'twice', () => {
  const p = parser()
  p.finish()
  p.finish()
}, INVALID)
add('logs.LogParser#finish', "a partial bad line with onError 'raise'", () => {
  const p = parser({ onError: 'raise' })
  p.push('partial line without its end')
  p.finish()
}, throws('FERRULE_PARSE'))
add('logs.LogParser#takeBatch', 'after finish: empty', () => {
  const p = parser()
  p.push(LINE)
  p.finish()
  return p.takeBatch()
}, returns(table(0)))
add('logs.LogParser#rowsBuffered', 'counts complete lines only', () => {
  const p = parser()
  p.push(LINE + LINE.slice(0, 10))
  return [p.rowsBuffered, p.pendingBytes, p.finished]
}, returns((r) => assert.deepEqual(r, [1, 10, false])))
add('logs.LogParser#pendingBytes', 'a 1 MB line without its end', () => {
  const p = parser()
  p.push(Buffer.alloc(1 << 20, 0x61))
  return p.pendingBytes
}, returns(same(1 << 20)))
add('logs.LogParser#finished', 'after finish', () => {
  const p = parser()
  p.finish()
  return p.finished
}, returns(same(true)))
add('logs.LogParser#push', 'called on a plain object', () => logs.LogParser.prototype.push.call({}, LINE), TYPE)
add('logs.LogParser#finished', 'read on a plain object',
  () => Object.getOwnPropertyDescriptor(logs.LogParser.prototype, 'finished').get.call({}), TYPE)

// ---------------------------------------------------------------------------------- internals: __vector
// Not wrapped by ferrule.js: napi's conversion failures keep napi's status as their code.

const NAPI = (status, Type = Error) => throws(status, Type)
add('__vector.nativeFunction', 'an unknown family', () => V.nativeFunction(9, 0), INVALID)
add('__vector.nativeFunction', 'family -1 (wraps to 2^32-1)', () => V.nativeFunction(-1, 0), INVALID)
add('__vector.nativeFunction', 'a string family', () => V.nativeFunction('pair', 0), NAPI('NumberExpected'))
add('__vector.nativeFunction', 'a function claiming float32, given Float64Arrays',
  () => V.nativeFunction(0, 1 << 5)(new F64(4), new F64(4)),
  returns((r) => assert.equal(typeof r, 'number')))
add('__vector.nativeFunction', 'a function claiming float32, given Uint8Arrays',
  () => V.nativeFunction(0, 1 << 5)(new Uint8Array(8), new Uint8Array(8)),
  TYPE)
add('__vector.nativeFunction', 'a reduction claiming float64, given an odd Float32Array',
  () => V.nativeFunction(1, 2 << 5)(new F32(3)),
  returns((r) => assert.equal(typeof r, 'number')))
add('__vector.nativeFunction', 'an element-wise function given nothing', () => V.nativeFunction(2, 0)(), TYPE)
add('__vector.nativeFunction', 'an element-wise function given a DataView',
  () => V.nativeFunction(2, 0)(0, new DataView(new ArrayBuffer(8))),
  TYPE)
add('__vector.cdist', 'an unknown metric code', () => V.cdist(999, null, new F32(4), new F32(4), 2), throws('FERRULE_INTERNAL'))
add('__vector.cdist', 'threads a string', () => V.cdist(0, 'x', new F32(4), new F32(4), 2), NAPI('NumberExpected'))
add('__vector.cdist', 'dim 2^53', () => V.cdist(0, null, new F32(4), new F32(4), 2 ** 53), INVALID)
add('__vector.cdistAsync', 'an unknown metric code', () => V.cdistAsync(77, null, new F32(4), new F32(4), 2),
  throws('FERRULE_INTERNAL'))
add('__vector.oneToMany', 'stride NaN', () => V.oneToMany(0, null, new F32(2), new F32(4), NaN), INVALID)
add('__vector.topk', 'k NaN', () => V.topk(0, null, new F32(4), new F32(4), 2, NaN), INVALID)
add('__vector.topkAsync', 'k 2^53', () => V.topkAsync(0, null, new F32(4), new F32(4), 2, 2 ** 53), INVALID)
add('__vector.debugIsAligned', 'null', () => V.debugIsAligned(null), NAPI('InvalidArg'))
add('__vector.debugUnalignedView', 'not a boolean', () => V.debugUnalignedView('x', new F64(1)), NAPI('BooleanExpected'))
add('__vector.debugUnalignedView', 'an unaligned view works everywhere', () => {
  const x = V.debugUnalignedView(false, f64(1, 2, 3, 4))
  return [V.debugIsAligned(x), vector.sum(x, { precision: 'accurate' }), vector.cdist(x, x, 2)[1]]
}, returns((r) => assert.deepEqual(r, [false, 10, 8])))
add('__vector.debugPanicAsync', 'rejects with FERRULE_INTERNAL', () => V.debugPanicAsync('bad input table'),
  rejects('FERRULE_INTERNAL'))

// ---------------------------------------------------------------------------------- internals: __logs

const nativeTable = () => L.parseBuffer(Buffer.from(LINE), 'preset', 'combined', {})
add('__logs.formatInfo', 'an unknown kind', () => L.formatInfo('iis', 'x'), INVALID)
add('__logs.formatInfo', 'null kind', () => L.formatInfo(null, 'x'), NAPI('StringExpected'))
add('__logs.parseBuffer', 'options null', () => L.parseBuffer(Buffer.from(LINE), 'preset', 'combined', null),
  NAPI(undefined, TypeError))
add('__logs.parseBuffer', 'threads a string', () => L.parseBuffer(Buffer.from(LINE), 'preset', 'combined', { threads: 'x' }),
  NAPI('NumberExpected'))
add('__logs.parseBuffer', 'plainColumns not an array',
  () => L.parseBuffer(Buffer.from(LINE), 'preset', 'combined', { plainColumns: 'x' }),
  NAPI('ArrayExpected'))
add('__logs.parseBuffer', 'an unknown onError',
  () => L.parseBuffer(Buffer.from(LINE), 'preset', 'combined', { onError: 'x' }), INVALID)
add('__logs.parseFile', 'a missing file', () => L.parseFile(FILES.missing, 'preset', 'combined', {}), throws('FERRULE_IO'))
add('__logs.parseFileAsync', 'a missing file', () => L.parseFileAsync(FILES.missing, 'preset', 'combined', {}),
  rejects('FERRULE_IO'))
add('__logs.parseFileAsync', 'threads -1', () => L.parseFileAsync(FILES.oneLine, 'preset', 'combined', { threads: -1 }), INVALID)
add('__logs.openBatches', 'batchRows NaN', () => L.openBatches(FILES.oneLine, 'preset', 'combined', {}, NaN), INVALID)
add('__logs.openBatches', 'batchRows 0', () => L.openBatches(FILES.oneLine, 'preset', 'combined', {}, 0), INVALID)
add('__logs.openBatches', 'a directory', () => L.openBatches(FILES.directory, 'preset', 'combined', {}, 10), throws('FERRULE_IO'))
add('__logs.createParser', 'a bad template', () => L.createParser('template', '<x', {}), throws('FERRULE_PARSE'))
add('__logs.parseStructuredDataBytes', 'null', () => L.parseStructuredDataBytes(null), NAPI('InvalidArg'))
add('__logs.debugPanicAsync', 'rejects with FERRULE_INTERNAL', () => L.debugPanicAsync('bad input table'),
  rejects('FERRULE_INTERNAL'))
for (const name of ['NativeTable', 'NativeParser', 'NativeBatchReader']) {
  add(`__logs.${name}`, 'constructed directly', () => new L[name](), NAPI(undefined))
}
for (const index of [17, 999, -1, 2 ** 32 - 1]) {
  add('__logs.NativeTable#numbers', `column ${index}`, () => nativeTable().numbers(index), throws('FERRULE_OUT_OF_RANGE'))
  add('__logs.NativeTable#validity', `column ${index}`, () => nativeTable().validity(index), throws('FERRULE_OUT_OF_RANGE'))
  add('__logs.NativeTable#textChunk', `column ${index}`, () => nativeTable().textChunk(index, 0), throws('FERRULE_OUT_OF_RANGE'))
  add('__logs.NativeTable#bytesChunk', `column ${index}`, () => nativeTable().bytesChunk(index, 0),
    throws('FERRULE_OUT_OF_RANGE'))
  add('__logs.NativeTable#codes', `column ${index}`, () => nativeTable().codes(index, false), throws('FERRULE_OUT_OF_RANGE'))
  add('__logs.NativeTable#dictionarySize', `column ${index}`, () => nativeTable().dictionarySize(index, true),
    throws('FERRULE_OUT_OF_RANGE'))
  add('__logs.NativeTable#booleans', `column ${index}`, () => nativeTable().booleans(index), throws('FERRULE_OUT_OF_RANGE'))
  add('__logs.NativeTable#bigIntegers', `column ${index}`, () => nativeTable().bigIntegers(index),
    throws('FERRULE_OUT_OF_RANGE'))
}
add('__logs.NativeTable#numbers', 'a string column', () => nativeTable().numbers(1), INVALID)
add('__logs.NativeTable#booleans', 'a uint64 column', () => nativeTable().booleans(0), INVALID)
add('__logs.NativeTable#bigIntegers', 'a dictionary column', () => nativeTable().bigIntegers(1), INVALID)
add('__logs.NativeTable#codes', 'a number column', () => nativeTable().codes(0, false), INVALID)
add('__logs.NativeTable#codes', 'raw a string', () => nativeTable().codes(1, 'x'), NAPI('BooleanExpected'))
add('__logs.NativeTable#dictionarySize', 'a number column', () => nativeTable().dictionarySize(0, false), INVALID)
for (const start of [-1, 1.5, NaN, 2 ** 53, 1e300]) {
  add('__logs.NativeTable#textChunk', `start ${start}`, () => nativeTable().textChunk(7, start), INVALID)
  add('__logs.NativeTable#bytesChunk', `start ${start}`, () => nativeTable().bytesChunk(7, start), INVALID)
}
add('__logs.NativeTable#textChunk', 'a start past the end', () => nativeTable().textChunk(7, 2 ** 53 - 1),
  returns(([text, ends]) => assert.deepEqual([text, ends.length], ['', 0])))
add('__logs.NativeTable#bytesChunk', 'a number column', () => nativeTable().bytesChunk(0, 0), INVALID)
add('__logs.NativeTable#numRows', 'one row', () => nativeTable().numRows, returns(same(1)))
add('__logs.NativeTable#columnNames', '17 names', () => nativeTable().columnNames().length, returns(same(17)))
add('__logs.NativeTable#columnTypes', 'status', () => nativeTable().columnTypes()[11], returns(same('uint16')))
add('__logs.NativeTable#errors', 'none', () => nativeTable().errors(), returns((e) => assert.deepEqual(e, [])))
add('__logs.NativeTable#stats', 'one line', () => nativeTable().stats().lines, returns(same(1)))
add('__logs.NativeTable#memoryUsage', 'a number', () => nativeTable().memoryUsage, returns((n) => assert.ok(n > 0)))
add('__logs.NativeTable#numbers', 'called on a plain object', () => L.NativeTable.prototype.numbers.call({}, 0),
  NAPI(undefined, TypeError))
const nativeParser = () => L.createParser('preset', 'combined', {})
add('__logs.NativeParser#push', 'null', () => nativeParser().push(null), NAPI('InvalidArg'))
add('__logs.NativeParser#push', 'after finish', () => {
  const p = nativeParser()
  p.finish()
  p.push(Buffer.from(LINE))
}, INVALID)
add('__logs.NativeParser#takeBatch', 'twice', () => {
  const p = nativeParser()
  p.push(Buffer.from(LINE))
  return [p.takeBatch().numRows, p.takeBatch().numRows]
}, returns((r) => assert.deepEqual(r, [1, 0])))
add('__logs.NativeParser#finish', 'twice', () => {
  const p = nativeParser()
  p.finish()
  p.finish()
}, INVALID)
add('__logs.NativeParser#rowsBuffered', 'zero', () => nativeParser().rowsBuffered, returns(same(0)))
add('__logs.NativeParser#pendingBytes', 'zero', () => nativeParser().pendingBytes, returns(same(0)))
add('__logs.NativeParser#finished', 'false', () => nativeParser().finished, returns(same(false)))
add('__logs.NativeBatchReader#next', 'after close', () => {
  const reader = L.openBatches(SAMPLE, 'preset', 'combined', {}, 100)
  reader.close()
  return reader.next()
}, returns(same(null)))
add('__logs.NativeBatchReader#close', 'twice, then next', () => {
  const reader = L.openBatches(FILES.oneLine, 'preset', 'combined', {}, 100)
  reader.close()
  reader.close()
  return reader.next()
}, returns(same(null)))
add('__logs.NativeBatchReader#next', 'after a corrupt batch: null', () => {
  const reader = L.openBatches(FILES.truncatedGz, 'preset', 'combined', {}, 100000)
  assert.throws(() => {
    while (reader.next() !== null);
  }, { code: 'FERRULE_CORRUPT' })
  return reader.next()
}, returns(same(null)))

// ---------------------------------------------------------------------------------- running the table

function checkError(err, expect, label, internal) {
  assert.ok(err instanceof Error, `${label}: threw ${String(err)}, not an Error`)
  assert.equal(Object.getPrototypeOf(err), expect.Type.prototype,
    `${label}: a ${err.constructor.name} (${err.code}: ${err.message}), expected a ${expect.Type.name}`)
  assert.equal(err.code, expect.code, `${label}: code ${err.code} (${err.message}), expected ${expect.code}`)
  assert.ok(err.message.length > 0, `${label}: an empty message`)
  if (typeof expect.code === 'string' && expect.code.startsWith('FERRULE_')) {
    assert.ok(isFerruleError(err), label)
    // ferrule.js adds these to the errors of everything it wraps (not the internal namespaces).
    if (!internal) for (const key of ['line', 'offset', 'reason']) assert.ok(key in err, `${label}: no ${key}`)
  }
}

async function runCase({ api, what, call, expect }) {
  const label = `${api}: ${what}`
  let result
  try {
    result = call()
  } catch (err) {
    if (expect.kind !== 'throws') assert.fail(`${label}: threw ${err?.code} ${err?.message}, expected ${expect.kind}`)
    checkError(err, expect, label, /^__(vector|logs)\./.test(api))
    return
  }
  if (expect.kind === 'throws') {
    assert.fail(`${label}: returned ${result instanceof Promise ? 'a promise' : String(result)}, expected a ${expect.code} throw`)
  }
  const isPromise = result instanceof Promise
  if (expect.kind === 'returns') {
    assert.ok(!isPromise, `${label}: returned a promise`)
    await expect.check(result)
    return
  }
  assert.ok(isPromise, `${label}: returned ${String(result)}, not a promise`)
  let settled
  try {
    settled = await result
  } catch (err) {
    if (expect.kind !== 'rejects') assert.fail(`${label}: rejected with ${err?.code} ${err?.message}`)
    checkError(err, expect, label, /^__(vector|logs)\./.test(api))
    return
  }
  if (expect.kind === 'rejects') assert.fail(`${label}: resolved, expected a ${expect.code} rejection`)
  await expect.check(settled)
}

// A child process runs `source` and reports what happened and its peak RSS.
function runChild({ api, what, source, child }) {
  const script = `
    const ferrule = require(${JSON.stringify(FERRULE)})
    const { vector, logs, StringPool } = ferrule
    const F32 = Float32Array
    const F64 = Float64Array
    const report = (outcome, err) => console.log(JSON.stringify({
      outcome, code: err?.code, type: err?.constructor?.name, message: err?.message,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }))
    let result
    try {
      result = (${source})
    } catch (err) {
      report('threw', err)
      process.exit(0)
    }
    if (result instanceof Promise) result.then(() => report('resolved'), (err) => report('rejected', err))
    else report('returned')`
  const ids = child.uid === undefined ? {} : { uid: child.uid, gid: child.uid }
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000, ...ids })
  const label = `${api}: ${what}`
  const stderr = out.stderr.split('\n').filter((line) => !/^(stack backtrace:|note: )/.test(line)).join('\n').slice(0, 2000)
  assert.equal(out.signal, null, `${label}: the process was killed by ${out.signal}: ${stderr}`)
  assert.equal(out.status, 0, `${label}: the process exited with ${out.status}: ${stderr}`)
  const report = JSON.parse(out.stdout.trim().split('\n').at(-1))
  assert.ok(child.anyOf.includes(report.outcome), `${label}: ${report.outcome} (${report.code}: ${report.message})`)
  assert.equal(report.code, child.code, `${label}: ${report.code}: ${report.message}`)
  assert.ok(report.maxRssMb < child.maxRssMb, `${label}: peak RSS ${report.maxRssMb.toFixed(0)} MB`)
}

for (const c of cases) {
  test(`${c.api}: ${c.what}`, { skip: c.skip || false, timeout: 60_000 }, () => (c.child ? runChild(c) : runCase(c)))
}

// ---------------------------------------------------------------------------------- FERRULE_MAX_ISA

// A child process with FERRULE_MAX_ISA set to `value` (raw bytes, through the shell, so that it
// may be something no JS string can hold): its capabilities, vector results (on the native
// kernels) in the main thread and in a worker, and its stderr.
function isaChild(value) {
  const script = `
    const { Worker } = require('node:worker_threads')
    const { capabilities, vector } = require(${JSON.stringify(FERRULE)})
    const a = new Float32Array(4096).map((_, i) => Math.sin(i))
    const b = new Float32Array(4096).map((_, i) => Math.cos(i))
    const results = () => [vector.dot(a, b), vector.sqeuclidean(a, b), Array.from(vector.cdist(a, b, 64).subarray(0, 50)),
      Array.from(vector.topk(a, b, 64, 3).indices)]
    const main = [capabilities().isa, results(), capabilities().isa]
    const worker = new Worker(\`
      const { parentPort } = require('node:worker_threads')
      const { capabilities, vector } = require(${JSON.stringify(FERRULE)})
      parentPort.postMessage([capabilities().isa, vector.norm(new Float64Array(1000).fill(2))])\`, { eval: true })
    worker.once('message', (fromWorker) => console.log(JSON.stringify({ main, fromWorker })))`
  const env = { ...process.env }
  delete env.FERRULE_MAX_ISA
  const command = value === undefined ? 'exec "$0" -e "$1"' : 'FERRULE_MAX_ISA="$(printf "$2")" exec "$0" -e "$1"'
  const out = spawnSync('/bin/sh', ['-c', command, process.execPath, script, value ?? ''],
    { env, encoding: 'utf8', timeout: 30_000 })
  assert.equal(out.status, 0, `FERRULE_MAX_ISA=${value}: exit ${out.status} ${out.signal ?? ''}\n${out.stderr}`)
  return { ...JSON.parse(out.stdout), stderr: out.stderr }
}

const OTHER_ARCH = process.arch === 'arm64' ? 'avx2' : 'neon'
test('FERRULE_MAX_ISA garbage: the default level, the same results, one warning per process', { timeout: 60_000 }, () => {
  const reference = isaChild(undefined)
  assert.equal(reference.stderr, '')
  assert.equal(reference.main[0], reference.fromWorker[0])
  // printf formats: \\377\\376 are the bytes 0xFF 0xFE (not UTF-8).
  for (const value of ['bogus', OTHER_ARCH, 'AVX9000', '\\377\\376', 'avx2\\377', 'x'.repeat(5000), 'scalar,avx2']) {
    const child = isaChild(value)
    const label = `FERRULE_MAX_ISA=${value.slice(0, 40)}`
    assert.equal(child.main[0], reference.main[0], label)
    assert.equal(child.main[2], reference.main[0], label)
    assert.deepEqual(child.main[1], reference.main[1], `${label}: results differ from the default level's`)
    assert.deepEqual(child.fromWorker, reference.fromWorker, `${label}: in a worker`)
    const lines = child.stderr.split('\n').filter((line) => line !== '')
    const warnings = lines.filter((line) => line.startsWith('ferrule: warning: FERRULE_MAX_ISA'))
    assert.equal(warnings.length, 1, `${label}: stderr ${JSON.stringify(child.stderr.slice(0, 500))}`)
    assert.equal(lines.filter((line) => line.startsWith('ferrule')).length, 1, label)
  }
})

test('FERRULE_MAX_ISA=scalar (a valid level) caps the level without a warning', { timeout: 30_000 }, () => {
  const child = isaChild('scalar')
  assert.equal(child.main[0], 'scalar')
  assert.equal(child.fromWorker[0], 'scalar')
  assert.equal(child.stderr, '')
})

// ---------------------------------------------------------------------------------- completeness

const CLASS_NAME = /^[A-Z]/
function memberName(key) {
  return typeof key === 'symbol' ? `[${key.description}]` : key
}
// Every function of the exports, `vector`, `logs`, `logs.format`, `__vector` and `__logs`; every
// class, its static functions and its prototype's methods and accessors.
function walkExports() {
  const names = []
  const walk = (object, prefix) => {
    for (const key of Reflect.ownKeys(object)) {
      if (key === 'default' || key === '__esModule') continue
      const value = object[key]
      const name = `${prefix}${memberName(key)}`
      if (typeof value === 'function' && CLASS_NAME.test(memberName(key))) {
        names.push(name)
        for (const staticKey of Reflect.ownKeys(value)) {
          if (!['length', 'name', 'prototype'].includes(staticKey) && typeof value[staticKey] === 'function') {
            names.push(`${name}.${memberName(staticKey)}`)
          }
        }
        for (const protoKey of Reflect.ownKeys(value.prototype)) {
          if (protoKey !== 'constructor') names.push(`${name}#${memberName(protoKey)}`)
        }
      } else if (typeof value === 'function') {
        names.push(name)
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        walk(value, `${name}.`)
      }
    }
  }
  walk(ferrule, '')
  return names
}

test('every export, class and member has at least one bad-input case', () => {
  const names = walkExports()
  // The walk sees what index.d.ts declares (a walk that found nothing would pass trivially).
  const declared = readFileSync(INDEX_DTS, 'utf8')
  for (const match of declared.matchAll(/^\s*(?:export )?(?:declare )?(?:function|class) (\w+)/gm)) {
    assert.ok(names.some((name) => name === match[1] || name.endsWith(`.${match[1]}`)), `${match[1]} was not walked`)
  }
  for (const match of declared.matchAll(/^\s+(?:static |get )?(\w+)\(/gm)) {
    if (match[1] === 'constructor') continue
    assert.ok(names.some((name) => name.endsWith(`#${match[1]}`) || name.endsWith(`.${match[1]}`) ||
      name.endsWith(match[1])), `member ${match[1]} was not walked`)
  }
  assert.ok(names.length > 120, `only ${names.length} names walked`)
  const covered = new Set(cases.map((c) => c.api))
  const missing = names.filter((name) => !covered.has(name))
  assert.deepEqual(missing, [], 'exports without a bad-input case')
  const unknown = [...covered].filter((name) => !names.includes(name))
  assert.deepEqual(unknown, [], 'cases naming no export')
})
