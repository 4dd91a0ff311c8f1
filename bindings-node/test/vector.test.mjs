// The `vector` namespace: every function against a float64 reference, on both of its paths (the
// JS loop for short vectors and the native kernels), with views, special values, bad inputs,
// aliasing and misaligned memory, and the async batch calls.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import ferrule, { vector } from '../ferrule.js'

const require = createRequire(import.meta.url)
const native = require('../index.js').__vector

// The codes ferrule.js builds (src/vector.rs): the native functions, called directly, always
// run natively whatever the length (the JS path's own thresholds are not exported).
const ACCURATE = 1 << 4
const PAIR_CODES = { dot: 0, cosineDistance: 1, sqeuclidean: 2, euclidean: 3, manhattan: 4, cosineSimilarity: 5 }
const REDUCE_CODES = { norm: 0, sum: 1, mean: 2, min: 3, max: 4, argmin: 5, argmax: 6 }
const nativePair = (name, accurate = false) => native.nativeFunction(0, PAIR_CODES[name] | (accurate ? ACCURATE : 0))
const nativeReduce = (name, accurate = false) => native.nativeFunction(1, REDUCE_CODES[name] | (accurate ? ACCURATE : 0))

const EPS = { Float32Array: 2 ** -24, Float64Array: 2 ** -53 }
const TYPES = [Float32Array, Float64Array]
// Every length up to 130 (both sides of the JS/native switch), then larger ones.
const SIZES = [...Array.from({ length: 131 }, (_, n) => n), 255, 256, 257, 1000, 1536, 4099, 65536]

// A deterministic generator (mulberry32) of values in [-1, 1).
function rng(seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1
  }
}

function random(Type, n, seed) {
  const next = rng(seed)
  return Type.from({ length: n }, next)
}

// ---- float64 references (one plain accumulator: not the formulation of either path)

const ref = {
  dot: (a, b) => a.reduce((s, x, i) => s + x * b[i], 0),
  sqeuclidean: (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0),
  manhattan: (a, b) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0),
  norm: (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0)),
  sum: (x) => x.reduce((s, v) => s + v, 0),
}
ref.euclidean = (a, b) => Math.sqrt(ref.sqeuclidean(a, b))
ref.cosineSimilarity = (a, b) => {
  const aa = ref.dot(a, a)
  const bb = ref.dot(b, b)
  if (aa === 0 || bb === 0) return 0
  return ref.dot(a, b) / Math.sqrt(aa * bb)
}
ref.cosineDistance = (a, b) => {
  const d = 1 - ref.cosineSimilarity(a, b)
  return d !== d ? d : Math.min(2, Math.max(0, d))
}

// The error bound of "fast" accumulation (n terms, unit roundoff u): 2 n u sum|terms|, plus the
// final rounding to the type; for the derived metrics, the bound carried through them.
function tolerance(name, a, b, Type) {
  const u = EPS[Type.name]
  const n = Math.max(a.length, 1)
  const slack = 2 * n * u
  switch (name) {
    case 'dot': return slack * a.reduce((s, x, i) => s + Math.abs(x * b[i]), 0) + 4 * u * Math.abs(ref.dot(a, b)) + 1e-300
    case 'sqeuclidean': return slack * ref.sqeuclidean(a, b) * 2 + 1e-300
    case 'manhattan': return slack * ref.manhattan(a, b) * 2 + 1e-300
    case 'euclidean': return slack * ref.euclidean(a, b) * 2 + 1e-300
    default: return 4 * slack + 8 * u // cosine: relative to |a||b|, a quantity of order 1
  }
}

function close(got, want, tol, what) {
  if (Number.isNaN(want)) return assert.ok(Number.isNaN(got), `${what}: ${got}, want NaN`)
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} (off by ${Math.abs(got - want)}, tolerance ${tol})`)
}

const PAIRS = ['dot', 'cosineSimilarity', 'cosineDistance', 'sqeuclidean', 'euclidean', 'manhattan']

// ------------------------------------------------------------------------------ 1:1

test('1:1 distances match a float64 reference at every length, both paths, both types', () => {
  for (const Type of TYPES) {
    for (const n of SIZES) {
      const a = random(Type, n, n + 1)
      const b = random(Type, n, n + 1000)
      for (const name of PAIRS) {
        const want = ref[name](a, b)
        const tol = tolerance(name, a, b, Type)
        const what = `${name} ${Type.name} n=${n}`
        const got = vector[name](a, b)
        close(got, want, tol, what)
        close(nativePair(name)(a, b), want, tol, `${what} (native)`)
        if (Type === Float32Array) assert.equal(got, Math.fround(got), `${what}: a float32 value`)
        // The accurate path: within a few units of the last place of the reference, which for
        // float64 input carries its own rounding error (bounded as the fast path's).
        const accurate = vector[name](a, b, { precision: 'accurate' })
        const refError = Type === Float64Array ? tol / 2 : 0
        close(accurate, want, refError + 4 * EPS[Type.name] * Math.abs(want) + (name.startsWith('cosine') ? 8 * EPS[Type.name] : 1e-300), `${what} accurate`)
      }
    }
  }
})

test('accurate precision keeps what fast float32 accumulation loses', () => {
  for (const n of [30, 1001]) {
    const x = new Float32Array(n).fill(1)
    x[0] = 1e8
    x[n - 1] = -1e8
    const ones = new Float32Array(n).fill(1)
    assert.equal(vector.dot(x, ones, { precision: 'accurate' }), n - 2)
    assert.equal(vector.sum(x, { precision: 'accurate' }), n - 2)
    const f64 = Float64Array.from(x, (v, i) => (i === 0 ? 1e17 : i === n - 1 ? -1e17 : v))
    assert.equal(vector.sum(f64, { precision: 'accurate' }), n - 2)
    assert.equal(vector.dot(f64, Float64Array.from(ones), { precision: 'accurate' }), n - 2)
  }
  assert.equal(vector.norm(new Float64Array([3, 4]), { precision: 'accurate' }), 5)
})

test('the JS path and the native path agree around the switch', () => {
  for (const Type of TYPES) {
    for (let n = 1; n <= 300; n++) {
      const a = random(Type, n, 7 * n)
      const b = random(Type, n, 7 * n + 3)
      for (const name of PAIRS) {
        close(vector[name](a, b), nativePair(name)(a, b), 2 * tolerance(name, a, b, Type), `${name} ${Type.name} n=${n}`)
      }
    }
  }
})

test('float32 overflow and underflow come out the same on the JS and native paths', () => {
  // The JS path rounds every float32 sum as the native kernels do: 1e20^2 overflows to
  // Infinity, (1e-30)^2 underflows to 0 (and then the zero-vector rule applies).
  const huge = new Float32Array([1e20, 1e20, 1, 2])
  const tiny = new Float32Array([1e-30, 1e-30, 0, 0])
  const other = new Float32Array([1, 2, 3, 4])
  const cases = [
    ['norm', () => vector.norm(huge), () => nativeReduce('norm')(huge)],
    ['sum', () => vector.sum(new Float32Array([3e38, 3e38])), () => nativeReduce('sum')(new Float32Array([3e38, 3e38]))],
  ]
  for (const name of PAIRS) {
    cases.push([`${name} huge`, () => vector[name](huge, huge), () => nativePair(name)(huge, huge)])
    cases.push([`${name} tiny`, () => vector[name](tiny, tiny), () => nativePair(name)(tiny, tiny)])
    cases.push([`${name} tiny/other`, () => vector[name](tiny, other), () => nativePair(name)(tiny, other)])
  }
  for (const [what, js, native] of cases) {
    const [x, y] = [js(), native()]
    assert.ok(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= 1e-6 * Math.abs(y),
      `${what}: JS path ${x}, native ${y}`)
  }
  assert.equal(vector.norm(huge), Infinity)
  assert.equal(vector.cosineSimilarity(tiny, tiny), 0, 'aa underflows to 0: the zero-vector rule')
  // As natively: the norm overflows to Infinity and every finite element / Infinity is 0.
  assert.deepEqual(Array.from(vector.normalize(huge)), [0, 0, 0, 0])
})

test('norm matches the reference, both paths and precisions', () => {
  for (const Type of TYPES) {
    for (const n of SIZES) {
      const x = random(Type, n, n + 5)
      const want = ref.norm(x)
      const tol = 2 * Math.max(n, 1) * EPS[Type.name] * want + 1e-300
      close(vector.norm(x), want, tol, `norm ${Type.name} n=${n}`)
      close(nativeReduce('norm')(x), want, tol, `norm ${Type.name} n=${n} (native)`)
      const refError = Type === Float64Array ? tol / 2 : 0
      close(vector.norm(x, { precision: 'accurate' }), want, refError + 2 * EPS[Type.name] * want + 1e-300, `norm accurate n=${n}`)
    }
  }
})

test('views into a larger buffer at any offset give the results of a copy', () => {
  for (const Type of TYPES) {
    const buffer = new ArrayBuffer(Type.BYTES_PER_ELEMENT * 5000)
    const all = new Type(buffer)
    all.set(random(Type, 5000, 99))
    for (const n of [3, 17, 64, 65, 200, 1536]) {
      for (const offset of [0, 1, 2, 3, 5, 8, 13]) {
        const a = new Type(buffer, offset * Type.BYTES_PER_ELEMENT, n)
        const b = all.subarray(offset + 2000, offset + 2000 + n)
        const [ca, cb] = [Type.from(a), Type.from(b)]
        for (const name of PAIRS) assert.equal(vector[name](a, b), vector[name](ca, cb), `${name} offset ${offset} n=${n}`)
        assert.equal(vector.sum(a), vector.sum(ca))
        assert.equal(vector.argmax(b), vector.argmax(cb))
        assert.deepEqual(vector.add(a, b), vector.add(ca, cb))
        assert.deepEqual(vector.cdist(a, b, n), vector.cdist(ca, cb, n))
      }
    }
  }
})

test('zero vectors: cosine similarity 0, distance 1, on both paths', () => {
  for (const Type of TYPES) {
    for (const n of [1, 4, 16, 63, 64, 65, 500]) {
      const zero = new Type(n)
      const x = random(Type, n, n)
      for (const [a, b] of [[zero, x], [x, zero], [zero, zero]]) {
        assert.equal(vector.cosineSimilarity(a, b), 0)
        assert.equal(vector.cosineDistance(a, b), 1)
        assert.equal(nativePair('cosineDistance')(a, b), 1)
        assert.equal(vector.cosineDistance(a, b, { precision: 'accurate' }), 1)
      }
      assert.deepEqual(vector.normalize(zero), new Type(n), 'a zero vector stays zero')
      assert.equal(vector.norm(zero), 0)
    }
    assert.equal(vector.cosineDistance(new Type(0), new Type(0)), 1, 'empty vectors have norm 0')
    assert.equal(vector.dot(new Type(0), new Type(0)), 0)
  }
})

test('cosine distance is clamped to [0, 2]', () => {
  for (const Type of TYPES) {
    for (const n of [3, 10, 64, 65, 100, 1000]) {
      const x = random(Type, n, 3 * n)
      const minus = x.map((v) => -v)
      for (const path of [vector.cosineDistance, nativePair('cosineDistance')]) {
        const same = path(x, x)
        const opposite = path(x, minus)
        assert.ok(same >= 0 && same < 1e-6, `${same}`)
        assert.ok(opposite <= 2 && opposite > 2 - 1e-6, `${opposite}`)
      }
      const scaled = x.map((v) => v * 3)
      assert.ok(vector.cosineDistance(x, scaled) >= 0)
    }
  }
})

test('NaN in gives NaN out; infinities follow IEEE arithmetic', () => {
  for (const Type of TYPES) {
    for (const n of [1, 5, 64, 65, 300]) {
      const a = random(Type, n, n)
      const b = random(Type, n, n + 1)
      const nan = Type.from(a)
      nan[n >> 1] = NaN
      for (const name of PAIRS) {
        assert.ok(Number.isNaN(vector[name](nan, b)), `${name} n=${n}`)
        assert.ok(Number.isNaN(vector[name](b, nan, { precision: 'accurate' })), `${name} accurate n=${n}`)
      }
      const inf = Type.from(a)
      inf[0] = Infinity
      assert.equal(vector.sqeuclidean(inf, b), Infinity)
      assert.equal(vector.manhattan(b, inf), Infinity)
      assert.equal(vector.norm(inf), Infinity)
      const ones = new Type(n).fill(1)
      assert.equal(vector.dot(inf, ones), Infinity)
      assert.ok(Number.isNaN(vector.cosineSimilarity(inf, ones)), 'inf / inf')
      assert.ok(Number.isNaN(vector.norm(nan)))
    }
  }
})

test('lengths must match, with FERRULE_LENGTH_MISMATCH on both paths', () => {
  for (const Type of TYPES) {
    for (const [m, n] of [[3, 4], [64, 65], [1000, 999], [0, 1]]) {
      for (const name of PAIRS) {
        assert.throws(() => vector[name](new Type(m), new Type(n)), { code: 'FERRULE_LENGTH_MISMATCH', name: 'Error' }, name)
      }
    }
  }
})

// ------------------------------------------------------------------------------ reductions

test('sum, mean, min, max, argmin, argmax match the reference at every length', () => {
  for (const Type of TYPES) {
    for (const n of SIZES) {
      const x = random(Type, n, 11 * n)
      const magnitude = x.reduce((s, v) => s + Math.abs(v), 0)
      const u = EPS[Type.name]
      close(vector.sum(x), ref.sum(x), 2 * Math.max(n, 1) * u * magnitude, `sum n=${n}`)
      close(nativeReduce('sum')(x), ref.sum(x), 2 * Math.max(n, 1) * u * magnitude, `sum n=${n} (native)`)
      const refError = Type === Float64Array ? Math.max(n, 1) * u * magnitude : 0
      close(vector.sum(x, { precision: 'accurate' }), ref.sum(x), refError + 2 * u * Math.abs(ref.sum(x)) + 1e-300, `sum accurate n=${n}`)
      if (n === 0) {
        assert.equal(vector.sum(x), 0)
        for (const name of ['mean', 'min', 'max', 'argmin', 'argmax']) {
          assert.throws(() => vector[name](x), { code: 'FERRULE_INVALID_ARGUMENT', message: /empty/ }, name)
        }
        continue
      }
      close(vector.mean(x), ref.sum(x) / n, 1e-12 * magnitude / n, `mean n=${n}`)
      const sorted = [...x].sort((p, q) => p - q)
      assert.equal(vector.min(x), sorted[0])
      assert.equal(vector.max(x), sorted[n - 1])
      assert.equal(vector.argmin(x), x.indexOf(sorted[0]))
      assert.equal(vector.argmax(x), x.indexOf(sorted[n - 1]))
      for (const name of ['min', 'max', 'argmin', 'argmax', 'mean']) assert.equal(nativeReduce(name)(x), vector[name](x), `${name} native n=${n}`)
    }
  }
})

test('reductions follow the NaN policy: NaN for min/max, the first NaN for arg*', () => {
  for (const Type of TYPES) {
    for (const n of [1, 2, 7, 100, 128, 129, 1000]) {
      for (const at of [0, n >> 1, n - 1]) {
        const x = random(Type, n, n + at)
        x[at] = NaN
        if (at + 2 < n) x[at + 2] = NaN
        for (const [fn, label] of [[vector, ''], [{ min: nativeReduce('min'), max: nativeReduce('max'), argmin: nativeReduce('argmin'), argmax: nativeReduce('argmax') }, ' native']]) {
          assert.ok(Number.isNaN(fn.min(x)), `min${label} n=${n}`)
          assert.ok(Number.isNaN(fn.max(x)), `max${label} n=${n}`)
          assert.equal(fn.argmin(x), at, `argmin${label} n=${n} at=${at}`)
          assert.equal(fn.argmax(x), at, `argmax${label} n=${n} at=${at}`)
        }
        assert.ok(Number.isNaN(vector.sum(x)) && Number.isNaN(vector.mean(x)))
      }
    }
  }
})

test('ties go to the first extreme; infinities and signed zeros are ordinary values', () => {
  for (const Type of TYPES) {
    for (const pad of [0, 200]) {
      const x = new Type([...new Array(pad).fill(0.5), 3, -1, 7, -1, 7, -Infinity, Infinity, -0, 0])
      assert.equal(vector.argmin(x), pad + 5)
      assert.equal(vector.argmax(x), pad + 6)
      const ties = new Type([...new Array(pad).fill(0.5), 3, -1, 7, -1, 7])
      assert.equal(vector.argmin(ties), pad + 1)
      assert.equal(vector.argmax(ties), pad + 2)
      const zeros = new Type([...new Array(pad).fill(1), 0, -0])
      assert.equal(vector.argmin(zeros), pad, '-0 and 0 are equal: the first one wins')
    }
  }
})

test('mean accumulates in float64 for float32 input', () => {
  const x = new Float32Array(1 << 25).fill(1)
  assert.equal(vector.mean(x), 1)
  assert.equal(vector.mean(new Float32Array([16777216, 1, 1, 0])), 4194304.5)
})

// ------------------------------------------------------------------------------ element-wise

// The float32 formulas, rounding where float32 arithmetic rounds: the native kernels and the
// JS path must give exactly these bits.
function elementwiseReference(Type) {
  const r = Type === Float32Array ? Math.fround : (v) => v
  return {
    scale: (x, alpha) => Type.from(x, (v) => r(r(alpha) * v)),
    add: (a, b) => Type.from(a, (v, i) => r(v + b[i])),
    subtract: (a, b) => Type.from(a, (v, i) => r(v - b[i])),
    multiply: (a, b) => Type.from(a, (v, i) => r(v * b[i])),
    axpy: (alpha, x, y) => Type.from(x, (v, i) => r(r(r(alpha) * v) + y[i])),
    fma: (a, b, c) => Type.from(a, (v, i) => r(r(v * b[i]) + c[i])),
  }
}

test('element-wise operations give exactly the rounded results, new or into out', () => {
  for (const Type of TYPES) {
    const want = elementwiseReference(Type)
    for (const n of SIZES) {
      const [a, b, c] = [random(Type, n, n), random(Type, n, n + 1), random(Type, n, n + 2)]
      const alpha = 1.1 // not a float32: rounded to one first
      const cases = [
        ['scale', () => vector.scale(a, alpha), (out) => vector.scale(a, alpha, out), want.scale(a, alpha)],
        ['add', () => vector.add(a, b), (out) => vector.add(a, b, out), want.add(a, b)],
        ['subtract', () => vector.subtract(a, b), (out) => vector.subtract(a, b, out), want.subtract(a, b)],
        ['multiply', () => vector.multiply(a, b), (out) => vector.multiply(a, b, out), want.multiply(a, b)],
        ['axpy', () => vector.axpy(alpha, a, b), (out) => vector.axpy(alpha, a, b, out), want.axpy(alpha, a, b)],
        ['fma', () => vector.fma(a, b, c), (out) => vector.fma(a, b, c, out), want.fma(a, b, c)],
      ]
      for (const [name, fresh, into, expected] of cases) {
        const got = fresh()
        assert.ok(got instanceof Type, `${name} returns a ${Type.name}`)
        assert.deepEqual(got, expected, `${name} ${Type.name} n=${n}`)
        const out = new Type(n).fill(42)
        assert.equal(into(out), out, `${name} returns the out it filled`)
        assert.deepEqual(out, expected, `${name} into out n=${n}`)
      }
    }
  }
})

test('normalize divides by the norm; a zero vector stays zero', () => {
  for (const Type of TYPES) {
    for (const n of SIZES) {
      const x = random(Type, n, n + 9)
      const length = ref.norm(x)
      const got = vector.normalize(x)
      assert.ok(got instanceof Type && got.length === n)
      for (let i = 0; i < n; i++) close(got[i], x[i] / length, 4 * Math.max(n, 1) * EPS[Type.name], `normalize ${Type.name} n=${n} [${i}]`)
      if (n > 0) close(ref.norm(got), 1, 4 * n * EPS[Type.name], 'unit length')
    }
  }
})

test('out may be an input itself, or overlap one: results as if computed from copies', () => {
  for (const Type of TYPES) {
    for (const n of [5, 64, 200, 256, 257, 1000]) {
      const base = random(Type, n + 2, n)
      const b = random(Type, n, n + 1)
      const expectedAdd = vector.add(Type.from(base.subarray(0, n)), b)
      // In place.
      const inPlace = Type.from(base.subarray(0, n))
      assert.equal(vector.add(inPlace, b, inPlace), inPlace)
      assert.deepEqual(inPlace, expectedAdd, `add in place n=${n}`)
      const scaled = Type.from(b)
      vector.scale(scaled, 2, scaled)
      assert.deepEqual(scaled, vector.scale(b, 2))
      const normal = Type.from(b)
      vector.normalize(normal, normal)
      assert.deepEqual(normal, vector.normalize(b))
      // Shifted by one element either way: a forward loop would read values it already wrote.
      for (const [inputAt, outAt] of [[0, 1], [1, 0], [0, 2], [2, 0]]) {
        const buffer = Type.from(base)
        const input = buffer.subarray(inputAt, inputAt + n)
        const out = buffer.subarray(outAt, outAt + n)
        const expected = vector.add(Type.from(input), b)
        vector.add(input, b, out)
        assert.deepEqual(out, expected, `add shifted ${inputAt}->${outAt} n=${n}`)
        const again = Type.from(base)
        const x = again.subarray(inputAt, inputAt + n)
        const y = again.subarray(outAt, outAt + n)
        const expectedAxpy = vector.axpy(3, Type.from(x), Type.from(y))
        vector.axpy(3, x, y, y)
        assert.deepEqual(y, expectedAxpy, `axpy overlapping n=${n}`)
      }
    }
  }
})

test('out must have the inputs\' type and length', () => {
  for (const Type of TYPES) {
    const Other = Type === Float32Array ? Float64Array : Float32Array
    for (const n of [4, 300]) {
      const [a, b] = [random(Type, n, 1), random(Type, n, 2)]
      assert.throws(() => vector.add(a, b, new Type(n + 1)), { code: 'FERRULE_LENGTH_MISMATCH' })
      assert.throws(() => vector.scale(a, 2, new Type(n - 1)), { code: 'FERRULE_LENGTH_MISMATCH' })
      assert.throws(() => vector.add(a, b, new Other(n)), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError' })
      assert.throws(() => vector.normalize(a, new Array(n).fill(0)), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError', message: /out .*an Array/ })
      assert.throws(() => vector.fma(a, b, a, new Int32Array(n)), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError' })
      assert.throws(() => vector.add(a, b.subarray(1)), { code: 'FERRULE_LENGTH_MISMATCH' })
      assert.throws(() => vector.fma(a, b, b.subarray(1)), { code: 'FERRULE_LENGTH_MISMATCH' })
      assert.throws(() => vector.scale(a, '2'), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError', message: /alpha/ })
      assert.throws(() => vector.axpy(undefined, a, b), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError', message: /alpha/ })
    }
  }
})

// ------------------------------------------------------------------------------ misaligned memory

test('misaligned views (external memory) are copied, never read as misaligned slices', () => {
  const values = random(Float64Array, 300, 5)
  for (const double of [false, true]) {
    const Type = double ? Float64Array : Float32Array
    const view = native.debugUnalignedView(double, values)
    assert.ok(view instanceof Type)
    assert.equal(view.length, 300)
    assert.equal(native.debugIsAligned(view), false, 'the hook made a misaligned view')
    assert.equal(native.debugIsAligned(Type.from(view)), true)
    const copy = Type.from(view)
    assert.deepEqual(copy, Type.from(values))
    const other = random(Type, 300, 6)
    for (const n of [10, 300]) {
      const [v, c, o] = [view.subarray(0, n), copy.subarray(0, n), other.subarray(0, n)]
      for (const name of PAIRS) {
        assert.equal(vector[name](v, o), vector[name](c, o), `${name} n=${n}`)
        assert.equal(nativePair(name)(o, v), nativePair(name)(o, c), `${name} native n=${n}`)
      }
      for (const name of Object.keys(REDUCE_CODES)) assert.equal(nativeReduce(name)(v), nativeReduce(name)(c), name)
      assert.deepEqual(vector.axpy(2, v, o), vector.axpy(2, c, o))
      assert.deepEqual(vector.oneToMany(o.subarray(0, 10), v, { metric: 'dot' }), vector.oneToMany(o.subarray(0, 10), c, { metric: 'dot' }))
    }
    // As an output: written through a temporary, every element in place.
    const out = native.debugUnalignedView(double, new Float64Array(300))
    assert.equal(vector.multiply(copy, other, out), out)
    assert.deepEqual(Type.from(out), vector.multiply(copy, other))
    vector.scale(view, 0.5, view)
    assert.deepEqual(Type.from(view), vector.scale(copy, 0.5))
    assert.deepEqual(vector.cdist(view.subarray(0, 30), other.subarray(0, 60), 10), vector.cdist(copy.subarray(0, 30).map((v) => v * 0.5), other.subarray(0, 60), 10))
  }
})

const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get

test('a typed array whose prototype was swapped is checked natively, not trusted', () => {
  const fake = Object.setPrototypeOf(new Int8Array(1000), Float32Array.prototype)
  assert.ok(fake instanceof Float32Array)
  // What ferrule.js passes it to, claiming float32 (the JS loops, for short arrays, read any
  // object through its own indexing): the claim is checked against the buffer's bounds.
  const CLAIM_F32 = 1 << 5
  for (const fn of [native.nativeFunction(0, CLAIM_F32), native.nativeFunction(1, 1 | CLAIM_F32)]) {
    assert.throws(() => fn(fake, fake), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError', message: /an Int8Array/ })
  }
  if (process.env.FERRULE_VECTOR_JS_MAX === undefined) {
    assert.throws(() => vector.dot(fake, fake), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError', message: /an Int8Array/ })
    assert.throws(() => vector.sum(fake), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError' })
  }
  const notAnArray = Object.create(Float64Array.prototype)
  assert.throws(() => vector.dot(notAnArray, notAnArray), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError' })
  // Same size, other type: a Float64Array (or Int32Array) dressed as a Float32Array must be
  // read as what it is, never as float32 bytes (the bounds would not catch it).
  for (const n of [10, 100, 2000]) {
    const jsMax = process.env.FERRULE_VECTOR_JS_MAX === undefined ? 64 : Number(process.env.FERRULE_VECTOR_JS_MAX)
    const doubles = Object.setPrototypeOf(new Float64Array(n).fill(1.5), Float32Array.prototype)
    assert.equal(vector.dot(doubles, doubles), 2.25 * n, `Float64Array as Float32Array, n=${n}`)
    assert.equal(vector.sum(doubles), 1.5 * n)
    assert.deepEqual(Array.from(vector.scale(doubles, 2)).slice(0, 3), [3, 3, 3])
    if (n > (process.env.FERRULE_VECTOR_JS_MAX === undefined ? 32 : jsMax)) assert.ok(typedArrayTag.call(vector.scale(doubles, 2)) === 'Float64Array', 'the result has the real type')
    const ints = Object.setPrototypeOf(new Int32Array(n).fill(1), Float32Array.prototype)
    const floats = new Float32Array(n).fill(1)
    if (n > jsMax) {
      // Natively: an Int32Array is no float array (short ones run the JS loop, which reads
      // any typed array through its own indexing).
      assert.throws(() => vector.dot(ints, floats), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError' })
    }
  }
})

// ------------------------------------------------------------------------------ batches

function matrix(Type, rows, dim, seed) {
  return random(Type, rows * dim, seed)
}

function row(data, dim, i) {
  return data.subarray(i * dim, (i + 1) * dim)
}

const METRIC_REF = { dot: 'dot', cosine: 'cosineDistance', sqeuclidean: 'sqeuclidean', euclidean: 'euclidean', manhattan: 'manhattan' }

test('oneToMany: one value per row, with strides, threads and out', () => {
  for (const Type of TYPES) {
    for (const dim of [1, 3, 16, 100, 128]) {
      const rows = 300
      const query = random(Type, dim, dim)
      const data = matrix(Type, rows, dim, dim + 1)
      for (const [metric, name] of Object.entries(METRIC_REF)) {
        const got = vector.oneToMany(query, data, { metric })
        assert.ok(got instanceof Type && got.length === rows)
        for (let i = 0; i < rows; i++) {
          const r = row(data, dim, i)
          close(got[i], ref[name](query, r), tolerance(name, query, r, Type), `oneToMany ${metric} dim=${dim} row ${i}`)
        }
        assert.deepEqual(vector.oneToMany(query, data, { metric, threads: 1 }), got)
      }
      assert.deepEqual(vector.oneToMany(query, data), vector.oneToMany(query, data, { metric: 'cosine' }), 'cosine by default')
      // Rows with padding: the stride is in elements, the last row may omit its padding.
      const stride = dim + 3
      const padded = new Type(rows * stride - 3)
      for (let i = 0; i < rows; i++) padded.set(row(data, dim, i), i * stride)
      assert.deepEqual(vector.oneToMany(query, padded, { stride, metric: 'dot' }), vector.oneToMany(query, data, { metric: 'dot' }))
      assert.deepEqual(vector.oneToMany(query, new Type([...padded, 0, 0, 0]), { stride, metric: 'dot' }), vector.oneToMany(query, data, { metric: 'dot' }))
      const out = new Type(rows)
      assert.equal(vector.oneToMany(query, data, { metric: 'sqeuclidean', out }), out)
      assert.deepEqual(out, vector.oneToMany(query, data, { metric: 'sqeuclidean' }))
      assert.throws(() => vector.oneToMany(query, data, { out: new Type(rows - 1) }), { code: 'FERRULE_LENGTH_MISMATCH' })
      if (dim > 1) assert.throws(() => vector.oneToMany(query, data.subarray(1)), { code: 'FERRULE_INVALID_ARGUMENT', message: /dim/ })
      assert.throws(() => vector.oneToMany(query, padded, { stride: dim - 1 }), { code: 'FERRULE_INVALID_ARGUMENT' })
    }
    assert.deepEqual(vector.oneToMany(new Type(0), new Type(0)), new Type(0))
    assert.deepEqual(vector.oneToMany(new Type(2), new Type(0)), new Type(0), 'no rows')
  }
})

test('cdist: all pairs, row-major, every metric, with out and threads', () => {
  for (const Type of TYPES) {
    for (const [m, n, dim] of [[1, 1, 1], [7, 13, 5], [20, 33, 128], [64, 70, 3], [3, 2, 0]]) {
      const a = matrix(Type, m, dim, m)
      const b = matrix(Type, n, dim, n + 50)
      for (const [metric, name] of Object.entries(METRIC_REF)) {
        const got = vector.cdist(a, b, dim, { metric })
        const rowsA = dim === 0 ? 0 : m
        const rowsB = dim === 0 ? 0 : n
        assert.ok(got instanceof Type && got.length === rowsA * rowsB)
        for (let i = 0; i < rowsA; i++) {
          for (let j = 0; j < rowsB; j++) {
            const [x, y] = [row(a, dim, i), row(b, dim, j)]
            close(got[i * rowsB + j], ref[name](x, y), tolerance(name, x, y, Type), `cdist ${metric} (${i}, ${j})`)
          }
        }
        assert.deepEqual(vector.cdist(a, b, dim, { metric, threads: 1 }), got)
        assert.deepEqual(vector.cdist(a, b, dim, { metric, threads: 2 }), got)
        const out = new Type(rowsA * rowsB)
        assert.equal(vector.cdist(a, b, dim, { metric, out }), out)
        assert.deepEqual(out, got)
      }
    }
    const a = matrix(Type, 4, 8, 1)
    assert.deepEqual(vector.cdist(a, a, 8), vector.cdist(a, a, 8, { metric: 'sqeuclidean' }), 'sqeuclidean by default')
  }
})

test('cdist sqeuclidean is exact on near-duplicate rows (relative error <= 1e-6)', () => {
  for (const Type of TYPES) {
    const dim = 128
    const rows = 200
    const a = matrix(Type, rows, dim, 3)
    const next = rng(4)
    const b = a.map((v) => v * (1 + 1e-4 * next())) // each row a near-duplicate of a's
    for (const precision of ['fast', 'accurate']) {
      const got = vector.cdist(a, b, dim, { precision })
      let worst = 0
      for (let i = 0; i < rows; i++) {
        const want = ref.sqeuclidean(row(a, dim, i), row(b, dim, i))
        worst = Math.max(worst, Math.abs(got[i * rows + i] - want) / want)
      }
      assert.ok(worst <= 1e-6, `${Type.name} ${precision}: worst relative error ${worst}`)
    }
  }
})

// The k closest rows of `database` to `query` by sorting every distance (ties: lower row first).
function topkBySort(query, database, dim, k, metric) {
  const all = vector.oneToMany(query, database, { metric })
  const order = Array.from(all.keys()).sort((i, j) => {
    const [x, y] = metric === 'dot' ? [-all[i], -all[j]] : [all[i], all[j]]
    return x - y || i - j
  })
  return order.slice(0, k).map((i) => [i, all[i]])
}

test('topk equals sorting every distance, per query, for every metric', () => {
  for (const Type of TYPES) {
    const dim = 24
    const database = matrix(Type, 3000, dim, 8)
    const queries = matrix(Type, 5, dim, 9)
    for (const metric of Object.keys(METRIC_REF)) {
      for (const k of [1, 10, 3000]) {
        const { indices, distances } = vector.topk(queries, database, dim, k, { metric })
        assert.ok(indices instanceof Uint32Array && distances instanceof Type)
        assert.equal(indices.length, 5 * k)
        for (let q = 0; q < 5; q++) {
          const want = topkBySort(row(queries, dim, q), database, dim, k, metric)
          assert.deepEqual(Array.from(indices.subarray(q * k, (q + 1) * k)), want.map(([i]) => i), `${metric} k=${k} query ${q}`)
          assert.deepEqual(Array.from(distances.subarray(q * k, (q + 1) * k)), want.map(([, d]) => d))
        }
      }
    }
    const one = vector.topk(row(queries, dim, 0), database, dim, 10)
    assert.deepEqual(one, vector.topk(row(queries, dim, 0), database, dim, 10, { metric: 'cosine', threads: 1 }), 'cosine by default')
    assert.deepEqual(vector.topk(queries, database, dim, 0), { indices: new Uint32Array(0), distances: new Type(0) })
    assert.throws(() => vector.topk(queries, database, dim, 3001), { code: 'FERRULE_INVALID_ARGUMENT', message: /k = 3001/ })
  }
})

test('topk ranks ties by row and NaN distances last', () => {
  const database = new Float32Array([1, 0, NaN, 0, 1, 0, 1, 0, 0.5, 0])
  const { indices, distances } = vector.topk(new Float32Array([1, 0]), database, 2, 5, { metric: 'sqeuclidean' })
  assert.deepEqual(Array.from(indices), [0, 2, 3, 4, 1])
  assert.deepEqual(Array.from(distances.subarray(0, 4)), [0, 0, 0, 0.25])
  assert.ok(Number.isNaN(distances[4]))
})

// ------------------------------------------------------------------------------ async

test('cdistAsync and topkAsync give the sync results, several at once beside sync calls', async () => {
  for (const Type of TYPES) {
    const dim = 32
    const a = matrix(Type, 150, dim, 1)
    const b = matrix(Type, 400, dim, 2)
    const pending = []
    for (const metric of Object.keys(METRIC_REF)) {
      pending.push(vector.cdistAsync(a, b, dim, { metric }).then((got) => assert.deepEqual(got, vector.cdist(a, b, dim, { metric }))))
      pending.push(vector.topkAsync(a, b, dim, 7, { metric, threads: 1 }).then((got) => assert.deepEqual(got, vector.topk(a, b, dim, 7, { metric }))))
      // Sync work on the JS thread while the tasks run.
      assert.equal(vector.dot(row(a, dim, 0), row(b, dim, 0)), vector.dot(row(a, dim, 0), row(b, dim, 0)))
      vector.cdist(a, b, dim, { metric })
    }
    const out = new Type(150 * 400)
    const filled = await vector.cdistAsync(a, b, dim, { metric: 'cosine', out })
    assert.equal(filled, out)
    assert.deepEqual(out, vector.cdist(a, b, dim, { metric: 'cosine' }))
    await Promise.all(pending)
  }
})

test('async inputs are copied at the call: changing or detaching them later is harmless', async () => {
  const dim = 16
  const a = matrix(Float32Array, 100, dim, 3)
  const b = matrix(Float32Array, 500, dim, 4)
  const want = vector.cdist(a, b, dim)
  const wantTop = vector.topk(a, b, dim, 5)
  const promise = vector.cdistAsync(a, b, dim)
  const top = vector.topkAsync(a, b, dim, 5)
  a.fill(0)
  structuredClone(b.buffer, { transfer: [b.buffer] }) // detaches b
  assert.equal(b.length, 0)
  assert.deepEqual(await promise, want)
  assert.deepEqual(await top, wantTop)
})

test('SharedArrayBuffer inputs are read in place by async tasks', async () => {
  const dim = 8
  const shared = (data) => {
    const view = new Float64Array(new SharedArrayBuffer(data.byteLength))
    view.set(data)
    return view
  }
  const a = matrix(Float64Array, 50, dim, 5)
  const b = matrix(Float64Array, 300, dim, 6)
  const [sa, sb] = [shared(a), shared(b)]
  assert.deepEqual(await vector.cdistAsync(sa, sb, dim, { metric: 'manhattan' }), vector.cdist(a, b, dim, { metric: 'manhattan' }))
  assert.deepEqual(await vector.topkAsync(sa, sb, dim, 4), vector.topk(a, b, dim, 4))
  assert.equal(vector.dot(row(sa, dim, 1), row(sb, dim, 2)), vector.dot(row(a, dim, 1), row(b, dim, 2)))
})

test('async failures reject with codes; bad arguments throw at once', async () => {
  const a = matrix(Float32Array, 10, 4, 1)
  await assert.rejects(vector.cdistAsync(a, a, 4, { threads: 5000 }), { code: 'FERRULE_INVALID_ARGUMENT', message: /threads/ })
  await assert.rejects(vector.topkAsync(a, a, 4, 2, { threads: 5000 }), (err) => ferrule.isFerruleError(err) && err.code === 'FERRULE_INVALID_ARGUMENT')
  await assert.rejects(native.debugPanicAsync('kernel exploded'), (err) => {
    assert.equal(err.code, 'FERRULE_INTERNAL')
    assert.match(err.message, /kernel exploded/)
    return true
  })
  // out detached while the task runs: nothing is written, the promise says why.
  const out = new Float32Array(100)
  const promise = vector.cdistAsync(a, a, 4, { out })
  structuredClone(out.buffer, { transfer: [out.buffer] })
  await assert.rejects(promise, { code: 'FERRULE_LENGTH_MISMATCH', message: /out changed/ })
  assert.throws(() => vector.cdistAsync(a, a, 3), { code: 'FERRULE_INVALID_ARGUMENT' })
  assert.throws(() => vector.topkAsync(a, a, 4, 11), { code: 'FERRULE_INVALID_ARGUMENT', message: /k = 11/ })
  assert.throws(() => vector.cdistAsync(a, new Float64Array(8), 4), { code: 'FERRULE_INVALID_ARGUMENT', name: 'TypeError' })
  assert.throws(() => vector.cdistAsync(a, a, 4, { out: new Float32Array(3) }), { code: 'FERRULE_LENGTH_MISMATCH' })
  assert.equal(vector.sum(a), vector.sum(Float32Array.from(a)), 'the process lives on')
})

// ------------------------------------------------------------------------------ bad inputs

test('every bad input is a FERRULE_INVALID_ARGUMENT or FERRULE_LENGTH_MISMATCH error', () => {
  const f32 = random(Float32Array, 12, 1)
  const f64 = random(Float64Array, 12, 2)
  const typeErrors = [
    // Not a float typed array, or mixed types.
    () => vector.dot(f32, Array.from(f32)),
    () => vector.dot([1, 2], [1, 2]),
    () => vector.cosineDistance(f32, new Int32Array(12)),
    () => vector.sqeuclidean(new Uint8Array(12), new Uint8Array(12)),
    () => vector.euclidean(f32, f64),
    () => vector.manhattan(f64, f32),
    () => vector.dot(f32, null),
    () => vector.dot(undefined, f32),
    () => vector.norm('abc'),
    () => vector.sum(new DataView(new ArrayBuffer(8))),
    () => vector.min({ length: 3 }),
    () => vector.add(f32, f64),
    () => vector.fma(f32, f32, f64),
    () => vector.oneToMany(f32.subarray(0, 3), f64),
    () => vector.cdist(f32, f64, 3),
    () => vector.topk(f32, Array.from(f32), 3, 1),
    () => vector.cdist(f32, f32, '3'),
    () => vector.topk(f32, f32, 3, '1'),
    () => vector.cdist(f32, f32, 3, { threads: 'all' }),
    () => vector.oneToMany(f32.subarray(0, 3), f32, { stride: '3' }),
    // Options of the wrong type or with an unknown key.
    () => vector.dot(f32, f32, 'accurate'),
    () => vector.dot(f32, f32, { precision: 1 }),
    () => vector.cdist(f32, f32, 3, { metric: 2 }),
    () => vector.cdist(f32, f32, 3, { metirc: 'dot' }),
    () => vector.sum(f32, { metric: 'dot' }),
    () => vector.min(f32, { precision: 'fast' }),
  ]
  for (const fn of typeErrors) {
    assert.throws(fn, (err) => {
      assert.ok(err instanceof TypeError, `${fn}: ${err}`)
      assert.equal(err.code, 'FERRULE_INVALID_ARGUMENT', `${fn}`)
      assert.ok(ferrule.isFerruleError(err))
      assert.equal(err.line, null)
      return true
    })
  }
  const invalid = [
    () => vector.dot(f32, f32, { precision: 'exact' }),
    () => vector.cdist(f32, f32, 3, { metric: 'cosine_similarity' }),
    () => vector.oneToMany(f32.subarray(0, 3), f32, { metric: 'L2' }),
    () => vector.cdist(f32, f32, 0), // 0 with data
    () => vector.cdist(f32, f32, 5), // does not divide
    () => vector.cdist(f32, f32, -3),
    () => vector.cdist(f32, f32, 1.5),
    () => vector.cdist(f32, f32, NaN),
    () => vector.cdist(f32, f32, Infinity),
    () => vector.cdist(f32, f32, 3, { threads: -1 }),
    () => vector.cdist(f32, f32, 3, { threads: 1.5 }),
    () => vector.topk(f32, f32, 3, 5), // k > rows
    () => vector.topk(f32, f32, 3, -1),
    () => vector.topk(f32, f32, 3, 0.5),
    () => vector.topk(f32, f32, 7, 1),
    () => vector.oneToMany(f32.subarray(0, 3), f32, { stride: -3 }),
    () => vector.oneToMany(f32.subarray(0, 3), f32, { stride: 2.5 }),
    () => vector.oneToMany(f32.subarray(0, 3), f32, { stride: 0 }),
    () => vector.oneToMany(f32.subarray(0, 5), f32),
    () => vector.mean(new Float64Array(0)),
    () => vector.argmax(new Float32Array(0)),
  ]
  for (const fn of invalid) {
    assert.throws(fn, (err) => {
      assert.equal(err.code, 'FERRULE_INVALID_ARGUMENT', `${fn}: ${err.message}`)
      assert.ok(!(err instanceof TypeError), `${fn}: a value error, not a type error`)
      return true
    })
  }
  const mismatched = [
    () => vector.dot(f32, f32.subarray(1)),
    () => vector.cosineSimilarity(f64.subarray(2), f64),
    () => vector.add(f32, f32.subarray(1)),
    () => vector.cdist(f32, f32, 3, { out: new Float32Array(15) }),
    () => vector.oneToMany(f32.subarray(0, 3), f32, { out: new Float32Array(5) }),
    () => vector.oneToMany(f32.subarray(0, 3), f32.subarray(0, 10), { stride: 4 }), // the last row is cut
  ]
  for (const fn of mismatched) assert.throws(fn, { code: 'FERRULE_LENGTH_MISMATCH' }, `${fn}`)
})

// This whole file again with every call native, then with every call it can take in JS.
for (const jsMax of ['0', String(1 << 30)]) {
  test(`every test also passes with FERRULE_VECTOR_JS_MAX=${jsMax}`, { skip: process.env.FERRULE_VECTOR_JS_MAX !== undefined }, () => {
    const env = { ...process.env, FERRULE_VECTOR_JS_MAX: jsMax }
    delete env.NODE_TEST_CONTEXT // else the child reports to this runner instead of running
    const run = spawnSync(process.execPath, ['--test', '--test-reporter=dot', fileURLToPath(import.meta.url)], { env, encoding: 'utf8' })
    assert.equal(run.status, 0, run.stdout + run.stderr)
  })
}

test('a bad FERRULE_VECTOR_JS_MAX is ignored with one warning, never a failed require', () => {
  for (const value of ['abc', '-1', '1.5', '', '1e3']) {
    const env = { ...process.env, FERRULE_VECTOR_JS_MAX: value }
    const script = "const { vector } = require('ferrule'); process.stdout.write(String(vector.dot(new Float32Array([1, 2]), new Float32Array([3, 4]))))"
    const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) })
    assert.equal(run.status, 0, `${value}: ${run.stderr}`)
    assert.equal(run.stdout, '11')
    const warnings = run.stderr.split('\n').filter((line) => line.startsWith('ferrule: warning: FERRULE_VECTOR_JS_MAX'))
    assert.equal(warnings.length, 1, `${value}: ${run.stderr}`)
  }
})

test('the namespace: CommonJS and ESM give one object, frozen, with every function', () => {
  assert.equal(require('../../').vector, vector)
  assert.equal(ferrule.vector, vector)
  assert.ok(Object.isFrozen(vector))
  const names = ['dot', 'cosineSimilarity', 'cosineDistance', 'sqeuclidean', 'euclidean', 'manhattan', 'norm', 'sum',
    'mean', 'min', 'max', 'argmin', 'argmax', 'scale', 'add', 'subtract', 'multiply', 'axpy', 'fma', 'normalize',
    'oneToMany', 'cdist', 'topk', 'cdistAsync', 'topkAsync']
  assert.deepEqual(Object.keys(vector).sort(), [...names].sort())
  for (const name of names) assert.equal(typeof vector[name], 'function')
  assert.equal(vector.dot.name, 'dot')
})
