// Shared timing harness of the Node comparison scripts: medians and ratios, side by side.

export function measure(name, fn, { repeat = 7, number = 1 } = {}) {
  fn()
  const runs = []
  for (let r = 0; r < repeat; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < number; i++) fn()
    runs.push(Number(process.hrtime.bigint() - start) / 1e9 / number)
  }
  const sorted = [...runs].sort((a, b) => a - b)
  return { name, medianS: sorted[Math.floor(sorted.length / 2)], runs }
}

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
