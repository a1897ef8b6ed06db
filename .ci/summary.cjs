// Prints one closing line for CI from the suites' JSON reports: "N passed, N failed".
const { readFileSync } = require('node:fs')
let passed = 0
let failed = 0
for (const suite of ['unit', 'e2e']) {
  const report = JSON.parse(readFileSync(`test-results/${suite}.json`, 'utf8'))
  passed += report.numPassedTests
  failed += report.numFailedTests
}
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 || passed === 0 ? 1 : 0
