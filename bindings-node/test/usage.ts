// Type-checked (not run) by `tsc --strict` in `make test`: the package's types must describe
// the API the way a TypeScript user writes against it.
import { capabilities, isFerruleError, version, StringPool, type Capabilities, type FerruleErrorCode } from '../ferrule.js'
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

// The string pool: native methods (index.d.ts) and the ones ferrule.js adds (ferrule.d.ts).
const pool: StringPool = new ferrule.StringPool()
const id: number = pool.intern('GET /index.html')
const fromBytes: number = pool.intern(Buffer.from('GET /index.html'))
const ids: Uint32Array = pool.internMany(['a', 'b', 'a'] as const)
const lineIds: Uint32Array = pool.internLines(Buffer.from('a\nb\n'))
const csvIds: Uint32Array = pool.internLines(new Uint8Array([97, 44, 98]), 44)
const found: number | null = pool.get('a')
const known: boolean = pool.has(new Uint8Array([97]))
const text: string = pool.resolve(id)
const bytes: Buffer = pool.resolveBytes(fromBytes)
const texts: string[] = pool.resolveMany(ids)
const size: number = pool.size
const heap: number = pool.memoryUsage
const copy: StringPool = StringPool.fromBuffer(pool.toBuffer())
const all: string[] = [...copy]
for (const value of copy.values()) console.log(value.length)
async function later(): Promise<Uint32Array> {
  return await pool.internLinesAsync(Buffer.from('x\ny'), 10)
}

// @ts-expect-error: ids are numbers, not strings
pool.resolve('0')
// @ts-expect-error: internMany takes strings only
pool.internMany(['a', 1])
// @ts-expect-error: resolveMany takes a Uint32Array
pool.resolveMany([0, 1])
// @ts-expect-error: size is read-only
pool.size = 3

console.log(isa, features.length, v, bad, found, known, text, bytes, texts, size, heap, all, lineIds, csvIds, later)
