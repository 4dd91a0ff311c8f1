// Shared timing harness of the Node comparison scripts: medians and ratios, side by side.
//
// compare() interleaves the contenders (round robin, the order rotating every round) rather than
// timing each one to completion in turn: in one process, whatever runs first or last otherwise
// gets a different JIT and cache state, which skews a comparison.

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

/** Prints one table: median time per unit and each contender's time relative to `baseline`. */
export function report(title, results, { baseline = 'ferrule', unitCount = 1, unit = 'call' } = {}) {
  const base = results.find((r) => r.name === baseline)
  console.log(`\n${title}`)
  console.log(`${'contender'.padEnd(28)} ${('median / ' + unit).padStart(16)} ${('vs ' + baseline).padStart(12)}`)
  for (const r of results) {
    const perUnitNs = (r.medianS / unitCount) * 1e9
    const ratio = r.medianS / base.medianS
    console.log(`${r.name.padEnd(28)} ${perUnitNs.toFixed(1).padStart(13)} ns ${ratio.toFixed(2).padStart(11)}x`)
  }
}
