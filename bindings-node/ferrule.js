'use strict'
// The package entry point: the generated napi loader (index.js) with every exported function
// wrapped, so that the errors napi raises itself while converting arguments (a number where a
// string was expected, ...) reach users like every other ferrule error: as a TypeError whose
// `code` is 'FERRULE_INVALID_ARGUMENT' (napi's own error kept as `cause`). Errors raised by
// ferrule's Rust code already carry their core code (bindings-node/src/errors.rs).

const native = require('./index.js')

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

function remap(err) {
  if (!(err instanceof Error) || typeof err.code !== 'string') return err
  if (ARGUMENT_STATUSES.has(err.code)) {
    return Object.assign(new TypeError(err.message, { cause: err }), { code: 'FERRULE_INVALID_ARGUMENT' })
  }
  if (INTERNAL_STATUSES.has(err.code)) {
    return Object.assign(new Error(err.message, { cause: err }), { code: 'FERRULE_INTERNAL' })
  }
  return err
}

function wrapFunction(fn) {
  const wrapped = function (...args) {
    try {
      return fn.apply(this, args)
    } catch (err) {
      throw remap(err)
    }
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

const exported = {}
for (const [name, value] of Object.entries(native)) {
  // Classes are not wrapped yet (there are none); the test 'every export is wrapped' fails when
  // one appears, so that its constructor and methods get the same treatment.
  exported[name] = typeof value === 'function' && !isClass(value) ? wrapFunction(value) : value
}
module.exports = exported
// Spelled `module.exports.x =` so that Node's ESM loader sees it as a named export.
module.exports.isFerruleError = isFerruleError

// Never runs: tells Node's ESM loader (cjs-module-lexer) which names `import { x } from
// 'ferrule'` can bind, by pointing it at the generated loader's explicit exports.
0 && (module.exports = require('./index.js'))
