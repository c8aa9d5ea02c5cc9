// The victim of the crash test (tools/chaos/chaos.ts): a kiosk that queues visits with known ids and
// syncs them in the background, killed with SIGKILL at random moments by its parent. It holds no
// state outside the kiosk's own data folder, so each run resumes where the last one died.
import { createHash } from 'node:crypto';
import { openHeadlessKiosk, syntheticVisit } from '../harness/headless-kiosk.js';

/** The id of visit i in a chaos run: known in advance so the parent can count losses. */
export function chaosVisitId(seed: number, i: number): string {
  const h = createHash('sha256').update(`kelu-chaos:${seed}:${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function runChild(argv: string[]): Promise<void> {
  const get = (name: string) => argv[argv.indexOf(`--${name}`) + 1] ?? '';
  const dataDir = get('data-dir');
  const upstreamUrl = get('upstream');
  const visits = Number(get('visits'));
  const seed = Number(get('seed'));
  const kiosk = await openHeadlessKiosk(
    dataDir,
    { sync: { upstreamUrl, intervalMs: 1000 } },
    { batchSize: 10, requestTimeoutMs: 2000, baseBackoffMs: 5, maxBackoffMs: 50, intervalMs: 5 },
  );
  const has = kiosk.db.prepare('SELECT 1 FROM receipts WHERE visit_id = ?');
  process.stdout.write('ready\n');
  // Sync runs in the background while visits are being created, as in the kiosk.
  kiosk.sync.engine.start();
  for (let i = 0; i < visits; i++) {
    const id = chaosVisitId(seed, i);
    if (has.get(id)) continue;
    await kiosk.queue.queueVisit(syntheticVisit(i, id));
    if (i % 7 === 0) await new Promise((r) => setImmediate(r));
  }
  await kiosk.sync.engine.stop();
  const result = await kiosk.sync.engine.drain({ untilEmpty: true, deadlineMs: 120_000 });
  kiosk.close();
  process.stdout.write(`done ${JSON.stringify({ remaining: result.remaining })}\n`);
}

if (process.argv.includes('--chaos-child')) {
  runChild(process.argv).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`chaos child: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
