// Prints ferrule's version and what it detected about this CPU (node examples/node/hello.mjs).
// Try FERRULE_MAX_ISA=scalar to cap the SIMD level, and FERRULE_MAX_ISA=avx3 to see an error.
import ferrule from '../../bindings-node/ferrule.js'

console.log(`ferrule ${ferrule.version()} (Node ${process.version})`)
try {
  const { isa, features } = ferrule.capabilities()
  console.log(`SIMD level: ${isa}`)
  console.log(`CPU features: ${features.join(' ')}`)
} catch (err) {
  // Every ferrule error is an Error with a stable `code`, the same codes as in Python and C.
  console.error(`[${err.code}] ${err.message}`)
  process.exit(1)
}
