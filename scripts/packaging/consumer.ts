// A user's TypeScript file, type-checked by scripts/test-packaging.sh against the types of the
// installed `npm pack` tarball (not the source tree): named and default imports, the generic
// LogTable columns, the vector overloads and the error guard must all resolve from the package.
import ferrule, { StringPool, capabilities, isFerruleError, logs, vector, version } from 'ferrule'

const v: string = version()
const isa: string = capabilities().isa
const same: boolean = ferrule.version() === v

const pool = new StringPool()
const id: number = pool.intern('GET')
const ids: Uint32Array = pool.internMany(['GET', 'POST', 'GET'])

const a = new Float32Array([1, 2, 3])
const d: number = vector.dot(a, a)
const c: number = vector.cosineDistance(a, new Float32Array([3, 2, 1]))

const table = logs.parseFile('access.log', { format: 'combined' })
const rows: number = table.numRows
const status: Uint16Array = table.column('status')
const names: readonly string[] = table.columnNames

try {
  logs.parseBuffer(new Uint8Array(0), { format: 'combined', onError: 'raise' })
} catch (err) {
  if (isFerruleError(err)) {
    const code: string = err.code
    console.log(code)
  }
}

export { v, isa, same, id, ids, d, c, rows, status, names }
