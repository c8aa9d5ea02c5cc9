import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../../tools/harness/fixtures.js';

// The benchmark's figures are read by people, never asserted; this only proves the command works
// and reports every key the issue names (a short run: 20 frames, 5 descriptors, no baseline; the
// time-to-ticket part, minutes of simulated patients, is left to `npm run bench` itself).
it(
  'npm run bench -- --json prints one object with every figure, the backend, and no leaked tensor',
  { timeout: 300_000 },
  () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(projectRoot, 'tools/bench/bench.ts'),
        '--json',
        '--frames',
        '20',
        '--describes',
        '5',
        '--no-baseline',
        '--no-time-to-ticket',
      ],
      {
        cwd: projectRoot,
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] as string) as Record<string, unknown>;
    for (const key of [
      'analyze_p50_ms',
      'analyze_p95_ms',
      'describe_p50_ms',
      'describe_p95_ms',
      'cold_start_ms',
      'rss_growth_pct',
    ]) {
      expect(typeof result[key], key).toBe('number');
      expect(Number.isFinite(result[key] as number), key).toBe(true);
    }
    expect(result.backend).toMatch(/^(wasm|tensorflow)$/);
    expect(result.tensors_leaked).toBe(0);
    expect(r.stderr).toMatch(/analyze|describe/);
  },
);
