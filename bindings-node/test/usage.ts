// Type-checked (not run) by `tsc --strict` in `make test`: the package's types must describe
// the API the way a TypeScript user writes against it.
import { capabilities, isFerruleError, version, type Capabilities, type FerruleErrorCode } from '../ferrule.js'
import ferrule from '../ferrule.js'

const caps: Capabilities = capabilities()
const isa: 'scalar' | 'avx2' | 'avx512' | 'neon' = caps.isa
const features: string[] = caps.features
const v: string = ferrule.version()

try {
  capabilities()
} catch (err) {
  if (isFerruleError(err)) {
    const code: FerruleErrorCode = err.code
    const line: number | null = err.line
    console.log(code, err.message, line, err.offset)
  }
}

// @ts-expect-error: version() takes no argument
version(1)

// @ts-expect-error: not a ferrule error code
const bad: FerruleErrorCode = 'ENOENT'

console.log(isa, features.length, v, bad)
