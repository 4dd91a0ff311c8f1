// The error model: every thrown error has `code` equal to the core code; panics never abort.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import ferrule from '../index.js'

const CODES = [
  'FERRULE_INVALID_ARGUMENT',
  'FERRULE_LENGTH_MISMATCH',
  'FERRULE_INVALID_UTF8',
  'FERRULE_PARSE',
  'FERRULE_CAPACITY',
  'FERRULE_CORRUPT',
  'FERRULE_IO',
  'FERRULE_INTERNAL',
]

for (const code of CODES) {
  test(`${code} is thrown as an Error with that code`, () => {
    assert.throws(
      () => ferrule.__debugRaise(code, 'something went wrong'),
      (err) => err instanceof Error && err.code === code && err.message === 'something went wrong',
    )
  })
}

test('the location is part of the message', () => {
  assert.throws(
    () => ferrule.__debugRaise('FERRULE_PARSE', 'unterminated quote', 8899, 1234),
    { code: 'FERRULE_PARSE', message: 'unterminated quote (line 8899, byte offset 1234)' },
  )
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
