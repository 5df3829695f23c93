#!/usr/bin/env node
// Runs Mozilla's addons-linter on the Firefox build; exits non-zero on any error.
// Warnings are printed (React DOM's own innerHTML code paths show up there; Sendway never uses them).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const dir = path.resolve(process.env.SENDWAY_OUT_DIR || '.output', 'firefox-mv2');
const run = spawnSync('npx', ['addons-linter', dir, '--output', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.error(run.stdout, run.stderr);
  process.exit(1);
}
for (const kind of ['errors', 'warnings']) {
  for (const m of report[kind]) console.log(`${kind === 'errors' ? '✘' : '!'} ${m.code} ${m.file ?? ''}: ${m.message}`);
}
console.log(`addons-linter: ${report.summary.errors} errors, ${report.summary.warnings} warnings, ${report.summary.notices} notices`);
process.exit(report.summary.errors === 0 ? 0 : 1);
