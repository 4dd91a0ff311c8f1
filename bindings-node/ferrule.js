'use strict'
// The package entry point: the generated napi loader (index.js) with every exported function and
// class wrapped, so that every error reaches users in one shape:
// - errors raised by ferrule's Rust code carry their core `code` already
//   (bindings-node/src/errors.rs); here they gain `line` and `offset`, like Python's;
// - the errors napi raises itself while converting arguments (a number where a string was
//   expected, ...) become a TypeError with code 'FERRULE_INVALID_ARGUMENT' (napi's own error
//   kept as `cause`);
// - a promise from a `...Async` function rejects with errors remapped the same way.
// It also holds the JS half of the batch calls that cross the boundary once (StringPool below).

const native = require('./index.js')
const { isUint32Array } = require('node:util').types

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

// The location suffix core's errors end with (ferrule_core::Location's Display).
const LOCATION = / \((?:line (\d+))?(?:, )?(?:byte offset (\d+))?\)$/

function remap(err) {
  // V8's own TypeError for a method called on something that is not an instance of its class
  // ('Illegal invocation'): a wrong argument too, `this`.
  if (err instanceof TypeError && err.code === undefined) {
    const mapped = new TypeError(err.message, { cause: err })
    return Object.assign(mapped, { code: 'FERRULE_INVALID_ARGUMENT', line: null, offset: null })
  }
  if (!(err instanceof Error) || typeof err.code !== 'string') return err
  if (err.code.startsWith('FERRULE_')) {
    // Like Python's .line/.offset: where in the input, when known (null otherwise).
    const found = LOCATION.exec(err.message)
    err.line = found && found[1] !== undefined ? Number(found[1]) : null
    err.offset = found && found[2] !== undefined ? Number(found[2]) : null
    return err
  }
  if (ARGUMENT_STATUSES.has(err.code)) {
    const mapped = new TypeError(err.message, { cause: err })
    return Object.assign(mapped, { code: 'FERRULE_INVALID_ARGUMENT', line: null, offset: null })
  }
  if (INTERNAL_STATUSES.has(err.code)) {
    const mapped = new Error(err.message, { cause: err })
    return Object.assign(mapped, { code: 'FERRULE_INTERNAL', line: null, offset: null })
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
  return Object.assign(new TypeError(message), { code: 'FERRULE_INVALID_ARGUMENT', line: null, offset: null })
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

const exported = {}
for (const [name, value] of Object.entries(native)) {
  if (isClass(value)) exported[name] = wrapClass(value, CLASS_EXTENSIONS[name])
  else exported[name] = typeof value === 'function' ? wrapFunction(value) : value
}
module.exports = exported
// Spelled `module.exports.x =` so that Node's ESM loader sees it as a named export.
module.exports.isFerruleError = isFerruleError

// Never runs: tells Node's ESM loader (cjs-module-lexer) which names `import { x } from
// 'ferrule'` can bind, by pointing it at the generated loader's explicit exports.
0 && (module.exports = require('./index.js'))
