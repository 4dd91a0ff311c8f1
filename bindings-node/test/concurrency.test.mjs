// Concurrency (issue #7): the addon loaded in several worker_threads at once, parsing logs,
// interning into pools and doing vector math, and the async calls (parseFileAsync, cdistAsync,
// topkAsync, internLinesAsync) running on the libuv pool while the main thread makes synchronous
// calls. Every result must equal the one computed on the main thread alone (compared as digests
// of every byte, see fixtures/work.mjs); a deadlock must fail the test, not hang it.
//
// Each test has a timeout; a deadlock inside a synchronous native call would block the event
// loop that runs those timeouts, so a watchdog thread also kills the whole process after
// WATCHDOG_MS (it keeps running while the main thread is blocked).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import * as work from './fixtures/work.mjs'

const WORKER = new URL('./fixtures/worker.mjs', import.meta.url)
const FERRULE = fileURLToPath(new URL('../ferrule.js', import.meta.url))
const TEST_TIMEOUT_MS = 30_000
const WATCHDOG_MS = 90_000

let watchdog
before(() => {
  watchdog = new Worker(`
    const { writeSync } = require('node:fs')
    setTimeout(() => {
      writeSync(2, 'concurrency.test.mjs: watchdog: still running after ${WATCHDOG_MS} ms (a deadlock?); killing the process\\n')
      process.kill(process.pid, 'SIGKILL')
    }, ${WATCHDOG_MS})`, { eval: true })
  watchdog.unref()
})
after(() => watchdog.terminate())

// The single-threaded results, computed on the main thread before anything runs beside it.
const reference = {}
const shared = work.sharedDatabase()
before(async () => {
  reference.logs = work.logsJob()
  reference.pool = work.poolJob()
  reference.vector = work.vectorJob(shared)
  // The async twins, one at a time (nothing else running).
  reference.logsAsync = await work.logsAsyncJob()
  reference.vectorAsync = await work.vectorAsyncJob(shared)
  reference.poolAsync = await work.poolAsyncJob()
})

// The async results must also agree with the synchronous ones where they compute the same thing.
test('the async twins agree with the synchronous calls (single-threaded)', () => {
  for (const key of ['parseFile', 'parseFileThreads2', 'parseBuffer']) {
    assert.equal(reference.logsAsync[key], reference.logs[key], key)
  }
  for (const key of ['cdist32', 'cdist64', 'topk32', 'topk64']) {
    assert.equal(reference.vectorAsync[key], reference.vector[key], key)
  }
  // The output does not depend on the thread count; different parses give different digests.
  assert.equal(reference.logs.parseFileThreads2, reference.logs.parseFile)
  const { parseFile, parseBuffer, readBatches, createParser } = reference.logs
  assert.equal(new Set([parseFile, parseBuffer, readBatches, createParser]).size, 4, 'the digests tell results apart')
})

function runWorker(workerData) {
  const worker = new Worker(WORKER, { workerData })
  const done = new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)))
  })
  return { worker, done }
}

function checkDigests(digests, label) {
  assert.ok(digests.length > 0, label)
  for (const { job, round, result } of digests) {
    assert.deepEqual(result, reference[job], `${label}: ${job} (round ${round}) differs from the main thread's`)
  }
}

test('4 workers parse, intern and compute at once: the same results as one thread', { timeout: TEST_TIMEOUT_MS },
  async () => {
    const runs = Array.from({ length: 4 }, (_, i) => runWorker({
      jobs: [['logs', 'pool', 'vector'], ['vector', 'logs', 'pool'], ['pool', 'vector', 'logs'], ['logs', 'vector', 'pool']][i],
      rounds: 1,
      shared,
    }))
    const results = await Promise.all(runs.map((r) => r.done))
    results.forEach(({ digests }, i) => {
      assert.equal(digests.length, 3)
      checkDigests(digests, `worker ${i}`)
    })
  })

test('async calls on the libuv pool beside synchronous calls on the main thread', { timeout: TEST_TIMEOUT_MS },
  async () => {
    // Several of each async call in flight at once (more tasks than libuv's 4 threads)...
    const pending = []
    for (let i = 0; i < 3; i++) {
      pending.push(work.logsAsyncJob().then((r) => ['logsAsync', r]))
      pending.push(work.vectorAsyncJob(shared).then((r) => ['vectorAsync', r]))
      pending.push(work.vectorAsyncJob().then((r) => ['vectorAsync', r])) // ArrayBuffer inputs (copied)
      pending.push(work.poolAsyncJob().then((r) => ['poolAsync', r]))
    }
    // ...while the main thread makes synchronous calls of every kind.
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(work.vectorJob(shared), reference.vector)
      assert.deepEqual(work.logsJob(), reference.logs)
      assert.deepEqual(work.poolJob(), reference.pool)
    }
    const settled = await Promise.all(pending)
    assert.equal(settled.length, 12)
    for (const [job, result] of settled) assert.deepEqual(result, reference[job], job)
  })

test('workers, async tasks and the main thread all at once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const runs = Array.from({ length: 3 }, (_, i) => runWorker({
    jobs: [['logs', 'pool', 'vector'], ['pool', 'vector', 'logs'], ['vector', 'logs', 'pool']][i],
    rounds: 1,
    shared,
    async: true,
  }))
  const mainAsync = Promise.all([work.vectorAsyncJob(shared), work.logsAsyncJob(), work.poolAsyncJob()])
  assert.deepEqual(work.poolJob(), reference.pool)
  assert.deepEqual(work.vectorJob(shared), reference.vector)
  const [vectorAsync, logsAsync, poolAsync] = await mainAsync
  assert.deepEqual(vectorAsync, reference.vectorAsync)
  assert.deepEqual(logsAsync, reference.logsAsync)
  assert.deepEqual(poolAsync, reference.poolAsync)
  for (const [i, { digests }] of (await Promise.all(runs.map((r) => r.done))).entries()) {
    assert.equal(digests.length, 6)
    checkDigests(digests, `worker ${i}`)
  }
})

test('the addon works in a new worker after the previous one was terminated', { timeout: TEST_TIMEOUT_MS },
  async () => {
    for (let round = 0; round < 3; round++) {
      const { worker, done } = runWorker({ jobs: ['vector', 'pool'], rounds: 1, shared })
      checkDigests((await done).digests, `round ${round}`)
      await worker.terminate()
    }
  })

test('terminating a worker while its async tasks run leaves the process and new workers working',
  { timeout: TEST_TIMEOUT_MS }, async () => {
    for (let round = 0; round < 3; round++) {
      const worker = new Worker(WORKER, { workerData: { mode: 'inflight', shared } })
      const errors = []
      worker.on('error', (err) => errors.push(err))
      await new Promise((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before starting its tasks`)))
      })
      await worker.terminate()
      assert.deepEqual(errors, [], `round ${round}: the terminated worker reported errors`)
    }
    // Tasks of terminated environments may still be finishing on the libuv pool: new work on
    // every thread must not be disturbed.
    const { done } = runWorker({ jobs: ['logs', 'pool', 'vector'], rounds: 1, shared, async: true })
    const mainAsync = Promise.all([work.vectorAsyncJob(shared), work.logsAsyncJob()])
    checkDigests((await done).digests, 'new worker')
    const [vectorAsync, logsAsync] = await mainAsync
    assert.deepEqual(vectorAsync, reference.vectorAsync)
    assert.deepEqual(logsAsync, reference.logsAsync)
  })

test('the addon loaded first in a worker, then in the main thread, in a fresh process', { timeout: TEST_TIMEOUT_MS },
  () => {
    const script = `
      const { Worker } = require('node:worker_threads')
      const ferrule = ${JSON.stringify(FERRULE)}
      const worker = new Worker(\`
        const { parentPort } = require('node:worker_threads')
        const { vector, StringPool } = require(\${JSON.stringify(ferrule)})
        const pool = new StringPool()
        pool.internMany(['a', 'b', 'a'])
        parentPort.postMessage([vector.cdist(Float32Array.of(1, 2), Float32Array.of(3, 5), 2)[0], pool.size])\`,
        { eval: true })
      worker.once('message', async (fromWorker) => {
        await worker.terminate()
        const { vector, StringPool, logs } = require(ferrule)
        const pool = new StringPool()
        pool.internMany(['x', 'y', 'z', 'x'])
        const table = logs.parseBuffer(Buffer.from('1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 5\\n'))
        console.log(JSON.stringify({ fromWorker, main: [vector.cdist(Float32Array.of(1, 2), Float32Array.of(3, 5), 2)[0],
          pool.size, table.column('status')[0]] }))
      })`
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: TEST_TIMEOUT_MS - 5000 })
    assert.equal(child.status, 0, `exit ${child.status} ${child.signal ?? ''}\n${child.stderr}`)
    assert.deepEqual(JSON.parse(child.stdout), { fromWorker: [13, 2], main: [13, 3, 200] })
  })
