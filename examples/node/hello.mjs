// Prints ferrule's version and what it detected about this CPU (node examples/node/hello.mjs).
import assert from 'node:assert/strict'
import ferrule from '../../bindings-node/index.js'

const { isa, features } = ferrule.capabilities()
console.log(`ferrule ${ferrule.version()} (Node ${process.version})`)
console.log(`SIMD level: ${isa}`)
console.log(`CPU features: ${features.join(' ')}`)

// Errors are Error objects with a stable `code`, the same codes as in Python and C. A typo in
// FERRULE_MAX_ISA is reported, not ignored.
process.env.FERRULE_MAX_ISA = 'avx3'
try {
  assert.throws(() => ferrule.capabilities(), (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'FERRULE_INVALID_ARGUMENT')
    console.log(`errors carry a code: [${err.code}] ${err.message}`)
    return true
  })
} finally {
  delete process.env.FERRULE_MAX_ISA
}
