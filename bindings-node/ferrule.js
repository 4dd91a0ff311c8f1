'use strict'
// The package entry point: the generated napi loader (index.js) with every exported function
// wrapped, so that every error reaches users in one shape:
// - errors raised by ferrule's Rust code carry their core `code` already
//   (bindings-node/src/errors.rs); here they gain `line` and `offset`, like Python's;
// - the errors napi raises itself while converting arguments (a number where a string was
//   expected, ...) become a TypeError with code 'FERRULE_INVALID_ARGUMENT' (napi's own error
//   kept as `cause`).

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

// The location suffix core's errors end with (ferrule_core::Location's Display).
const LOCATION = / \((?:line (\d+))?(?:, )?(?:byte offset (\d+))?\)$/

function remap(err) {
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
