// Type-checked (not run) by `tsc --strict` in `make test`: the committed index.d.ts must describe
// the API the way a TypeScript user writes against it.
import { capabilities, version, type Capabilities } from '../index.js'

const caps: Capabilities = capabilities()
const isa: 'scalar' | 'avx2' | 'avx512' | 'neon' = caps.isa
const features: string[] = caps.features
const v: string = version()

try {
  capabilities()
} catch (err) {
  if (err instanceof Error && 'code' in err && err.code === 'FERRULE_INVALID_ARGUMENT') {
    console.log(err.message)
  }
}

// @ts-expect-error: version() takes no argument
version(1)

console.log(isa, features.length, v)
