'use strict'
// The package entry point: the generated napi loader (index.js) with every exported function and
// class wrapped, so that every error reaches users in one shape:
// - errors raised by ferrule's Rust code carry their core `code` already
//   (bindings-node/src/errors.rs); here they gain `line`, `offset` and `reason`, like Python's
//   (sent as data beside the message, never read back from it);
// - the errors napi raises itself while converting arguments (a number where a string was
//   expected, ...) become a TypeError with code 'FERRULE_INVALID_ARGUMENT' (napi's own error
//   kept as `cause`);
// - a promise from a `...Async` function rejects with errors remapped the same way.
// It also holds the JS half of the batch calls that cross the boundary once (StringPool below),
// the `vector` namespace (JS loops for short vectors, the native calls for the rest), and the
// `logs` namespace (options checked here, columns read from the native table on first use).

const native = require('./index.js')
const { isUint8Array, isUint32Array } = require('node:util').types

// napi statuses meaning "this JS value cannot become that Rust argument".
const ARGUMENT_STATUSES = new Set([
  'InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected',
  'NumberExpected', 'BooleanExpected', 'ArrayExpected', 'BigintExpected', 'DateExpected',
  'ArrayBufferExpected', 'DetachableArraybufferExpected',
])
// napi statuses meaning the binding itself went wrong (a ferrule bug).
const INTERNAL_STATUSES = new Set([
  'Ok', 'GenericFailure', 'Cancelled', 'EscapeCalledTwice', 'HandleScopeMismatch',
  'CallbackScopeMismatch', 'QueueFull', 'Closing', 'WouldDeadlock', 'NoExternalBuffersAllowed',
  'Unknown',
])

// The details of an error (a finer reason, the input line and byte offset) cross from Rust as
// data, not in the message: as a `cause` whose message is this marker and a JSON object
// (src/errors.rs), which remap moves onto the error and removes.
const DETAILS = 'ferrule:details '

function takeDetails(err) {
  const cause = err.cause
  if (!(cause instanceof Error) || typeof cause.message !== 'string' || !cause.message.startsWith(DETAILS)) return null
  delete err.cause
  return JSON.parse(cause.message.slice(DETAILS.length))
}

function remap(err) {
  // V8's own TypeError for a method called on something that is not an instance of its class
  // ('Illegal invocation'): a wrong argument too, `this`.
  if (err instanceof TypeError && err.code === undefined) {
    const mapped = new TypeError(err.message, { cause: err })
    return Object.assign(mapped, { code: 'FERRULE_INVALID_ARGUMENT', line: null, offset: null, reason: null })
  }
  if (!(err instanceof Error) || typeof err.code !== 'string') return err
  if (err.code.startsWith('FERRULE_')) {
    // Like Python's .line/.offset/.reason: where in the input, and a finer reason such as a log
    // line's 'UNTERMINATED_QUOTE', when known (null otherwise). An error remapped already keeps them.
    const details = takeDetails(err)
    for (const key of ['reason', 'line', 'offset']) {
      if (details !== null) err[key] = details[key] ?? null
      else if (err[key] === undefined) err[key] = null
    }
    return err
  }
  if (ARGUMENT_STATUSES.has(err.code)) {
    const mapped = new TypeError(err.message, { cause: err })
    return Object.assign(mapped, { code: 'FERRULE_INVALID_ARGUMENT', line: null, offset: null, reason: null })
  }
  if (INTERNAL_STATUSES.has(err.code)) {
    const mapped = new Error(err.message, { cause: err })
    return Object.assign(mapped, { code: 'FERRULE_INTERNAL', line: null, offset: null, reason: null })
  }
  return err
}

function rethrowRemapped(err) {
  throw remap(err)
}

function wrapFunction(fn) {
  const wrapped = function (...args) {
    let result
    try {
      result = fn.apply(this, args)
    } catch (err) {
      throw remap(err)
    }
    return result instanceof Promise ? result.then(undefined, rethrowRemapped) : result
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  Object.defineProperty(wrapped, 'length', { value: fn.length })
  return wrapped
}

function isClass(value) {
  return typeof value === 'function' && value.prototype != null &&
    Object.getOwnPropertyNames(value.prototype).some((name) => name !== 'constructor')
}

/** Whether `err` was thrown by ferrule: an Error whose `code` is one of ferrule's codes. */
function isFerruleError(err) {
  return err instanceof Error && typeof err.code === 'string' && err.code.startsWith('FERRULE_')
}

// Wraps a napi class: its prototype's methods and getters in place, because napi's factories
// (`StringPool.fromBuffer`) create instances with the native constructor, so only the native
// prototype is shared by every instance however it was made. The constructor and the static
// methods (napi makes those read-only) go on a new constructor function sharing that prototype,
// which keeps `instanceof` (with the native class too) and subclassing.
function wrapClass(Native, extensions) {
  const proto = Native.prototype
  for (const key of Reflect.ownKeys(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, key)
    if (key === 'constructor' || !desc.configurable) continue
    if (typeof desc.value === 'function') desc.value = wrapFunction(desc.value)
    else if (desc.get || desc.set) {
      if (desc.get) desc.get = wrapFunction(desc.get)
      if (desc.set) desc.set = wrapFunction(desc.set)
    } else continue
    Object.defineProperty(proto, key, desc)
  }
  if (extensions) {
    const methods = Object.getOwnPropertyDescriptors(extensions(proto).prototype)
    delete methods.constructor
    Object.defineProperties(proto, methods)
  }
  const Wrapped = function (...args) {
    if (new.target === undefined) {
      throw invalidArgument(`class constructor ${Native.name} cannot be invoked without 'new'`)
    }
    try {
      return Reflect.construct(Native, args, new.target === Wrapped ? Native : new.target)
    } catch (err) {
      throw remap(err)
    }
  }
  Object.defineProperties(Wrapped, {
    name: { value: Native.name },
    length: { value: Native.length },
    prototype: { value: proto, writable: false },
  })
  for (const key of Reflect.ownKeys(Native)) {
    const desc = Object.getOwnPropertyDescriptor(Native, key)
    if (key === 'prototype' || typeof desc.value !== 'function') continue
    Object.defineProperty(Wrapped, key, { ...desc, value: wrapFunction(desc.value) })
  }
  proto.constructor = Wrapped
  return Wrapped
}

function invalidArgument(message) {
  return Object.assign(new TypeError(message), { code: 'FERRULE_INVALID_ARGUMENT', line: null, offset: null, reason: null })
}

function describe(value) {
  if (value === null || value === undefined) return String(value)
  const type = Array.isArray(value) ? 'array' : typeof value
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`
}

// internMany's values cross in chunks of about this many UTF-16 units: a chunk stays in cache from
// the join through V8's UTF-8 conversion to the split in Rust (measured faster than one join of
// a whole 1M-value batch), and far below V8's longest string (2^29 - 24 units).
const JOIN_CHUNK_UNITS = 1 << 16
// The ids one values() step resolves at a time.
const ITERATE_CHUNK = 1024

// StringPool's methods written in JS, over its (already wrapped) native methods. A napi call, or
// a napi value read one element at a time, costs more than interning or resolving a string, so
// the batch calls cross the boundary with joined strings:
// - internMany joins the values and passes their JS lengths; Rust cuts the UTF-8 it receives at
//   those lengths (src/pool.rs, utf16_split);
// - resolveMany gets the values joined plus each one's end in UTF-16 units, and slices them
//   apart here (slices of one string are cheap; they keep that string alive while any of them
//   lives, so Rust makes it at most about 1 MB).
function stringPoolExtensions(native) {
  const internJoined = native.__internJoined
  const resolveJoined = native.__resolveJoined
  return class {
    /** Ids of `values` (an array of strings), in order. */
    internMany(values) {
      if (!Array.isArray(values)) throw invalidArgument(`internMany takes an array of strings, got ${describe(values)}`)
      const n = values.length
      const lengths = new Uint32Array(n)
      let joinable = values
      for (let i = 0; i < n; i++) {
        const value = values[i]
        if (typeof value !== 'string') throw invalidArgument(`values[${i}] is ${describe(value)}, not a string`)
        lengths[i] = value.length
        // V8's UTF-8 turns each lone surrogate into U+FFFD, but a value ending in a lone high
        // surrogate would pair with a lone low surrogate starting the next one once joined: such
        // a value is made well-formed first (each lone surrogate becomes U+FFFD, as alone).
        const last = value.charCodeAt(value.length - 1)
        if (last >= 0xd800 && last <= 0xdbff) {
          if (joinable === values) joinable = values.slice()
          joinable[i] = value.toWellFormed()
        }
      }
      const ids = new Uint32Array(n)
      for (let start = 0, end = 0; start < n; start = end) {
        let units = 0
        do units += lengths[end++]
        while (end < n && units + lengths[end] <= JOIN_CHUNK_UNITS)
        const joined = joinable.slice(start, end).join('')
        ids.set(internJoined.call(this, joined, lengths.subarray(start, end)), start)
      }
      return ids
    }

    /** The values of `ids` (a Uint32Array), in order. */
    resolveMany(ids) {
      if (!isUint32Array(ids)) throw invalidArgument(`resolveMany takes a Uint32Array of ids, got ${describe(ids)}`)
      // Each distinct id is decoded once per call and its string shared by all its occurrences
      // (JS strings are immutable, so the sharing cannot be observed): a column of 1M ids over
      // 50k values creates 50k strings, not 1M, which is most of the cost. Nothing is kept
      // between calls. A dense table when the ids are many for the pool's size, else a Map.
      const n = ids.length
      const size = this.size
      const dense = n * 4 >= size ? new Int32Array(size).fill(-1) : null
      const sparse = new Map()
      const distinct = []
      const slots = new Int32Array(n)
      for (let i = 0; i < n; i++) {
        const id = ids[i]
        let slot
        if (dense !== null && id < size) {
          slot = dense[id]
          if (slot < 0) dense[id] = slot = distinct.push(id) - 1
        } else {
          slot = sparse.get(id)
          if (slot === undefined) sparse.set(id, slot = distinct.push(id) - 1)
        }
        slots[i] = slot
      }
      const strings = this.__resolveDistinct(Uint32Array.from(distinct))
      const values = new Array(n)
      for (let i = 0; i < n; i++) values[i] = strings[slots[i]]
      return values
    }

    /** @internal The values of `ids`, one string each, crossing once per ~1 MB of text. */
    __resolveDistinct(ids) {
      const values = new Array(ids.length)
      for (let done = 0; done < ids.length;) {
        const [text, ends] = resolveJoined.call(this, ids, done)
        let begin = 0
        for (let k = 0; k < ends.length; k++) {
          values[done + k] = text.slice(begin, ends[k])
          begin = ends[k]
        }
        done += ends.length
      }
      return values
    }

    /** Every value, in id order (values interned meanwhile included). */
    * values() {
      for (let start = 0; start < this.size; start += ITERATE_CHUNK) {
        const ids = new Uint32Array(Math.min(ITERATE_CHUNK, this.size - start))
        for (let k = 0; k < ids.length; k++) ids[k] = start + k
        yield * this.__resolveDistinct(ids)
      }
    }

    [Symbol.iterator]() {
      return this.values()
    }
  }
}

const CLASS_EXTENSIONS = { StringPool: stringPoolExtensions }

// ---------------------------------------------------------------------------------- vector
//
// The `vector` namespace: ferrule-core's vector math on Float32Array/Float64Array, over the
// loader's internal `__vector` functions (src/vector.rs).
//
// Small vectors are computed here, in JS: one N-API call costs 100-200 ns whatever it does,
// more than a JS loop over a few dozen elements. Below the thresholds in JS_MAX (measured with
// benches/node/bench_vector.mjs) the same function runs a JS loop with the same semantics (zero
// vectors, clamping, NaN and empty-input rules), in double precision. For Float32Array inputs
// the result is rounded to float32, and used only where double and float32 arithmetic agree up
// to rounding: when no partial sum can overflow float32 and no deciding sum underflows it
// (`float32Safe`); otherwise the native float32 code runs, so overflow, underflow and the
// zero-vector rule come out the same on both paths. Element-wise outputs are rounded where the
// native code rounds (scale/add/subtract/multiply/axpy/fma give the same bits). Distances,
// norms and sums may differ from the native ones in the last bits (the order of additions);
// `mean` accumulates in double on both paths; `precision: 'accurate'` always runs natively. Above the thresholds, and for anything the JS path does not recognize
// (an error to report, another realm's typed arrays, aliasing outputs), the native code runs.

const vectorNative = native.__vector

// Codes of the native functions (src/vector.rs): the operation, ACCURATE, the type seen here.
const ACCURATE = 1 << 4
const CLAIM_F32 = 1 << 5
const CLAIM_F64 = 2 << 5
const FAMILY_PAIR = 0
const FAMILY_REDUCE = 1
const FAMILY_ELEMENTWISE = 2
const METRICS = ['dot', 'cosine', 'sqeuclidean', 'euclidean', 'manhattan']
const COSINE_SIMILARITY = 5

// The element type a typed array really has: %TypedArray%.prototype's toStringTag getter reads
// V8's internal type, which `instanceof` (a prototype-chain walk JS can redirect with
// Object.setPrototypeOf) does not. The native functions trust a claimed type (CLAIM_F32/F64) and
// only check bounds, so every claimed call is guarded by this; the JS loops read elements
// through the array itself and need only the cheaper `instanceof`.
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get
function really(type, a, b, c, out) {
  return typedArrayTag.call(a) === type && (b === undefined || typedArrayTag.call(b) === type) &&
    (c === undefined || typedArrayTag.call(c) === type) && (out === undefined || typedArrayTag.call(out) === type)
}

// Up to this many elements each function runs its JS loop: where the JS loop stops beating the
// native call (measured by benches/node/bench_vector.mjs, "the JS/native switch").
const JS_MAX = {
  dot: 64,
  cosineSimilarity: 64,
  cosineDistance: 64,
  sqeuclidean: 64,
  euclidean: 64,
  manhattan: 64,
  norm: 48,
  sum: 64,
  mean: 64,
  min: 64,
  max: 64,
  argmin: 64,
  argmax: 64,
  // Element-wise calls into a given `out` pay ~55 ns here to rule out aliasing (`.buffer`).
  scale: 32,
  add: 32,
  subtract: 32,
  multiply: 32,
  axpy: 32,
  fma: 32,
  normalize: 32,
}

// FERRULE_VECTOR_JS_MAX=<n>, read once at load, replaces every threshold above: 0 runs every call
// natively, a large number runs in JS every call the JS path can take. For tests and for
// measuring the switch (benches/node/bench_vector.mjs), not for tuning an application. Any other
// value is ignored with one line on stderr, like a bad FERRULE_MAX_ISA: an environment variable
// must not make `require('ferrule')` fail.
if (process.env.FERRULE_VECTOR_JS_MAX !== undefined) {
  const text = process.env.FERRULE_VECTOR_JS_MAX
  const override = /^[0-9]+$/.test(text) ? Number(text) : NaN
  if (Number.isSafeInteger(override)) {
    for (const name of Object.keys(JS_MAX)) JS_MAX[name] = override
  } else {
    process.stderr.write(`ferrule: warning: FERRULE_VECTOR_JS_MAX: expected a non-negative integer, got ${JSON.stringify(text)}; ignored\n`)
  }
}

function ferruleError(message, ErrorClass = Error) {
  return Object.assign(new ErrorClass(message), { code: 'FERRULE_INVALID_ARGUMENT', line: null, offset: null, reason: null })
}

const NO_OPTIONS = Object.freeze({})

// The options object of a vector function: undefined, null or an object with only `allowed` keys
// (a misspelt option must not silently mean its default).
function optionsOf(options, allowed, fn) {
  if (options === undefined || options === null) return NO_OPTIONS
  if (typeof options !== 'object') {
    throw ferruleError(`vector.${fn}: options must be an object, got ${describe(options)}`, TypeError)
  }
  for (const key in options) {
    if (!allowed.includes(key)) {
      const expected = allowed.length > 0 ? `expected ${allowed.join(', ')}` : 'it takes none'
      throw ferruleError(`vector.${fn}: unknown option ${JSON.stringify(key)} (${expected})`, TypeError)
    }
  }
  return options
}

function precisionCode(precision) {
  if (precision === undefined || precision === 'fast') return 0
  if (precision === 'accurate') return ACCURATE
  if (typeof precision !== 'string') {
    throw ferruleError(`precision must be 'fast' or 'accurate', got ${describe(precision)}`, TypeError)
  }
  throw ferruleError(`unknown precision ${JSON.stringify(precision)}: expected "fast" or "accurate"`)
}

function metricCode(metric, fallback) {
  if (metric === undefined) metric = fallback
  const index = METRICS.indexOf(metric)
  if (index >= 0) return index
  if (typeof metric !== 'string') throw ferruleError(`metric must be a string, got ${describe(metric)}`, TypeError)
  throw ferruleError(`unknown metric ${JSON.stringify(metric)}: expected one of ${METRICS.join(', ')}`)
}

// A number argument or option (`optional`: undefined and null mean absent). Whether it is a
// non-negative integer is checked natively (napi's own conversion would wrap or truncate it).
function numberOf(value, name, fn, optional) {
  if (typeof value === 'number') return value
  if (optional && (value === undefined || value === null)) return undefined
  throw ferruleError(`vector.${fn}: ${name} must be a number, got ${describe(value)}`, TypeError)
}

// Calls a native vector function, errors remapped like every other export's.
function callNative(fn, ...args) {
  try {
    return fn(...args)
  } catch (err) {
    throw remap(err)
  }
}

// Each JS kernel is compiled once per array type (a fresh copy of its source), so that V8
// specializes each copy to one element type instead of handling both in one loop. Kernels use
// nothing but their arguments and Math. Where code generation from strings is disabled, both
// types share the original.
function perType(kernel) {
  let copy = kernel
  try {
    copy = new Function(`return (${kernel.toString()})`)() // eslint-disable-line no-new-func
  } catch {}
  return { f32: kernel, f64: copy }
}

// ---- the JS kernels, in double precision. Each also writes into `m` the magnitudes its float32
// twin must check (see `float32Safe`): m[0] the largest partial sum any accumulation can reach,
// m[1] the smallest sum a zero-vector rule depends on.

function dotJs(a, b, m) {
  const n = a.length
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, i = 0
  for (; i + 3 < n; i += 4) {
    const p0 = a[i] * b[i], p1 = a[i + 1] * b[i + 1], p2 = a[i + 2] * b[i + 2], p3 = a[i + 3] * b[i + 3]
    s0 += p0
    s1 += p1
    s2 += p2
    s3 += p3
    t0 += Math.abs(p0) + Math.abs(p1)
    t1 += Math.abs(p2) + Math.abs(p3)
  }
  for (; i < n; i++) {
    const p = a[i] * b[i]
    s0 += p
    t0 += Math.abs(p)
  }
  m[0] = m[1] = t0 + t1
  return (s0 + s1) + (s2 + s3)
}

function sqeuclideanJs(a, b, m) {
  const n = a.length
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0
  for (; i + 3 < n; i += 4) {
    const d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1], d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3]
    s0 += d0 * d0
    s1 += d1 * d1
    s2 += d2 * d2
    s3 += d3 * d3
  }
  for (; i < n; i++) {
    const d = a[i] - b[i]
    s0 += d * d
  }
  const s = (s0 + s1) + (s2 + s3)
  m[0] = m[1] = s
  return s
}

function manhattanJs(a, b, m) {
  const n = a.length
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0
  for (; i + 3 < n; i += 4) {
    s0 += Math.abs(a[i] - b[i])
    s1 += Math.abs(a[i + 1] - b[i + 1])
    s2 += Math.abs(a[i + 2] - b[i + 2])
    s3 += Math.abs(a[i + 3] - b[i + 3])
  }
  for (; i < n; i++) s0 += Math.abs(a[i] - b[i])
  const s = (s0 + s1) + (s2 + s3)
  m[0] = m[1] = s
  return s
}

// a.b / (|a| |b|), 0 when either norm is 0 (NaN stays NaN), as core's cosine_from.
function cosineSimilarityJs(a, b, m) {
  const n = a.length
  let ab0 = 0, ab1 = 0, aa0 = 0, aa1 = 0, bb0 = 0, bb1 = 0, i = 0
  for (; i + 1 < n; i += 2) {
    const x0 = a[i], y0 = b[i], x1 = a[i + 1], y1 = b[i + 1]
    ab0 += x0 * y0
    aa0 += x0 * x0
    bb0 += y0 * y0
    ab1 += x1 * y1
    aa1 += x1 * x1
    bb1 += y1 * y1
  }
  if (i < n) {
    const x = a[i], y = b[i]
    ab0 += x * y
    aa0 += x * x
    bb0 += y * y
  }
  const aa = aa0 + aa1, bb = bb0 + bb1
  m[0] = aa > bb ? aa : bb
  m[1] = aa < bb ? aa : bb
  if (aa === 0 || bb === 0) return 0
  return (ab0 + ab1) / (Math.sqrt(aa) * Math.sqrt(bb))
}

// The results of the loops above turned into the other metrics' (shared, so the loops are
// written once): as core's Metric::eval.
function euclideanOf(squared) {
  return Math.sqrt(squared)
}

// 1 - similarity clamped to [0, 2] (NaN stays NaN; a zero vector's similarity 0 gives 1), as
// core's cosine_distance_from.
function cosineDistanceOf(similarity) {
  const distance = 1 - similarity
  return distance < 0 ? 0 : distance > 2 ? 2 : distance
}

function normJs(x, m) {
  const n = x.length
  let s0 = 0, s1 = 0, i = 0
  for (; i + 1 < n; i += 2) {
    s0 += x[i] * x[i]
    s1 += x[i + 1] * x[i + 1]
  }
  if (i < n) s0 += x[i] * x[i]
  const s = s0 + s1
  m[0] = m[1] = s
  return Math.sqrt(s)
}

function sumJs(x, m) {
  const n = x.length
  let s0 = 0, s1 = 0, t = 0, i = 0
  for (; i + 1 < n; i += 2) {
    s0 += x[i]
    s1 += x[i + 1]
    t += Math.abs(x[i]) + Math.abs(x[i + 1])
  }
  if (i < n) {
    s0 += x[i]
    t += Math.abs(x[i])
  }
  m[0] = t
  m[1] = 0
  return s0 + s1
}

// Where a float32 computation done in double gives what the native float32 kernels give up to
// the order of additions (the last bits): no partial sum can overflow float32 (m[0] well below
// its 3.4e38) and no sum that decides a result underflows (m[1] zero or far above float32's
// subnormals, below which squares flush to zero). Otherwise (or NaN) the native code runs.
const magnitudes = new Float64Array(2)
function float32Safe() {
  const high = magnitudes[0], low = magnitudes[1]
  return high <= 1e37 && (low === 0 || low >= 1e-30)
}

function meanJs(x) {
  const n = x.length
  let s0 = 0, s1 = 0, i = 0
  for (; i + 1 < n; i += 2) {
    s0 += x[i]
    s1 += x[i + 1]
  }
  if (i < n) s0 += x[i]
  return (s0 + s1) / n
}

// The index of the first NaN, else of the first smallest element (x is not empty).
function argminJs(x) {
  let best = 0
  let value = x[0]
  if (value !== value) return 0
  for (let i = 1; i < x.length; i++) {
    const v = x[i]
    if (v < value) {
      value = v
      best = i
    } else if (v !== v) return i
  }
  return best
}

// The index of the first NaN, else of the first largest element (x is not empty).
function argmaxJs(x) {
  let best = 0
  let value = x[0]
  if (value !== value) return 0
  for (let i = 1; i < x.length; i++) {
    const v = x[i]
    if (v > value) {
      value = v
      best = i
    } else if (v !== v) return i
  }
  return best
}

// The first NaN, else the smallest element (x is not empty).
function minJs(x) {
  let value = x[0]
  if (value !== value) return value
  for (let i = 1; i < x.length; i++) {
    const v = x[i]
    if (v < value) value = v
    else if (v !== v) return v
  }
  return value
}

// The first NaN, else the largest element (x is not empty).
function maxJs(x) {
  let value = x[0]
  if (value !== value) return value
  for (let i = 1; i < x.length; i++) {
    const v = x[i]
    if (v > value) value = v
    else if (v !== v) return v
  }
  return value
}

// Element-wise kernels: `round` is Math.fround for Float32Array outputs (each product rounded to
// float32 before the addition, like the native float32 code) and the identity for Float64Array.
function scaleJs(x, alpha, out) {
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i]
}

function addJs(a, b, out) {
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i]
}

function subtractJs(a, b, out) {
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i]
}

function multiplyJs(a, b, out) {
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i]
}

function axpyJs(alpha, x, y, out, round) {
  for (let i = 0; i < x.length; i++) out[i] = round(alpha * x[i]) + y[i]
}

function fmaJs(a, b, c, out, round) {
  for (let i = 0; i < a.length; i++) out[i] = round(a[i] * b[i]) + c[i]
}

function normalizeJs(x, out, length) {
  if (length === 0) out.fill(0)
  else for (let i = 0; i < x.length; i++) out[i] = x[i] / length
}

function identity(v) {
  return v
}

// The native function of one operation code (src/vector.rs, `native_function`).
function nativeOf(family, code) {
  return vectorNative.nativeFunction(family, code)
}

// A 1:1 function `(a, b, options?) => number`: `op` is its native code, `kernel` its JS loop and
// `finish` what turns the loop's result into the function's.
function pairFunction(name, op, kernel, finish = identity) {
  const js = perType(kernel)
  const js32 = js.f32
  const js64 = js.f64
  const fast32 = nativeOf(FAMILY_PAIR, op | CLAIM_F32)
  const fast64 = nativeOf(FAMILY_PAIR, op | CLAIM_F64)
  const fastAny = nativeOf(FAMILY_PAIR, op)
  const accurate32 = nativeOf(FAMILY_PAIR, op | ACCURATE | CLAIM_F32)
  const accurate64 = nativeOf(FAMILY_PAIR, op | ACCURATE | CLAIM_F64)
  const accurateAny = nativeOf(FAMILY_PAIR, op | ACCURATE)
  const limit = JS_MAX[name]
  const fn = {
    [name](a, b, options) {
      const accurate = options === undefined ? false : precisionCode(optionsOf(options, PRECISION_ONLY, name).precision) !== 0
      try {
        if (a instanceof Float32Array && b instanceof Float32Array) {
          if (!accurate && a.length <= limit && a.length === b.length) {
            const value = js32(a, b, magnitudes)
            if (float32Safe()) return Math.fround(finish(value))
          }
          if (really('Float32Array', a, b)) return accurate ? accurate32(a, b) : fast32(a, b)
        } else if (a instanceof Float64Array && b instanceof Float64Array) {
          if (!accurate && a.length <= limit && a.length === b.length) return finish(js64(a, b, magnitudes))
          if (really('Float64Array', a, b)) return accurate ? accurate64(a, b) : fast64(a, b)
        }
        return accurate ? accurateAny(a, b) : fastAny(a, b)
      } catch (err) {
        throw remap(err)
      }
    },
  }[name]
  return fn
}

const PRECISION_ONLY = ['precision']

// A reduction `(x, options?) => number`. `empty` is whether the JS loop handles an empty input
// (sum: 0; the others throw natively). `precise` is whether the precision option applies.
function reduceFunction(name, op, kernel, { empty = false, precise = false, checked = false, asFloat32 = true } = {}) {
  const js = perType(kernel)
  const js32 = js.f32
  const js64 = js.f64
  const fast32 = nativeOf(FAMILY_REDUCE, op | CLAIM_F32)
  const fast64 = nativeOf(FAMILY_REDUCE, op | CLAIM_F64)
  const fastAny = nativeOf(FAMILY_REDUCE, op)
  const accurate32 = nativeOf(FAMILY_REDUCE, op | ACCURATE | CLAIM_F32)
  const accurate64 = nativeOf(FAMILY_REDUCE, op | ACCURATE | CLAIM_F64)
  const accurateAny = nativeOf(FAMILY_REDUCE, op | ACCURATE)
  const limit = JS_MAX[name]
  const minimum = empty ? 0 : 1
  const allowed = precise ? PRECISION_ONLY : []
  const fn = {
    [name](x, options) {
      const accurate = options === undefined ? false : precisionCode(optionsOf(options, allowed, name).precision) !== 0
      try {
        if (x instanceof Float32Array) {
          if (!accurate && x.length <= limit && x.length >= minimum) {
            const value = js32(x, magnitudes)
            if (!checked || float32Safe()) return asFloat32 ? Math.fround(value) : value
          }
          if (really('Float32Array', x)) return accurate ? accurate32(x) : fast32(x)
        } else if (x instanceof Float64Array) {
          if (!accurate && x.length <= limit && x.length >= minimum) return js64(x, magnitudes)
          if (really('Float64Array', x)) return accurate ? accurate64(x) : fast64(x)
        }
        return accurate ? accurateAny(x) : fastAny(x)
      } catch (err) {
        throw remap(err)
      }
    },
  }[name]
  return fn
}

// Whether `out` can be written by the JS loops while reading `inputs`: it is a separate array, or
// one of the inputs itself (each element is read before it is written), but not another view
// sharing memory with an input (the native code copies through a temporary then).
function separate(out, a, b, c) {
  const buffer = out.buffer
  return (a === out || a.buffer !== buffer) && (b === undefined || b === out || b.buffer !== buffer) &&
    (c === undefined || c === out || c.buffer !== buffer)
}

// An element-wise operation as `run(alpha, a, b, c, out)` (b, c undefined when not taken; alpha
// ignored when not taken): `call32`/`call64` run its JS loops, the native function the rest.
function elementwiseFunction(name, op, call32, call64) {
  const native32 = nativeOf(FAMILY_ELEMENTWISE, op | CLAIM_F32)
  const native64 = nativeOf(FAMILY_ELEMENTWISE, op | CLAIM_F64)
  const nativeAny = nativeOf(FAMILY_ELEMENTWISE, op)
  const limit = JS_MAX[name]
  // One element type's path: its JS loop when it applies (short, and an `out` it may write
  // while reading the inputs), else its native function (claimed only for arrays whose real
  // type was checked), else the fully checked native function.
  const path = (Type, tag, call, claimed) => (alpha, a, b, c, out) => {
    const n = a.length
    if ((b === undefined || b.length === n) && (c === undefined || c.length === n)) {
      if (out === undefined) {
        if (n > limit) return really(tag, a, b, c) ? claimed(alpha, a, b, c, new Type(n)) : nativeAny(alpha, a, b, c, undefined)
        out = new Type(n)
        call(alpha, a, b, c, out)
        return out
      }
      if (out instanceof Type && out.length === n && n <= limit && separate(out, a, b, c)) {
        call(alpha, a, b, c, out)
        return out
      }
    }
    return (really(tag, a, b, c, out) ? claimed : nativeAny)(alpha, a, b, c, out)
  }
  const run32 = path(Float32Array, 'Float32Array', call32, native32)
  const run64 = path(Float64Array, 'Float64Array', call64, native64)
  return function run(alpha, a, b, c, out) {
    try {
      if (typeof alpha === 'number') {
        if (a instanceof Float32Array && (b === undefined || b instanceof Float32Array) &&
          (c === undefined || c instanceof Float32Array)) return run32(alpha, a, b, c, out)
        if (a instanceof Float64Array && (b === undefined || b instanceof Float64Array) &&
          (c === undefined || c instanceof Float64Array)) return run64(alpha, a, b, c, out)
      }
      return nativeAny(alpha, a, b, c, out)
    } catch (err) {
      throw remap(err)
    }
  }
}

function makeVector() {
  const scale = perType(scaleJs)
  const add = perType(addJs)
  const subtract = perType(subtractJs)
  const multiply = perType(multiplyJs)
  const axpy = perType(axpyJs)
  const fma = perType(fmaJs)
  const normalize = perType(normalizeJs)
  const norm = perType(normJs)
  // The float32 norm normalize divides by: the JS loop where it is safe, else the native one
  // (type-checked: the JS path only saw `instanceof`).
  const nativeNorm = nativeOf(FAMILY_REDUCE, 0)
  const float32Norm = (x) => {
    const length = norm.f32(x, magnitudes)
    return float32Safe() ? Math.fround(length) : nativeNorm(x)
  }
  const fround = Math.fround
  const runScale = elementwiseFunction('scale', 0,
    (alpha, x, b, c, out) => scale.f32(x, fround(alpha), out), (alpha, x, b, c, out) => scale.f64(x, alpha, out))
  const runAdd = elementwiseFunction('add', 1,
    (alpha, a, b, c, out) => add.f32(a, b, out), (alpha, a, b, c, out) => add.f64(a, b, out))
  const runSubtract = elementwiseFunction('subtract', 2,
    (alpha, a, b, c, out) => subtract.f32(a, b, out), (alpha, a, b, c, out) => subtract.f64(a, b, out))
  const runMultiply = elementwiseFunction('multiply', 3,
    (alpha, a, b, c, out) => multiply.f32(a, b, out), (alpha, a, b, c, out) => multiply.f64(a, b, out))
  const runAxpy = elementwiseFunction('axpy', 4,
    (alpha, x, y, c, out) => axpy.f32(fround(alpha), x, y, out, fround),
    (alpha, x, y, c, out) => axpy.f64(alpha, x, y, out, identity))
  const runFma = elementwiseFunction('fma', 5,
    (alpha, a, b, c, out) => fma.f32(a, b, c, out, fround), (alpha, a, b, c, out) => fma.f64(a, b, c, out, identity))
  const runNormalize = elementwiseFunction('normalize', 6,
    (alpha, x, b, c, out) => normalize.f32(x, out, float32Norm(x)),
    (alpha, x, b, c, out) => normalize.f64(x, out, norm.f64(x, magnitudes)))

  // The `out` argument: undefined or null means "a new array".
  const outOf = (out) => (out === null ? undefined : out)

  const batchOptions = ['metric', 'precision', 'threads', 'out']

  return Object.freeze({
    dot: pairFunction('dot', 0, dotJs),
    cosineDistance: pairFunction('cosineDistance', 1, cosineSimilarityJs, cosineDistanceOf),
    sqeuclidean: pairFunction('sqeuclidean', 2, sqeuclideanJs),
    euclidean: pairFunction('euclidean', 3, sqeuclideanJs, euclideanOf),
    manhattan: pairFunction('manhattan', 4, manhattanJs),
    cosineSimilarity: pairFunction('cosineSimilarity', COSINE_SIMILARITY, cosineSimilarityJs),
    norm: reduceFunction('norm', 0, normJs, { empty: true, precise: true, checked: true }),
    sum: reduceFunction('sum', 1, sumJs, { empty: true, precise: true, checked: true }),
    mean: reduceFunction('mean', 2, meanJs, { asFloat32: false }),
    min: reduceFunction('min', 3, minJs),
    max: reduceFunction('max', 4, maxJs),
    argmin: reduceFunction('argmin', 5, argminJs, { asFloat32: false }),
    argmax: reduceFunction('argmax', 6, argmaxJs, { asFloat32: false }),

    scale(x, alpha, out) {
      return runScale(alpha, x, undefined, undefined, outOf(out))
    },
    add(a, b, out) {
      return runAdd(0, a, b, undefined, outOf(out))
    },
    subtract(a, b, out) {
      return runSubtract(0, a, b, undefined, outOf(out))
    },
    multiply(a, b, out) {
      return runMultiply(0, a, b, undefined, outOf(out))
    },
    axpy(alpha, x, y, out) {
      return runAxpy(alpha, x, y, undefined, outOf(out))
    },
    fma(a, b, c, out) {
      return runFma(0, a, b, c, outOf(out))
    },
    normalize(x, out) {
      return runNormalize(0, x, undefined, undefined, outOf(out))
    },

    oneToMany(query, matrix, options) {
      const o = optionsOf(options, ['metric', 'precision', 'threads', 'stride', 'out'], 'oneToMany')
      const code = metricCode(o.metric, 'cosine') | precisionCode(o.precision)
      const out = outOf(o.out)
      const threads = numberOf(o.threads, 'threads', 'oneToMany', true)
      const stride = numberOf(o.stride, 'stride', 'oneToMany', true)
      const result = callNative(vectorNative.oneToMany, code, threads, query, matrix, stride, out)
      return out === undefined ? result : out
    },

    cdist(a, b, dim, options) {
      const o = optionsOf(options, batchOptions, 'cdist')
      const code = metricCode(o.metric, 'sqeuclidean') | precisionCode(o.precision)
      const out = outOf(o.out)
      const threads = numberOf(o.threads, 'threads', 'cdist', true)
      const result = callNative(vectorNative.cdist, code, threads, a, b, numberOf(dim, 'dim', 'cdist'), out)
      return out === undefined ? result : out
    },

    topk(queries, database, dim, k, options) {
      const o = optionsOf(options, ['metric', 'precision', 'threads'], 'topk')
      const code = metricCode(o.metric, 'cosine') | precisionCode(o.precision)
      const threads = numberOf(o.threads, 'threads', 'topk', true)
      const [indices, distances] = callNative(vectorNative.topk, code, threads, queries, database,
        numberOf(dim, 'dim', 'topk'), numberOf(k, 'k', 'topk'))
      return { indices, distances }
    },

    cdistAsync(a, b, dim, options) {
      const o = optionsOf(options, batchOptions, 'cdistAsync')
      const code = metricCode(o.metric, 'sqeuclidean') | precisionCode(o.precision)
      const out = outOf(o.out)
      const threads = numberOf(o.threads, 'threads', 'cdistAsync', true)
      return callNative(vectorNative.cdistAsync, code, threads, a, b, numberOf(dim, 'dim', 'cdistAsync'), out)
        .then((result) => (out === undefined ? result : out), rethrowRemapped)
    },

    topkAsync(queries, database, dim, k, options) {
      const o = optionsOf(options, ['metric', 'precision', 'threads'], 'topkAsync')
      const code = metricCode(o.metric, 'cosine') | precisionCode(o.precision)
      const threads = numberOf(o.threads, 'threads', 'topkAsync', true)
      return callNative(vectorNative.topkAsync, code, threads, queries, database,
        numberOf(dim, 'dim', 'topkAsync'), numberOf(k, 'k', 'topkAsync'))
        .then(([indices, distances]) => ({ indices, distances }), rethrowRemapped)
    },
  })
}

// ---------------------------------------------------------------------------------- logs
//
// The `logs` namespace: ferrule-core's log parser, over the loader's internal `__logs`
// functions and classes (src/logs.rs). Options objects are checked here (their types; their
// values natively, by core), formats cross as a (kind, spec) pair of strings, and a LogTable
// reads each column from the native table the first time it is asked for, then keeps it:
// numbers arrive as one typed array, strings as ~1 MB of joined text plus each value's end,
// sliced apart here (a napi call per value would cost more than parsing the line).

const logsNative = native.__logs
const { fileURLToPath } = require('node:url')

const PARSE_OPTIONS = [
  'format', 'onError', 'threads', 'unescape', 'strictUtf8', 'plainColumns', 'year', 'referenceTime', 'octetCounted',
  'flatten',
]
// Streams parse on the calling thread: no `threads` (as Python's StreamParser and iter_batches).
const STREAM_OPTIONS = PARSE_OPTIONS.filter((name) => name !== 'threads')
const BATCH_OPTIONS = [...STREAM_OPTIONS, 'batchRows']
const COLUMN_OPTIONS = ['raw', 'bigint']
const BIGINT_TYPES = new Set(['uint64', 'int64', 'timestamp[us, UTC]'])
const BOOL_TYPE = 'bool'
const ON_ERROR = ['row', 'skip', 'raise']
const DEFAULT_BATCH_ROWS = 65536
const STRING_TYPES = new Set(['string', 'dictionary'])
// Only ferrule makes LogTable and LogParser objects (their constructors throw otherwise).
const INTERNAL = Symbol('ferrule.logs')

// Calls a native logs function or method, errors remapped like every other export's.
function logsCall(fn, self, ...args) {
  try {
    return fn.apply(self, args)
  } catch (err) {
    throw remap(err)
  }
}

function absent(value) {
  return value === undefined || value === null
}

function pathOf(path, fn) {
  if (typeof path === 'string') return path
  if (path instanceof URL) {
    try {
      return fileURLToPath(path)
    } catch (err) {
      throw ferruleError(`logs.${fn}: ${err.message}`)
    }
  }
  throw ferruleError(`logs.${fn}: the path must be a string or a file: URL, got ${describe(path)}`, TypeError)
}

// A format option: a preset name, or an object with `kind` and `spec` (what logs.format.* make).
function formatOf(format, fn) {
  if (absent(format)) return ['preset', 'combined']
  if (typeof format === 'string') return ['preset', format]
  if (typeof format === 'object' && !Array.isArray(format)) {
    const { kind, spec } = format
    if (typeof kind !== 'string' || typeof spec !== 'string') {
      throw ferruleError(`logs.${fn}: a format object has a string \`kind\` ('preset', 'nginx', 'apache' or ` +
        `'template') and a string \`spec\`, got kind ${describe(kind)} and spec ${describe(spec)}`, TypeError)
    }
    return [kind, spec]
  }
  throw ferruleError(`logs.${fn}: format must be a preset name or a format from logs.format, got ${describe(format)}`,
    TypeError)
}

// The options object of a logs function: absent, or an object with only `allowed` keys (a
// misspelt option must not silently mean its default). Returns what the native calls take.
function logOptionsOf(options, fn, allowed = PARSE_OPTIONS) {
  if (absent(options)) options = NO_OPTIONS
  else if (typeof options !== 'object' || Array.isArray(options)) {
    throw ferruleError(`logs.${fn}: options must be an object, got ${describe(options)}`, TypeError)
  }
  for (const key in options) {
    if (!allowed.includes(key)) {
      const hint = key === 'batchRows' ? ' (batchRows is an option of readBatches)'
        : key === 'threads' ? ' (streams parse on the calling thread: threads is an option of parseFile, ' +
          'parseFileAsync and parseBuffer)'
        : ''
      throw ferruleError(`logs.${fn}: unknown option ${JSON.stringify(key)}${hint}; expected ${allowed.join(', ')}`,
        TypeError)
    }
  }
  const [kind, spec] = formatOf(options.format, fn)
  const nativeOptions = {}
  const { onError, threads, unescape, strictUtf8, plainColumns, year, referenceTime, octetCounted, flatten, batchRows } =
    options
  if (!absent(onError)) {
    if (typeof onError !== 'string') {
      throw ferruleError(`logs.${fn}: onError must be 'row', 'skip' or 'raise', got ${describe(onError)}`, TypeError)
    }
    if (!ON_ERROR.includes(onError)) {
      throw ferruleError(`logs.${fn}: onError must be 'row', 'skip' or 'raise', got ${JSON.stringify(onError)}`)
    }
    nativeOptions.onError = onError
  }
  if (!absent(threads)) {
    if (typeof threads !== 'number') {
      throw ferruleError(`logs.${fn}: threads must be a number, got ${describe(threads)}`, TypeError)
    }
    nativeOptions.threads = threads
  }
  if (!absent(year)) {
    if (typeof year !== 'number') {
      throw ferruleError(`logs.${fn}: year must be a number, got ${describe(year)}`, TypeError)
    }
    nativeOptions.year = year
  }
  if (!absent(referenceTime)) {
    // Milliseconds since the epoch, as Date.getTime() gives them; core checks the range.
    if (referenceTime instanceof Date) nativeOptions.referenceTime = referenceTime.getTime()
    else if (typeof referenceTime === 'number') nativeOptions.referenceTime = referenceTime
    else {
      throw ferruleError(`logs.${fn}: referenceTime must be a Date or milliseconds since the epoch, got ` +
        describe(referenceTime), TypeError)
    }
  }
  for (const [name, value] of [['unescape', unescape], ['strictUtf8', strictUtf8], ['octetCounted', octetCounted],
    ['flatten', flatten]]) {
    if (absent(value)) continue
    if (typeof value !== 'boolean') {
      throw ferruleError(`logs.${fn}: ${name} must be a boolean, got ${describe(value)}`, TypeError)
    }
    nativeOptions[name] = value
  }
  if (!absent(plainColumns)) {
    if (!Array.isArray(plainColumns) || !plainColumns.every((name) => typeof name === 'string')) {
      throw ferruleError(`logs.${fn}: plainColumns must be an array of column names, got ${describe(plainColumns)}`,
        TypeError)
    }
    nativeOptions.plainColumns = plainColumns.slice()
  }
  let rows = DEFAULT_BATCH_ROWS
  if (!absent(batchRows)) {
    if (typeof batchRows !== 'number') {
      throw ferruleError(`logs.${fn}: batchRows must be a number, got ${describe(batchRows)}`, TypeError)
    }
    if (!(Number.isInteger(batchRows) && batchRows >= 1)) {
      throw ferruleError(`logs.${fn}: batchRows must be a positive integer, got ${batchRows}`)
    }
    rows = batchRows
  }
  return { kind, spec, nativeOptions, batchRows: rows }
}

// Values 0..count-1 of a native string column (or dictionary), about 1 MB per call: as text
// (`textChunk`, sliced into strings) or as the bytes logged (`bytesChunk`, views into one Buffer
// per chunk).
function chunkedValues(handle, method, index, count) {
  const values = new Array(count)
  for (let done = 0; done < count;) {
    const [joined, ends] = logsCall(handle[method], handle, index, done)
    if (ends.length === 0) throw Object.assign(new Error(`logs: ${method} came back empty`), { code: 'FERRULE_INTERNAL' })
    let begin = 0
    for (let k = 0; k < ends.length; k++) {
      values[done + k] = method === 'textChunk' ? joined.slice(begin, ends[k]) : joined.subarray(begin, ends[k])
      begin = ends[k]
    }
    done += ends.length
  }
  return values
}

const stringsOf = (handle, index, count) => chunkedValues(handle, 'textChunk', index, count)
const bytesOf = (handle, index, count) => chunkedValues(handle, 'bytesChunk', index, count)

// The options of LogTable.column: '' (the default representation), 'raw' or 'bigint'.
function columnModeOf(options, name, type) {
  if (absent(options)) return ''
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw ferruleError(`LogTable.column: options must be an object, got ${describe(options)}`, TypeError)
  }
  for (const key in options) {
    if (!COLUMN_OPTIONS.includes(key)) {
      throw ferruleError(`LogTable.column: unknown option ${JSON.stringify(key)}; expected ${COLUMN_OPTIONS.join(', ')}`,
        TypeError)
    }
  }
  const { raw, bigint } = options
  for (const [key, value] of [['raw', raw], ['bigint', bigint]]) {
    if (!absent(value) && typeof value !== 'boolean') {
      throw ferruleError(`LogTable.column: ${key} must be a boolean, got ${describe(value)}`, TypeError)
    }
  }
  if (raw === true && bigint === true) throw ferruleError('LogTable.column: raw and bigint cannot both be true')
  if (raw === true) {
    if (!STRING_TYPES.has(type)) {
      throw ferruleError(`LogTable.column: raw applies to string and dictionary columns; ${JSON.stringify(name)} is ${type}`)
    }
    return 'raw'
  }
  if (bigint === true) {
    if (!BIGINT_TYPES.has(type)) {
      throw ferruleError('LogTable.column: bigint applies to uint64, int64 and timestamp columns; ' +
        `${JSON.stringify(name)} is ${type}`)
    }
    return 'bigint'
  }
  return ''
}

/** Parsed log lines as typed columns (see ferrule.d.ts). */
class LogTable {
  #native
  #names
  #types
  #numRows
  // Per representation ('', 'raw', 'bigint'): column index -> the JS column.
  #values = { '': new Map(), raw: new Map(), bigint: new Map() }
  #validity = new Map()
  #columns
  #errors
  #stats

  constructor(token, handle) {
    if (token !== INTERNAL) {
      throw ferruleError('logs.LogTable objects come from the logs functions (parseFile, parseBuffer, ...)', TypeError)
    }
    this.#native = handle
    this.#names = logsCall(handle.columnNames, handle)
    this.#types = logsCall(handle.columnTypes, handle)
    this.#numRows = handle.numRows
  }

  /** Rows: one per non-empty line (failed lines included unless skipped). */
  get numRows() {
    return this.#numRows
  }

  /**
   * The column names, in order: `line`, the format's fields (for logfmt and jsonl, the keys seen,
   * first-seen order), `error`, `error_offset`.
   */
  get columnNames() {
    return this.#names.slice()
  }

  /** Each column's type, by name ('uint16', 'timestamp[us, UTC]', 'string', 'dictionary', ...). */
  get columnTypes() {
    const types = {}
    this.#names.forEach((name, i) => { types[name] = this.#types[i] })
    return types
  }

  /** Every column by name; each is converted the first time it is read. */
  get columns() {
    if (this.#columns === undefined) {
      const columns = {}
      for (const name of this.#names) {
        Object.defineProperty(columns, name, { enumerable: true, get: () => this.column(name) })
      }
      this.#columns = Object.freeze(columns)
    }
    return this.#columns
  }

  #index(name, fn) {
    if (typeof name !== 'string') {
      throw ferruleError(`LogTable.${fn}: a column name is a string, got ${describe(name)}`, TypeError)
    }
    const index = this.#names.indexOf(name)
    if (index < 0) {
      throw ferruleError(`LogTable.${fn}: no column ${JSON.stringify(name)}; the columns are ${this.#names.join(', ')}`)
    }
    return index
  }

  #validityAt(index) {
    let bits = this.#validity.get(index)
    if (bits === undefined) {
      bits = logsCall(this.#native.validity, this.#native, index)
      this.#validity.set(index, bits)
    }
    return bits
  }

  /**
   * The column called `name` (the same object on every call with the same options); with
   * `{ raw: true }` a string column's bytes as logged, with `{ bigint: true }` a 64-bit column's
   * exact values.
   */
  column(name, options) {
    const index = this.#index(name, 'column')
    const type = this.#types[index]
    const mode = columnModeOf(options, name, type)
    const cache = this.#values[mode]
    let values = cache.get(index)
    if (values !== undefined) return values
    const handle = this.#native
    const raw = mode === 'raw'
    if (mode === 'bigint') {
      values = logsCall(handle.bigIntegers, handle, index)
    } else if (type === BOOL_TYPE) {
      values = logsCall(handle.booleans, handle, index)
    } else if (!STRING_TYPES.has(type)) {
      values = logsCall(handle.numbers, handle, index)
    } else if (type === 'string') {
      values = raw ? bytesOf(handle, index, this.#numRows) : stringsOf(handle, index, this.#numRows)
      const bits = this.#validityAt(index)
      if (bits !== null) {
        for (let row = 0; row < values.length; row++) {
          if ((bits[row >> 3] & (1 << (row & 7))) === 0) values[row] = null
        }
      }
    } else {
      const bits = this.#validityAt(index)
      const size = logsCall(handle.dictionarySize, handle, index, raw)
      values = {
        codes: logsCall(handle.codes, handle, index, raw),
        dictionary: raw ? bytesOf(handle, index, size) : stringsOf(handle, index, size),
        validity: bits === null ? null : bits.slice(),
      }
    }
    cache.set(index, values)
    return values
  }

  /** The Arrow validity bitmap of column `name` (a new copy), or null when no row is null. */
  validity(name) {
    const bits = this.#validityAt(this.#index(name, 'validity'))
    return bits === null ? null : bits.slice()
  }

  /** Whether row `row` of column `name` holds a value (false for rows past the end). */
  isValid(name, row) {
    const index = this.#index(name, 'isValid')
    if (!Number.isInteger(row)) {
      throw ferruleError(`LogTable.isValid: row must be an integer, got ${typeof row === 'number' ? row : describe(row)}`,
        TypeError)
    }
    if (row < 0 || row >= this.#numRows) return false
    const bits = this.#validityAt(index)
    return bits === null || (bits[row >> 3] & (1 << (row & 7))) !== 0
  }

  /** The failed lines, in input order: `{ line, code, offset, text, raw }`. */
  get errors() {
    if (this.#errors === undefined) this.#errors = logsCall(this.#native.errors, this.#native)
    return this.#errors
  }

  /** `{ lines, ok, errors, skipped, empty, bytes, seconds }`; lines == ok + errors + skipped. */
  get stats() {
    if (this.#stats === undefined) this.#stats = Object.freeze(logsCall(this.#native.stats, this.#native))
    return this.#stats
  }

  /** Heap bytes the native table holds (the JS copies of columns not included). */
  get memoryUsage() {
    return this.#native.memoryUsage
  }

  get [Symbol.toStringTag]() {
    return 'LogTable'
  }
}

/** A streaming parser (see `logs.createParser`). */
class LogParser {
  #native

  constructor(token, handle) {
    if (token !== INTERNAL) throw ferruleError('logs.LogParser objects come from logs.createParser', TypeError)
    this.#native = handle
  }

  /** Parses the complete lines of `chunk` (bytes, or a string as UTF-8). */
  push(chunk) {
    if (typeof chunk === 'string') chunk = Buffer.from(chunk)
    else if (!isUint8Array(chunk)) {
      throw ferruleError(`LogParser.push takes a Buffer, Uint8Array or string, got ${describe(chunk)}`, TypeError)
    }
    logsCall(this.#native.push, this.#native, chunk)
  }

  /** The rows parsed so far and not yet handed out (of complete lines). */
  takeBatch() {
    return new LogTable(INTERNAL, logsCall(this.#native.takeBatch, this.#native))
  }

  /** Parses a last line without a line end and returns the rows not handed out yet. */
  finish() {
    return new LogTable(INTERNAL, logsCall(this.#native.finish, this.#native))
  }

  get rowsBuffered() {
    return this.#native.rowsBuffered
  }

  get pendingBytes() {
    return this.#native.pendingBytes
  }

  get finished() {
    return this.#native.finished
  }
}

function* syncBatchesOf(reader) {
  try {
    for (;;) {
      const handle = logsCall(reader.next, reader)
      if (handle === null) return
      yield new LogTable(INTERNAL, handle)
    }
  } finally {
    reader.close()
  }
}

// The batches, as a generator (`for...of`) that is also an async iterable (`for await...of`).
// Node runs the finalizers of native objects only when the event loop turns, so a long
// synchronous loop keeps every batch's memory until it ends (1.4 GB of RSS for a 2 GB file);
// the async form lets the loop turn between batches, and memory stays bounded (~200 MB).
function batchesOf(reader) {
  const batches = syncBatchesOf(reader)
  batches[Symbol.asyncIterator] = async function* () {
    try {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve))
        const handle = logsCall(reader.next, reader)
        if (handle === null) return
        yield new LogTable(INTERNAL, handle)
      }
    } finally {
      reader.close()
    }
  }
  return batches
}

function formatObject(kind, spec, fn) {
  if (typeof spec !== 'string') {
    throw ferruleError(`logs.format.${fn}: the format is a string, got ${describe(spec)}`, TypeError)
  }
  const info = logsCall(logsNative.formatInfo, null, kind, spec)
  const columns = info.columns.map((c) => Object.freeze(c))
  return Object.freeze({
    kind,
    spec,
    columns: Object.freeze(columns),
    columnNames: Object.freeze(columns.map((c) => c.name)),
    dynamicColumns: info.dynamicColumns,
  })
}

// The JS classes' methods and getters, called on something that is not an instance (V8's
// 'Receiver must be an instance of class ...'), and the classes called without `new`: a wrong
// argument like any other, so FERRULE_INVALID_ARGUMENT (as napi's classes already give).
function guardJsClass(Class) {
  const guard = (fn) => function guarded(...args) {
    try {
      return fn.apply(this, args)
    } catch (err) {
      throw remap(err)
    }
  }
  for (const key of Reflect.ownKeys(Class.prototype)) {
    if (key === 'constructor') continue
    const desc = Object.getOwnPropertyDescriptor(Class.prototype, key)
    if (typeof desc.value === 'function') desc.value = guard(desc.value)
    if (desc.get) desc.get = guard(desc.get)
    if (desc.set) desc.set = guard(desc.set)
    Object.defineProperty(Class.prototype, key, desc)
  }
  return new Proxy(Class, {
    apply() {
      throw ferruleError(`logs.${Class.name} is a class: its objects come from the logs functions`, TypeError)
    },
  })
}

function makeLogs() {
  const call = (fn, path, options, name) => {
    const { kind, spec, nativeOptions } = logOptionsOf(options, name)
    return new LogTable(INTERNAL, logsCall(fn, null, pathOf(path, name), kind, spec, nativeOptions))
  }
  return Object.freeze({
    LogTable: guardJsClass(LogTable),
    LogParser: guardJsClass(LogParser),
    format: Object.freeze({
      preset: (name) => formatObject('preset', name, 'preset'),
      nginx: (spec) => formatObject('nginx', spec, 'nginx'),
      apache: (spec) => formatObject('apache', spec, 'apache'),
      template: (spec) => formatObject('template', spec, 'template'),
    }),

    formatColumns(format) {
      const [kind, spec] = formatOf(format, 'formatColumns')
      return logsCall(logsNative.formatInfo, null, kind, spec).columns
    },

    parseStructuredData(text) {
      if (typeof text === 'string') text = Buffer.from(text)
      else if (!isUint8Array(text)) {
        throw ferruleError(`logs.parseStructuredData takes a string, Buffer or Uint8Array, got ${describe(text)}`,
          TypeError)
      }
      return logsCall(logsNative.parseStructuredDataBytes, null, text)
    },

    parseFile(path, options) {
      return call(logsNative.parseFile, path, options, 'parseFile')
    },

    parseFileAsync(path, options) {
      const { kind, spec, nativeOptions } = logOptionsOf(options, 'parseFileAsync')
      const promise = logsCall(logsNative.parseFileAsync, null, pathOf(path, 'parseFileAsync'), kind, spec, nativeOptions)
      return promise.then((handle) => new LogTable(INTERNAL, handle), rethrowRemapped)
    },

    parseBuffer(buf, options) {
      if (!isUint8Array(buf)) {
        throw ferruleError(`logs.parseBuffer takes a Buffer or Uint8Array, got ${describe(buf)}`, TypeError)
      }
      const { kind, spec, nativeOptions } = logOptionsOf(options, 'parseBuffer')
      return new LogTable(INTERNAL, logsCall(logsNative.parseBuffer, null, buf, kind, spec, nativeOptions))
    },

    createParser(options) {
      const { kind, spec, nativeOptions } = logOptionsOf(options, 'createParser', STREAM_OPTIONS)
      return new LogParser(INTERNAL, logsCall(logsNative.createParser, null, kind, spec, nativeOptions))
    },

    readBatches(path, options) {
      const { kind, spec, nativeOptions, batchRows } = logOptionsOf(options, 'readBatches', BATCH_OPTIONS)
      const reader = logsCall(logsNative.openBatches, null, pathOf(path, 'readBatches'), kind, spec, nativeOptions,
        batchRows)
      return batchesOf(reader)
    },
  })
}

const exported = {}
for (const [name, value] of Object.entries(native)) {
  if (isClass(value)) exported[name] = wrapClass(value, CLASS_EXTENSIONS[name])
  else exported[name] = typeof value === 'function' ? wrapFunction(value) : value
}
module.exports = exported
// Spelled `module.exports.x =` so that Node's ESM loader sees it as a named export.
module.exports.isFerruleError = isFerruleError
module.exports.vector = makeVector()
module.exports.logs = makeLogs()

// Never runs: tells Node's ESM loader (cjs-module-lexer) which names `import { x } from
// 'ferrule'` can bind, by pointing it at the generated loader's explicit exports.
0 && (module.exports = require('./index.js'))
