// StringPool: every method against a Map model, unicode through every path, bad inputs of every
// kind, serialization, the async variant, and the class wrapping of the entry point.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import ferrule, { StringPool } from '../ferrule.js'

const require = createRequire(import.meta.url)
const native = require('../index.js')

// Ids a Map gives in first-seen order: what the pool must give.
function modelIds(values, seen = new Map()) {
  return Uint32Array.from(values, (value) => {
    if (!seen.has(value)) seen.set(value, seen.size)
    return seen.get(value)
  })
}

// A deterministic mix of repeated ASCII, non-ASCII, emoji and empty values.
function mixedValues(n, seed = 7) {
  const pieces = ['a', 'é', '日本', '😀', ' ', 'x'.repeat(40), '', 'ß\u0301', '\u0000']
  let state = seed
  const random = (k) => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state % k
  }
  return Array.from({ length: n }, () => {
    let value = ''
    for (let parts = random(4); parts > 0; parts--) value += pieces[random(pieces.length)]
    return value + String(random(50))
  })
}

function throwsCode(fn, code, { type = Error, message } = {}) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof type, `${err.constructor.name} is not a ${type.name}: ${err.message}`)
    assert.equal(err.code, code, err.message)
    assert.ok(ferrule.isFerruleError(err))
    if (message) assert.match(err.message, message)
    return true
  })
}

const INVALID = 'FERRULE_INVALID_ARGUMENT'

test('a new pool is empty', () => {
  const pool = new StringPool()
  assert.equal(pool.size, 0)
  assert.deepEqual([...pool], [])
  assert.equal(pool.get('a'), null)
  assert.equal(pool.has('a'), false)
  assert.ok(pool.memoryUsage > 0)
})

test('intern gives dense ids in first-seen order; get and has never insert', () => {
  const pool = new StringPool()
  assert.equal(pool.intern('b'), 0)
  assert.equal(pool.intern('a'), 1)
  assert.equal(pool.intern('b'), 0)
  assert.equal(pool.intern(''), 2)
  assert.equal(pool.size, 3)
  assert.equal(pool.get('a'), 1)
  assert.equal(pool.get(''), 2)
  assert.equal(pool.get('c'), null)
  assert.equal(pool.has('b'), true)
  assert.equal(pool.has('c'), false)
  assert.equal(pool.size, 3, 'get and has inserted nothing')
  assert.deepEqual([0, 1, 2].map((id) => pool.resolve(id)), ['b', 'a', ''])
  assert.deepEqual(pool.resolveBytes(1), Buffer.from('a'))
  assert.deepEqual([...pool.values()], ['b', 'a', ''])
})

test('memoryUsage grows with the values held', () => {
  const pool = new StringPool()
  const before = pool.memoryUsage
  pool.internMany(Array.from({ length: 10_000 }, (_, i) => `value number ${i}`))
  assert.ok(pool.memoryUsage > before + 10_000 * 14, `${before} -> ${pool.memoryUsage}`)
})

test('strings and bytes name the same values; any bytes can be interned', () => {
  const pool = new StringPool()
  const id = pool.intern('héllo')
  assert.equal(pool.intern(Buffer.from('héllo')), id)
  assert.equal(pool.intern(new TextEncoder().encode('héllo')), id, 'a plain Uint8Array')
  assert.equal(pool.get(Buffer.from('héllo')), id)
  assert.equal(pool.has(new Uint8Array([0x68])), false)

  const bytes = Buffer.from([0xff, 0x00, 0xc3])
  const raw = pool.intern(bytes)
  assert.deepEqual(pool.resolveBytes(raw), bytes)
  assert.equal(pool.get(bytes), raw)
  throwsCode(() => pool.resolve(raw), 'FERRULE_INVALID_UTF8')
  throwsCode(() => pool.resolveMany(Uint32Array.of(id, raw)), 'FERRULE_INVALID_UTF8')
  throwsCode(() => [...pool], 'FERRULE_INVALID_UTF8')
  assert.equal(pool.resolve(id), 'héllo', 'the pool is unharmed')
})

test('resolveBytes is a copy: changing it leaves the pool alone', () => {
  const pool = new StringPool()
  const id = pool.intern('abc')
  const out = pool.resolveBytes(id)
  out[0] = 0x7a
  assert.equal(pool.resolve(id), 'abc')
})

test('unicode round trips through intern, internMany, resolve and resolveMany', () => {
  const values = ['', 'a', 'é', 'ß\u0301', '日本語', '😀', 'a😀b', '👩‍👩‍👧', '\u0000', '\uffff', 'x'.repeat(1000) + '€']
  const pool = new StringPool()
  const ids = values.map((v) => pool.intern(v))
  assert.deepEqual(pool.internMany(values), Uint32Array.from(ids))
  assert.deepEqual(values.map((_, i) => pool.resolve(ids[i])), values)
  assert.deepEqual(pool.resolveMany(Uint32Array.from(ids)), values)
  assert.deepEqual([...pool], values)
  for (const [i, value] of values.entries()) assert.deepEqual(pool.resolveBytes(ids[i]), Buffer.from(value))
})

test('lone surrogates become U+FFFD, as Buffer.from does, on every path', () => {
  const pool = new StringPool()
  const lone = ['\ud800', '\udc00', 'a\ud83d', '\ude00b', 'x\udfffy']
  const ids = pool.internMany(lone)
  assert.deepEqual(Array.from(ids), lone.map((v) => pool.intern(v)))
  assert.deepEqual(pool.resolveMany(ids), lone.map((v) => v.toWellFormed()))
  assert.deepEqual(Uint32Array.from(lone, (v) => pool.get(Buffer.from(v.toWellFormed()))), ids)
  // Joined, a trailing lone high surrogate and a leading lone low one would make a valid pair
  // ('😀'): they must stay two values, each with its own U+FFFD.
  const pair = new StringPool().internMany(['a\ud83d', '\ude00', 'a\ud83d', '', '\ude00', '😀'])
  assert.deepEqual(Array.from(pair), [0, 1, 0, 2, 1, 3])
})

test('internMany agrees with a Map model, on small and multi-chunk batches', () => {
  for (const n of [0, 1, 5, 1000, 50_000]) {
    const values = mixedValues(n, n)
    const pool = new StringPool()
    assert.deepEqual(pool.internMany(values), modelIds(values), `n = ${n}`)
    assert.deepEqual(pool.resolveMany(modelIds(values)), values, `n = ${n}`)
  }
  // Values too long to share a chunk, non-ASCII straddling where chunks end.
  const long = ['é'.repeat(70_000), 'a', '😀'.repeat(40_000), 'a', 'é'.repeat(70_000)]
  assert.deepEqual(new StringPool().internMany(long), Uint32Array.of(0, 1, 2, 1, 0))
})

test('internMany and intern agree, and later batches continue the ids', () => {
  const pool = new StringPool()
  const seen = new Map()
  const first = mixedValues(3000, 1)
  const second = mixedValues(3000, 2)
  assert.deepEqual(pool.internMany(first), modelIds(first, seen))
  assert.deepEqual(pool.internMany(second), modelIds(second, seen))
  for (const value of [...first, ...second]) assert.equal(pool.intern(value), seen.get(value))
  assert.equal(pool.size, seen.size)
})

test('internMany names the index of a non-string element', () => {
  const pool = new StringPool()
  const bad = [
    [['a', 1], 1, /values\[1\] is a number/],
    [['a', 'b', null], 2, /values\[2\] is null/],
    [[undefined], 0, /values\[0\] is undefined/],
    [['a', {}], 1, /an object/],
    [['a', ['b']], 1, /an array/],
    [['a', Buffer.from('b')], 1, /an object/],
    [['a', new String('b')], 1, /an object/], // eslint-disable-line no-new-wrappers
    [['a', Symbol('b')], 1, /a symbol/],
    [['a', 1n], 1, /a bigint/],
    // eslint-disable-next-line no-sparse-arrays
    [['a', , 'c'], 1, /undefined/],
  ]
  for (const [values, index, message] of bad) {
    throwsCode(() => pool.internMany(values), INVALID, { type: TypeError, message: new RegExp(`values\\[${index}\\]`) })
    throwsCode(() => pool.internMany(values), INVALID, { type: TypeError, message })
  }
  assert.equal(pool.size, 0, 'nothing was interned')
  for (const notArray of ['abc', new Set(['a']), { length: 1, 0: 'a' }, undefined, Uint32Array.of(1)]) {
    throwsCode(() => pool.internMany(notArray), INVALID, { type: TypeError, message: /array of strings/ })
  }
})

test('internLines agrees with internMany on the split lines', () => {
  const cases = [
    ['a\nb\na\n', ['a', 'b', 'a']],
    ['a\nb\na', ['a', 'b', 'a']],
    ['a\r\nb\r\na\r\n', ['a', 'b', 'a']],
    ['a\r\nb\na\r', ['a', 'b', 'a\r']],  // a bare CR at the very end is data, as in Rust's str::lines
    ['\n\na\n\n', ['', '', 'a', '']],
    ['\n', ['']],
    ['', []],
    ['é\n😀\n日本\r\n\u0000\n', ['é', '😀', '日本', '\u0000']],
  ]
  for (const [text, lines] of cases) {
    const fromLines = new StringPool()
    const ids = fromLines.internLines(Buffer.from(text))
    assert.deepEqual(ids, new StringPool().internMany(lines), JSON.stringify(text))
    assert.deepEqual(fromLines.resolveMany(ids), lines, JSON.stringify(text))
  }
  const values = mixedValues(20_000, 3)
  assert.deepEqual(new StringPool().internLines(Buffer.from(values.join('\n'))), modelIds(values))
})

test('internLines takes any Uint8Array, views included, and a separator byte', () => {
  const pool = new StringPool()
  const bytes = new TextEncoder().encode('x,a,b,a,')
  assert.deepEqual(pool.internLines(bytes, 44), Uint32Array.of(0, 1, 2, 1))
  assert.deepEqual(pool.internLines(bytes.subarray(2), 44), Uint32Array.of(1, 2, 1), 'a view at an offset')
  assert.deepEqual(pool.internLines(Buffer.from('a\r,b'), 44), Uint32Array.of(3, 2), 'CR is kept for other separators')
  assert.deepEqual(pool.internLines(Buffer.from('a\0b'), 0), Uint32Array.of(1, 2))
  assert.deepEqual(pool.internLines(Buffer.from('a\nb'), 10), pool.internLines(Buffer.from('a\nb')))
  assert.deepEqual(pool.internLines(Buffer.from('a\nb'), undefined), Uint32Array.of(1, 2))
})

test('internLines rejects bad separators and non-bytes', () => {
  const pool = new StringPool()
  const buf = Buffer.from('a\nb')
  for (const separator of [-1, 256, 1.5, NaN, Infinity, -Infinity, 2 ** 32 + 10]) {
    throwsCode(() => pool.internLines(buf, separator), INVALID, { message: /separator/ })
    throwsCode(() => pool.internLinesAsync(buf, separator), INVALID, { message: /separator/ })
  }
  for (const separator of ['\n', '10', 10n, {}]) {
    throwsCode(() => pool.internLines(buf, separator), INVALID, { type: TypeError })
  }
  for (const notBytes of ['a\nb', ['a', 'b'], new Uint16Array(2), new ArrayBuffer(2), null, 5]) {
    throwsCode(() => pool.internLines(notBytes), INVALID, { type: TypeError })
    throwsCode(() => pool.internLinesAsync(notBytes), INVALID, { type: TypeError })
  }
  assert.equal(pool.size, 0)
})

test('internLinesAsync gives the ids internLines gives', async () => {
  const values = mixedValues(40_000, 4)
  const text = Buffer.from(values.join('\r\n') + '\r\n')
  const sync = new StringPool().internLines(text)
  const pool = new StringPool()
  const ids = await pool.internLinesAsync(text)
  assert.ok(ids instanceof Uint32Array)
  assert.deepEqual(ids, sync)
  assert.deepEqual(ids, modelIds(values))
  assert.deepEqual(await new StringPool().internLinesAsync(new TextEncoder().encode('a;b;a'), 59), Uint32Array.of(0, 1, 0))
  assert.deepEqual(await pool.internLinesAsync(Buffer.alloc(0)), new Uint32Array(0))
})

test('internLinesAsync works on a copy: the input may change meanwhile', async () => {
  const buf = Buffer.from('a\nb\nc\n')
  const pool = new StringPool()
  const pending = pool.internLinesAsync(buf)
  buf.fill(0x7a)
  assert.deepEqual(await pending, Uint32Array.of(0, 1, 2))
  assert.deepEqual(pool.resolveMany(Uint32Array.of(0, 1, 2)), ['a', 'b', 'c'])
})

test('async and sync callers share one pool consistently', async () => {
  const pool = new StringPool()
  const batches = [1, 2, 3, 4].map((seed) => mixedValues(20_000, seed))
  const pending = batches.map((values) => pool.internLinesAsync(Buffer.from(values.join('\n'))))
  const direct = pool.internMany(mixedValues(20_000, 5))
  const results = await Promise.all(pending)
  const byValue = new Map()
  for (const [k, ids] of [...results, direct].entries()) {
    const values = k < batches.length ? batches[k] : mixedValues(20_000, 5)
    ids.forEach((id, i) => {
      assert.equal(byValue.get(values[i]) ?? id, id, `one id per value (${values[i]})`)
      byValue.set(values[i], id)
    })
  }
  assert.equal(pool.size, byValue.size, 'dense ids')
  for (const [value, id] of byValue) assert.equal(pool.resolve(id), value)
})

test('ids must be non-negative integers below 2^32, never wrapped', () => {
  const pool = new StringPool()
  pool.internMany(['a', 'b'])
  for (const resolve of [(id) => pool.resolve(id), (id) => pool.resolveBytes(id)]) {
    for (const id of [-1, -0.5, 1.5, NaN, Infinity, -Infinity, -(2 ** 32) + 1]) {
      throwsCode(() => resolve(id), INVALID, { message: /non-negative integer/ })
    }
    for (const id of [2, 1000, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53]) {
      throwsCode(() => resolve(id), 'FERRULE_OUT_OF_RANGE', { message: /unknown id/ })
    }
    for (const id of ['0', 0n, null, undefined, {}, [0]]) {
      throwsCode(() => resolve(id), INVALID, { type: TypeError })
    }
    assert.equal(resolve(-0).toString(), 'a', '-0 is 0')
  }
})

test('resolveMany takes a Uint32Array and checks every id', () => {
  const pool = new StringPool()
  pool.internMany(['a', 'b', 'c'])
  assert.deepEqual(pool.resolveMany(new Uint32Array(0)), [])
  assert.deepEqual(pool.resolveMany(Uint32Array.of(2, 0, 2, 1)), ['c', 'a', 'c', 'b'])
  assert.deepEqual(pool.resolveMany(Uint32Array.of(9, 2, 1).subarray(1)), ['c', 'b'], 'a view at an offset')
  throwsCode(() => pool.resolveMany(Uint32Array.of(0, 3)), 'FERRULE_OUT_OF_RANGE', { message: /unknown id 3/ })
  throwsCode(() => pool.resolveMany(Uint32Array.of(0xffffffff)), 'FERRULE_OUT_OF_RANGE')
  for (const notIds of [[0, 1], Int32Array.of(0), Float64Array.of(0), new Uint8Array(1), Buffer.alloc(4), 'ab', null]) {
    throwsCode(() => pool.resolveMany(notIds), INVALID, { type: TypeError, message: /Uint32Array/ })
  }
})

test('resolveMany over several chunks agrees with resolve', () => {
  const pool = new StringPool()
  const distinct = Array.from({ length: 3000 }, (_, i) => `${'é😀x'.repeat(i % 97)}-${i}`)
  pool.internMany(distinct)
  const ids = Uint32Array.from({ length: 50_000 }, (_, i) => (i * 7919) % distinct.length)
  const values = pool.resolveMany(ids)
  assert.equal(values.length, ids.length)
  for (let i = 0; i < ids.length; i += 97) assert.equal(values[i], pool.resolve(ids[i]))
  assert.ok(values.every((v, i) => v === distinct[ids[i]]))
})

test('resolveMany decodes each distinct id once, for few or many ids', () => {
  const pool = new StringPool()
  const distinct = Array.from({ length: 1000 }, (_, i) => `v${i}-${'ü'.repeat(i % 5)}`)
  pool.internMany(distinct)
  // Few ids for the pool's size (a Map dedupes them), repeats included.
  assert.deepEqual(pool.resolveMany(Uint32Array.of(999, 5, 999, 0)), [distinct[999], distinct[5], distinct[999], distinct[0]])
  throwsCode(() => pool.resolveMany(Uint32Array.of(5, 1000)), 'FERRULE_OUT_OF_RANGE', { message: /unknown id 1000/ })
  // Many ids (a dense table), every one a repeat of a few.
  const many = Uint32Array.from({ length: 10_000 }, (_, i) => (i * 31) % 7)
  const values = pool.resolveMany(many)
  assert.ok(values.every((v, i) => v === distinct[many[i]]))
  throwsCode(() => pool.resolveMany(Uint32Array.from({ length: 4000 }, (_, i) => (i === 3999 ? 5000 : i % 1000))),
    'FERRULE_OUT_OF_RANGE', { message: /unknown id 5000/ })
})

test('iteration gives every value in id order', () => {
  const values = Array.from({ length: 2500 }, (_, i) => `v${i}`)
  const pool = new StringPool()
  pool.internMany(values)
  assert.deepEqual([...pool], values)
  assert.deepEqual(Array.from(pool.values()), values)
  const seen = []
  for (const value of pool) seen.push(value)
  assert.deepEqual(seen, values)
})

test('toBuffer / fromBuffer keeps every id', () => {
  const values = [...mixedValues(5000, 6), 'é😀', '']
  const pool = new StringPool()
  const ids = pool.internMany(values)
  const raw = pool.intern(Buffer.from([0xff, 0xfe]))
  const data = pool.toBuffer()
  assert.ok(Buffer.isBuffer(data))
  for (const copy of [StringPool.fromBuffer(data), StringPool.fromBuffer(new Uint8Array(data))]) {
    assert.ok(copy instanceof StringPool)
    assert.equal(copy.size, pool.size)
    assert.deepEqual(copy.internMany(values), ids)
    assert.deepEqual(copy.resolveBytes(raw), Buffer.from([0xff, 0xfe]))
    assert.equal(copy.size, pool.size, 'nothing new')
    assert.deepEqual(copy.toBuffer(), data)
  }
  const empty = StringPool.fromBuffer(new StringPool().toBuffer())
  assert.equal(empty.size, 0)
  assert.equal(empty.intern('a'), 0)
})

test('a truncated or damaged buffer is FERRULE_CORRUPT, never a crash', () => {
  const pool = new StringPool()
  pool.internMany(['alpha', 'beta', 'gamma', 'é😀'])
  const data = pool.toBuffer()
  for (let length = 0; length < data.length; length++) {
    throwsCode(() => StringPool.fromBuffer(data.subarray(0, length)), 'FERRULE_CORRUPT')
  }
  for (let bit = 0; bit < data.length * 8; bit++) {
    const flipped = Buffer.from(data)
    flipped[bit >> 3] ^= 1 << (bit & 7)
    throwsCode(() => StringPool.fromBuffer(flipped), 'FERRULE_CORRUPT')
  }
  throwsCode(() => StringPool.fromBuffer(Buffer.from('not a pool at all')), 'FERRULE_CORRUPT')
  for (const notBytes of ['data', [1, 2], new Uint32Array(4), undefined]) {
    throwsCode(() => StringPool.fromBuffer(notBytes), INVALID, { type: TypeError })
  }
})

test('wrong argument types are TypeErrors with code FERRULE_INVALID_ARGUMENT', () => {
  const pool = new StringPool()
  for (const value of [1, null, undefined, {}, ['a'], true, new Uint16Array(1)]) {
    throwsCode(() => pool.intern(value), INVALID, { type: TypeError })
    throwsCode(() => pool.get(value), INVALID, { type: TypeError })
    throwsCode(() => pool.has(value), INVALID, { type: TypeError })
  }
  assert.equal(pool.size, 0)
})

test('the entry point wraps the class: constructor, statics, methods, getters', () => {
  assert.notEqual(StringPool, native.StringPool)
  assert.equal(StringPool.name, 'StringPool')
  const pool = new StringPool()
  assert.ok(pool instanceof StringPool)
  assert.ok(pool instanceof native.StringPool)
  assert.equal(pool.constructor, StringPool)
  assert.ok(StringPool.fromBuffer(pool.toBuffer()) instanceof StringPool, 'factory instances too')
  throwsCode(() => StringPool(), INVALID, { type: TypeError, message: /new/ })

  // A receiver that is not a pool: napi's own error, remapped, from every native member.
  const proto = StringPool.prototype
  const methods = Object.getOwnPropertyNames(native.StringPool.prototype)
    .filter((name) => typeof Object.getOwnPropertyDescriptor(proto, name).value === 'function' && name !== 'constructor')
  for (const name of ['intern', 'internLines', 'internLinesAsync', 'get', 'has', 'resolve', 'resolveBytes', 'toBuffer']) {
    assert.ok(methods.includes(name), name)
  }
  for (const name of methods) {
    if (['internMany', 'resolveMany', 'values'].includes(name)) continue
    throwsCode(() => proto[name].call({}, 'a', 0), INVALID, { type: TypeError })
  }
  for (const name of ['size', 'memoryUsage']) {
    const getter = Object.getOwnPropertyDescriptor(proto, name).get
    throwsCode(() => getter.call({}), INVALID, { type: TypeError })
  }

  class CountingPool extends StringPool {
    internTwice(value) {
      return [this.intern(value), this.intern(value)]
    }
  }
  const sub = new CountingPool()
  assert.ok(sub instanceof CountingPool && sub instanceof StringPool)
  assert.deepEqual(sub.internTwice('x'), [0, 0])
  throwsCode(() => sub.resolve(5), 'FERRULE_OUT_OF_RANGE')
})
