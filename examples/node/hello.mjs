// Prints ferrule's version and what it detected about this CPU (node examples/node/hello.mjs).
// Try FERRULE_MAX_ISA=scalar to cap the SIMD level; FERRULE_MAX_ISA=avx3 (no such level) is
// ignored with one warning on stderr.
import ferrule from '../../bindings-node/ferrule.js'

console.log(`ferrule ${ferrule.version()} (Node ${process.version})`)
const { isa, features } = ferrule.capabilities()
console.log(`SIMD level: ${isa}`)
console.log(`CPU features: ${features.join(' ')}`)
