// The floor cost of any ferrule call from Node: one trip through N-API. Per-item APIs pay this
// on every item; batch APIs pay it once. Compared with a JS function doing the same nothing.
import ferrule from '../../bindings-node/ferrule.js'
import native from '../../bindings-node/index.js'
import { compare, report } from './harness.mjs'

const N = 100_000
const jsVersion = () => '0.1.0'
const loop = (fn) => () => {
  for (let i = 0; i < N; i++) fn()
}

report(`call overhead (${N.toLocaleString('en')} calls)`, compare([
  ['ferrule', loop(ferrule.version)],
  // The same call without the entry point's error-mapping wrapper: what the wrapper costs.
  ['ferrule, unwrapped loader', loop(native.version)],
  ['js function', loop(jsVersion)],
]), { unitCount: N })
