#!/usr/bin/env node
// Prints one line `tests: N passed, N failed` over jest's summary and cargo test output.
const fs = require('fs');
const [jestFile, cargoFile] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
if (jestFile && fs.existsSync(jestFile)) {
  // jest's closing summary, e.g. "Tests:       1 failed, 2 skipped, 432 passed, 435 total"
  const line = fs.readFileSync(jestFile, 'utf8').match(/^Tests:\s+(.*)$/m)?.[1];
  if (!line) {
    failed += 1;
    console.error('jest printed no test summary (did it crash?)');
  } else {
    const count = (word) => Number(line.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
    passed += count('passed');
    failed += count('failed');
    skipped += count('skipped') + count('todo');
  }
} else {
  failed += 1;
  console.error('no jest output found');
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
