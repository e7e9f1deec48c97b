#!/usr/bin/env node
// Prints one line `tests: N passed, N failed` over jest's JSON report and cargo test output.
const fs = require('fs');
const [jestFile, cargoFile] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (jestFile && fs.existsSync(jestFile)) {
  const r = JSON.parse(fs.readFileSync(jestFile, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests + (r.numRuntimeErrorTestSuites || 0);
  skipped += r.numPendingTests + r.numTodoTests;
} else {
  failed += 1;
  console.error('no jest report found');
}
if (cargoFile && fs.existsSync(cargoFile)) {
  for (const m of fs.readFileSync(cargoFile, 'utf8').matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
    skipped += Number(m[3]);
  }
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
