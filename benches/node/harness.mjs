// Shared timing harness of the Node comparison scripts: medians and ratios, side by side.
//
// compare() interleaves the contenders (round robin, the order rotating every round) rather than
// timing each one to completion in turn: in one process, whatever runs first or last otherwise
// gets a different JIT and cache state, which skews a comparison.
//
// When the environment variable FERRULE_BENCH_JSON names a file, every table a script reports is
// also appended to it as one JSON line (emit()), in the shape benches/python/harness.py documents
// ("runtime": "node"), which scripts/bench_report.py turns into charts and markdown tables.
import { appendFileSync, mkdirSync } from 'node:fs'
import { basename, dirname } from 'node:path'

/** Times each `[name, fn]` `repeat` rounds (each round calls fn `number` times); medians in s. */
export function compare(contenders, { repeat = 9, number = 1 } = {}) {
  for (const [, fn] of contenders) fn()
  const runs = contenders.map(() => [])
  for (let round = 0; round < repeat; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + round) % contenders.length
      const fn = contenders[i][1]
      const start = process.hrtime.bigint()
      for (let n = 0; n < number; n++) fn()
      runs[i].push(Number(process.hrtime.bigint() - start) / 1e9 / number)
    }
  }
  return contenders.map(([name], i) => {
    const sorted = [...runs[i]].sort((a, b) => a - b)
    return { name, medianS: sorted[Math.floor(sorted.length / 2)], runs: runs[i] }
  })
}

/** Prints one table: median time per unit and each contender's time relative to `baseline`.
 * `bytes`, the case's input size, only goes to the JSON line (emit). */
export function report(title, results, { baseline = 'ferrule', unitCount = 1, unit = 'call', bytes = null } = {}) {
  const base = results.find((r) => r.name === baseline)
  console.log(`\n${title}`)
  console.log(`${'contender'.padEnd(28)} ${('median / ' + unit).padStart(16)} ${('vs ' + baseline).padStart(12)}`)
  for (const r of results) {
    const perUnitNs = (r.medianS / unitCount) * 1e9
    const ratio = r.medianS / base.medianS
    console.log(`${r.name.padEnd(28)} ${perUnitNs.toFixed(1).padStart(13)} ns ${ratio.toFixed(2).padStart(11)}x`)
  }
  emit(title, results, { baseline, unit, unitCount, bytes })
}

/**
 * Appends the table as one JSON line to the file FERRULE_BENCH_JSON names; nothing when it is
 * unset or empty. Results are `{ name, medianS, runs }`, plus `cpuMedianS` and `cpuRuns` where
 * `basis` is 'cpu' (the ratios then compare CPU time), and `bytes` / `unitCount` for a contender
 * that read another input than the table's. `script` defaults to the running script's file name,
 * `group` to that name without `bench_` and the extension.
 */
export function emit(title, results, { baseline, unit, unitCount, bytes = null, basis = 'wall', group, script } = {}) {
  const sink = process.env.FERRULE_BENCH_JSON
  if (!sink) return
  if (basis !== 'wall' && basis !== 'cpu') throw new Error(`basis must be 'wall' or 'cpu', not ${basis}`)
  script ??= basename(process.argv[1])
  group ??= script.replace(/\.[^.]*$/, '').replace(/^bench_/, '')
  // Per byte where sizes are known, else per unit: a contender on a smaller input compares fairly.
  const perUnit = (r) => {
    const seconds = basis === 'cpu' ? r.cpuMedianS : r.medianS
    if (typeof seconds !== 'number') throw new Error(`${title}: ${r.name} has no ${basis} time`)
    return seconds / (bytes !== null ? (r.bytes ?? bytes) : (r.unitCount ?? unitCount))
  }
  const base = perUnit(results.find((r) => r.name === baseline))
  const rows = results.map((r) => {
    const row = { name: r.name, median_s: r.medianS, runs: [...r.runs], ratio_vs_baseline: perUnit(r) / base }
    if (r.cpuMedianS !== undefined) Object.assign(row, { cpu_median_s: r.cpuMedianS, cpu_runs: [...(r.cpuRuns ?? [])] })
    if (r.bytes !== undefined) row.bytes = r.bytes
    if (r.unitCount !== undefined) row.unit_count = r.unitCount
    return row
  })
  const record = {
    runtime: 'node',
    script,
    group,
    title,
    baseline,
    unit,
    unit_count: unitCount,
    bytes,
    basis,
    results: rows,
  }
  mkdirSync(dirname(sink), { recursive: true })
  // One write of one line in append mode: the lines of several scripts never interleave.
  appendFileSync(sink, JSON.stringify(record) + '\n')
}
