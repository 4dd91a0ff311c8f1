// The error model: every thrown error has `code` equal to the core code; panics never abort.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import ferrule from '../ferrule.js'

const CODES = [
  'FERRULE_INVALID_ARGUMENT',
  'FERRULE_LENGTH_MISMATCH',
  'FERRULE_INVALID_UTF8',
  'FERRULE_PARSE',
  'FERRULE_CAPACITY',
  'FERRULE_CORRUPT',
  'FERRULE_IO',
  'FERRULE_INTERNAL',
  'FERRULE_OUT_OF_RANGE',
]

for (const code of CODES) {
  test(`${code} is thrown as an Error with that code`, () => {
    assert.throws(
      () => ferrule.__debugRaise(code, 'something went wrong'),
      (err) => err instanceof Error && err.code === code && err.message === 'something went wrong' &&
        ferrule.isFerruleError(err),
    )
  })
}

test('the location is in the message and in line/offset, like Python', () => {
  assert.throws(
    () => ferrule.__debugRaise('FERRULE_PARSE', 'unterminated quote', 8899, 1234),
    { code: 'FERRULE_PARSE', message: 'unterminated quote (line 8899, byte offset 1234)', line: 8899, offset: 1234 },
  )
  assert.throws(() => ferrule.__debugRaise('FERRULE_PARSE', 'bad', 7), { line: 7, offset: null })
  assert.throws(() => ferrule.__debugRaise('FERRULE_INVALID_UTF8', 'bad', null, 3), { line: null, offset: 3 })
  assert.throws(() => ferrule.__debugRaise('FERRULE_IO', 'no such file (really)'), {
    message: 'no such file (really)',
    line: null,
    offset: null,
  })
})

test('an unknown code is itself an invalid argument', () => {
  assert.throws(() => ferrule.__debugRaise('FERRULE_NOPE', 'x'), {
    code: 'FERRULE_INVALID_ARGUMENT',
    message: /FERRULE_NOPE/,
  })
})

test('a panic becomes a thrown FERRULE_INTERNAL error and the process lives on', () => {
  assert.throws(() => ferrule.__debugPanic('invariant broken'), (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'FERRULE_INTERNAL')
    assert.match(err.message, /invariant broken/)
    return true
  })
  assert.equal(typeof ferrule.version(), 'string')
})

test('wrong argument types are TypeErrors with code FERRULE_INVALID_ARGUMENT', () => {
  assert.throws(() => ferrule.__debugRaise(1, 'message'), (err) => {
    assert.ok(err instanceof TypeError)
    assert.equal(err.code, 'FERRULE_INVALID_ARGUMENT')
    assert.equal(err.cause.code, 'StringExpected', 'napi\'s own error is kept as the cause')
    assert.ok(ferrule.isFerruleError(err))
    return true
  })
  assert.throws(() => ferrule.__debugRaise('FERRULE_PARSE', 'm', 'not a number'), {
    name: 'TypeError',
    code: 'FERRULE_INVALID_ARGUMENT',
  })
})

test('isFerruleError tells ferrule errors from others', () => {
  assert.equal(ferrule.isFerruleError(new Error('x')), false)
  assert.equal(ferrule.isFerruleError(Object.assign(new Error('x'), { code: 'ENOENT' })), false)
  assert.equal(ferrule.isFerruleError({ code: 'FERRULE_PARSE' }), false, 'not an Error')
  assert.equal(ferrule.isFerruleError(undefined), false)
})
