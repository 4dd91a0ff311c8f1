// Finds the log messages most similar to a query and flags near-duplicate messages, with
// ferrule's vector math on embeddings (node examples/node/vector.mjs). Checks its own output.
//
// The "embedding" is a toy (hashed character trigrams, 512 dimensions) so the example needs no
// model; real ones come from a model as Float32Arrays and go through the same calls.
import { vector } from '../../bindings-node/ferrule.js'

const DIM = 512

function embed(text) {
  const v = new Float32Array(DIM)
  const t = ` ${text.toLowerCase()} `
  for (let i = 0; i + 3 <= t.length; i++) {
    let h = 2166136261
    for (let k = i; k < i + 3; k++) h = Math.imul(h ^ t.charCodeAt(k), 16777619)
    v[(h >>> 0) % DIM] += 1
  }
  return vector.normalize(v, v) // unit length, in place
}

const messages = [
  'connection refused by upstream server',
  'upstream server refused the connection',
  'disk quota exceeded on /var/log',
  'user login succeeded',
  'user login failed: bad password',
  'timeout while reading response from upstream',
  'disk almost full on /var/log',
]

// One flat row-major matrix: row i is message i.
const matrix = new Float32Array(messages.length * DIM)
messages.forEach((m, i) => matrix.set(embed(m), i * DIM))

// The 3 messages closest to a query, by cosine distance; off the event loop.
const query = embed('upstream refused connection')
const { indices, distances } = await vector.topkAsync(query, matrix, DIM, 3)
console.log('closest to "upstream refused connection":')
indices.forEach((row, rank) => console.log(`  ${distances[rank].toFixed(3)}  ${messages[row]}`))

// Every pair at once: near-duplicates are pairs of distinct messages at cosine distance < 0.3.
const all = vector.cdist(matrix, matrix, DIM, { metric: 'cosine' })
const duplicates = []
for (let i = 0; i < messages.length; i++) {
  for (let j = i + 1; j < messages.length; j++) {
    if (all[i * messages.length + j] < 0.3) duplicates.push([i, j])
  }
}
console.log('near-duplicates:')
for (const [i, j] of duplicates) console.log(`  "${messages[i]}" ~ "${messages[j]}"`)

// One query against every row, and the plain 1:1 call agree.
const row = vector.oneToMany(query, matrix)
const problems = []
if (indices[0] !== 0 || indices[1] !== 1) problems.push(`ranking ${Array.from(indices)}`)
if (Math.abs(row[indices[0]] - distances[0]) > 1e-6) problems.push('oneToMany vs topk')
if (Math.abs(vector.cosineDistance(query, matrix.subarray(0, DIM)) - row[0]) > 1e-6) problems.push('1:1 vs oneToMany')
if (JSON.stringify(duplicates) !== '[[0,1]]') problems.push(`duplicates ${JSON.stringify(duplicates)}`)
if (Math.abs(vector.norm(query) - 1) > 1e-6) problems.push('normalize')
if (problems.length > 0) {
  console.error(`unexpected output: ${problems.join('; ')}`)
  process.exit(1)
}
