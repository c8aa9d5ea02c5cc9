/**
 * Sync benchmark (`npm run bench -- --sync`): enqueue latency (seal + sign + durable insert, as a
 * patient waits for it) over a 10,000-visit backlog, then the rate at which that backlog drains to
 * the reference upstream on loopback, which runs in its own process (as a real upstream would) and
 * verifies, opens, dedupes and stores every visit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { toB64 } from '../../electron/core/platform/crypto/index.js';
import { devUpstreamKeyPairFile } from '../../electron/core/delivery/keys/index.js';
import { openHeadlessKiosk, syntheticVisit } from '../harness/headless-kiosk.js';
import { percentile } from '../percentile.js';

const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

export interface SyncBenchOptions {
  visits?: number;
  batchSize?: number;
  progress?: (line: string) => void;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function runSyncBench(options: SyncBenchOptions = {}): Promise<Record<string, number>> {
  const visits = options.visits ?? 10_000;
  const batchSize = options.batchSize ?? 250;
  const log = options.progress ?? (() => {});
  const root = mkdtempSync(join(tmpdir(), 'kelu-syncbench-'));
  const upstreamProc = spawn(
    process.execPath,
    [
      join(projectRoot, 'node_modules/tsx/dist/cli.mjs'),
      join(projectRoot, 'upstream/cli.ts'),
      '--port',
      '0',
      '--data-dir',
      join(root, 'up'),
      '--key',
      devUpstreamKeyPairFile(),
    ],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const info = JSON.parse(
      await new Promise<string>((res, rej) => {
        createInterface({ input: upstreamProc.stdout! }).once('line', res);
        upstreamProc.once('exit', (c) => rej(new Error(`the upstream exited with ${c}`)));
      }),
    ) as { listening: string; adminToken: string };
    const kiosk = await openHeadlessKiosk(
      join(root, 'kiosk'),
      { sync: { upstreamUrl: info.listening } },
      { batchSize, requestTimeoutMs: 60_000 },
    );
    await fetch(`${info.listening}/admin/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ deviceId: kiosk.keys.device.deviceId, publicKey: toB64(kiosk.keys.device.publicKey) }),
    });

    log(`sync bench: queueing ${visits} visits`);
    const times: number[] = [];
    const tQueue = performance.now();
    for (let i = 0; i < visits; i++) {
      const v = syntheticVisit(i);
      const t0 = performance.now();
      await kiosk.queue.queueVisit(v);
      times.push(performance.now() - t0);
    }
    const queueSeconds = (performance.now() - tQueue) / 1000;

    log(`sync bench: draining to ${info.listening} in batches of ${batchSize}`);
    const t1 = performance.now();
    const result = await kiosk.sync.engine.drain({ untilEmpty: true, deadlineMs: 600_000 });
    const drainSeconds = (performance.now() - t1) / 1000;
    kiosk.close();
    if (result.accepted !== visits || result.remaining !== 0)
      throw new Error(`the drain delivered ${result.accepted} of ${visits}`);
    return {
      sync_visits_per_s: round(visits / drainSeconds, 1),
      sync_drain_s: round(drainSeconds, 2),
      sync_batch_size: batchSize,
      enqueue_p50_ms: round(percentile(times, 50)),
      enqueue_p95_ms: round(percentile(times, 95)),
      enqueue_per_s: round(visits / queueSeconds, 1),
    };
  } finally {
    upstreamProc.kill('SIGTERM');
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runSyncBench({ progress: (l) => process.stderr.write(`${l}\n`) }).then(
    (r) => console.log(JSON.stringify(r)),
    (err: unknown) => {
      console.error(`sync bench: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
