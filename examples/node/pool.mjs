// Dictionary-encodes the request paths of an access log with a string pool, counts the hits per
// path, and saves the dictionary (node examples/node/pool.mjs). Checks its own output.
import ferrule from '../../bindings-node/ferrule.js'

// One path per line, as `cut -d' ' -f7 access.log` would give: in real use, millions of lines.
const paths = Buffer.from(
  ['/index.html', '/api/users', '/index.html', '/static/app.js', '/api/users', '/index.html',
    '/café/menu', '/static/app.js', '/index.html'].join('\n') + '\n',
)

const pool = new ferrule.StringPool()
// One id per line, each distinct path stored once; the work runs off the main thread.
const ids = await pool.internLinesAsync(paths)

const hits = new Uint32Array(pool.size)
for (const id of ids) hits[id]++
const ranked = Uint32Array.from(hits.keys()).sort((a, b) => hits[b] - hits[a] || a - b)
const top = pool.resolveMany(ranked)
top.forEach((path, rank) => console.log(`${hits[ranked[rank]]} ${path}`))

// The dictionary round-trips with the same ids: store it beside the encoded column.
const restored = ferrule.StringPool.fromBuffer(pool.toBuffer())
console.log(`${ids.length} lines, ${pool.size} distinct paths, dictionary of ${pool.toBuffer().length} bytes`)

const problems = []
if (top.join(' ') !== '/index.html /api/users /static/app.js /café/menu') problems.push(`ranking: ${top}`)
if (Array.from(ranked, (id) => hits[id]).join(' ') !== '4 2 2 1') problems.push(`counts: ${hits}`)
if (restored.resolveMany(ids).join('\n') + '\n' !== paths.toString()) problems.push('round trip')
if (restored.get('/api/users') !== pool.get('/api/users')) problems.push('ids changed')
if (problems.length > 0) {
  console.error(`unexpected output: ${problems.join('; ')}`)
  process.exit(1)
}
