#!/usr/bin/env node
// `npm test`: type-check each runtime's program, lint (the layer allow-list), the import graph (no
// cycle, nothing back up a level), the function length (check:functions), the format, build the app,
// run every vitest suite, then print the one closing line CI reads: `N passed, N failed` (each check
// before the suites counts as one).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const extra = process.argv.slice(2);
const run = (label, cmd, args) => {
  console.log(`\n== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  return r.status === 0;
};

let passed = 0;
let failed = 0;
let skipped = 0;
for (const [label, cmd, args] of [
  ...['std', 'node', 'web', 'tools'].map((runtime) => [
    `type-check (${runtime})`,
    'npx',
    ['tsc', '--noEmit', '-p', `tsconfig.${runtime}.json`],
  ]),
  ['lint', 'npx', ['eslint', '--max-warnings=0', '.']],
  ['import graph', 'npx', ['tsx', 'tools/import-graph.ts', 'electron', 'electron/core', 'upstream', 'tools']],
  ['function length', 'npx', ['tsx', 'tools/long-functions.ts', '--max', '150']],
  ['format', 'npx', ['prettier', '--check', '.']],
  ['build', 'npx', ['electron-vite', 'build']],
]) {
  if (run(label, cmd, args)) passed++;
  else failed++;
}

mkdirSync('.tmp', { recursive: true });
const report = '.tmp/vitest-report.json';
run('tests', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...extra,
]);
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  // A suite that failed to load has no tests in it but must still count.
  failed += r.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
} else {
  failed++;
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed ? 1 : 0);
