#!/usr/bin/env node
// Runs every vitest project once (unit and privileged), then prints the one summary line CI reads:
//   tests: N passed, M failed, K skipped
// A test file that fails to load (no test ran) counts as one failed test, so a broken suite is never silent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const report = join(root, '.vitest-report.json');
rmSync(report, { force: true });

const vitest = spawnSync(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);

if (!existsSync(report)) {
  console.log('tests: 0 passed, 1 failed, 0 skipped');
  console.error(`vitest wrote no report (exit ${vitest.status ?? vitest.signal})`);
  process.exit(1);
}

const summary = JSON.parse(readFileSync(report, 'utf8'));
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of summary.testResults ?? []) {
  const assertions = file.assertionResults ?? [];
  for (const a of assertions) {
    if (a.status === 'passed') passed++;
    else if (a.status === 'failed') failed++;
    else skipped++;
  }
  if (file.status === 'failed' && !assertions.some((a) => a.status === 'failed')) {
    failed++;
    console.error(`suite failed without a failing test (load error?): ${file.name}\n${file.message ?? ''}`);
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || vitest.status !== 0 ? 1 : 0);
