#!/usr/bin/env node
// npm test: typecheck, build and package both browser targets, then every Vitest
// project (unit, integration, postgres, e2e) into one JSON report. Ends with the plain line
// "N passed, N failed[, N skipped]" counted over everything it ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const REPORT = 'test-results/report.json';
let passed = 0;
let failed = 0;
let skipped = 0;

function step(name, command, args) {
  const started = Date.now();
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  const ok = result.status === 0;
  console.log(`${ok ? '✔' : '✘'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return ok;
}

fs.mkdirSync('test-results', { recursive: true });
fs.rmSync(REPORT, { force: true });

for (const [name, args] of [
  ['typecheck', ['tsc', '--noEmit']],
  // `wxt zip` builds and then packages, exactly as `npm run zip` does for a release: the e2e tests load the
  // builds, test/e2e/packages.test.ts reads the zips (SENDWAY_PACKAGES_READY), nothing is built twice.
  ['build + package', ['wxt', 'zip', '-b', 'chrome']],
  ['build + package firefox', ['wxt', 'zip', '-b', 'firefox']],
  ['addons-linter (Firefox build)', ['node', 'scripts/lint-firefox.mjs']],
]) {
  if (step(name, 'npx', args)) passed++;
  else failed++;
}

const extra = process.argv.slice(2);
process.env.SENDWAY_PACKAGES_READY = '1';
const vitestOk = step('vitest', 'npx', [
  'vitest', 'run',
  '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`,
  ...extra,
]);

if (fs.existsSync(REPORT)) {
  const report = JSON.parse(fs.readFileSync(REPORT, 'utf8'));
  const failedBefore = failed;
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  // A suite that failed to load has no failed tests but did fail.
  for (const file of report.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).every((a) => a.status !== 'failed')) {
      console.log(`✘ suite failed to run: ${file.name}: ${file.message ?? ''}`);
      failed++;
    }
  }
  // Vitest also fails a run whose tests all passed when something escaped them: an unhandled error or
  // rejection (a crashed server, a stray socket error). The report counts no failed test for it, so the
  // exit status (or `success: false`) is what says so; count it as one failure rather than pass the run.
  if (failed === failedBefore && (!vitestOk || report.success === false)) {
    console.log('✘ vitest failed without a failed test (an unhandled error: see its output above)');
    failed++;
  }
} else {
  console.log('✘ vitest wrote no report');
  failed++;
}

console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
