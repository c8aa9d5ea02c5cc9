import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { getSodium, toB64 } from '../../electron/core/platform/crypto/index.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import { writeProvisioning } from '../../electron/core/delivery/keys/index.js';
import { createSyncEngine } from '../../electron/core/delivery/sync/engine.js';
import { settingsFrom } from '../../electron/core/delivery/sync/service.js';
import { register, startDevUpstream } from '../../upstream/harness.js';
import { openHeadlessKiosk, quickSettings, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { useCleanups } from '../support/upstream.js';

const { cleanups, tempDir } = useCleanups();
async function setup(options: { register?: boolean; settings?: typeof quickSettings } = {}) {
  const upstream = await startDevUpstream(tempDir('up'));
  cleanups.push(() => upstream.close());
  const kiosk = await openHeadlessKiosk(
    tempDir('kiosk'),
    { sync: { upstreamUrl: upstream.url } },
    options.settings ?? quickSettings,
  );
  cleanups.push(() => kiosk.close());
  if (options.register !== false) register(upstream, kiosk);
  return { upstream, kiosk };
}
const count = (db: { prepare(s: string): { get(...a: unknown[]): unknown } }, sql: string, ...args: unknown[]) =>
  (db.prepare(sql).get(...args) as { c: number }).c;

describe('sync: delivering the queue', () => {
  it('delivers every queued visit once, deletes the blobs and marks receipts with the verdict', async () => {
    // No request times out here (a batch of 50 can take longer than quickSettings' 400 ms on a loaded
    // machine, and a resent batch is answered "duplicate": right, but not what this test is about).
    const { upstream, kiosk } = await setup({ settings: { ...quickSettings, requestTimeoutMs: 30_000 } });
    const ids: string[] = [];
    for (let i = 0; i < 230; i++) ids.push((await kiosk.queue.queueVisit(syntheticVisit(i))).visitId);
    expect(kiosk.sync.status().queueDepth).toBe(230);

    const result = await kiosk.sync.engine.drain();
    expect(result).toMatchObject({ outcome: 'empty', accepted: 230, duplicate: 0, rejected: 0, remaining: 0 });
    expect(count(kiosk.db, 'SELECT count(*) c FROM outbox')).toBe(0);
    expect(
      count(kiosk.db, "SELECT count(*) c FROM receipts WHERE status = 'synced' AND verdict = 'face-no-reference'"),
    ).toBe(230);
    const received = (upstream.db.prepare('SELECT id FROM visits ORDER BY id').all() as Array<{ id: string }>).map(
      (r) => r.id,
    );
    expect(received).toEqual([...ids].sort());
    const status = kiosk.sync.status();
    expect(status).toMatchObject({ queueDepth: 0, deadLetters: 0, lastError: null, circuit: { state: 'closed' } });
    expect(status.lastSuccessAt).not.toBeNull();
  });

  it('keeps visits and shows the error while the device is not registered; opens the circuit; delivers once registered', async () => {
    const { upstream, kiosk } = await setup({ register: false });
    for (let i = 0; i < 10; i++) await kiosk.queue.queueVisit(syntheticVisit(i));
    for (let i = 0; i < quickSettings.circuitThreshold!; i++) {
      await kiosk.sync.engine.drain();
      await new Promise((r) => setTimeout(r, quickSettings.maxBackoffMs! + 10));
    }
    const status = kiosk.sync.status();
    expect(status.queueDepth).toBe(10);
    expect(status.lastError?.message).toMatch(/403: device .* is not registered/);
    expect(status.circuit.failures).toBeGreaterThanOrEqual(quickSettings.circuitThreshold!);
    expect(status.circuit.state).not.toBe('closed');

    register(upstream, kiosk);
    const result = await kiosk.sync.engine.drain({ untilEmpty: true, deadlineMs: 30_000 });
    expect(result.outcome).toBe('empty');
    expect(kiosk.sync.status()).toMatchObject({ queueDepth: 0, circuit: { state: 'closed', failures: 0 } });
    expect(count(upstream.db, 'SELECT count(*) c FROM visits')).toBe(10);
  });

  it('dead-letters rejected visits with the reason, never retries them silently, and requeues them only on request', async () => {
    const { upstream, kiosk } = await setup();
    // Pin a key the upstream does not hold: it can verify the signature but not open the envelope.
    const sodium = await getSodium();
    const other = sodium.crypto_box_keypair();
    const otherKeyId = 'other-key-0001';
    const pinned = writeProvisioning(kiosk.dataDir, {
      ...kiosk.keys.provisioning,
      upstreamPublicKey: toB64(other.publicKey),
      upstreamKeyId: otherKeyId,
      development: false,
    });
    const original = kiosk.keys.provisioning;
    kiosk.keys.provisioning = pinned;
    const bad = await kiosk.queue.queueVisit(syntheticVisit(1));
    kiosk.keys.provisioning = { ...original, upstreamKeyId: otherKeyId }; // same id, so the engine sends it
    const r1 = await kiosk.sync.engine.drain();
    expect(r1).toMatchObject({ rejected: 1, accepted: 0 });
    const dead = kiosk.sync.outbox.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ visitId: bad.visitId, ticket: bad.ticket, maskedIin: bad.maskedIin });
    expect(dead[0]!.reason).toMatch(/cannot-open/);
    expect(kiosk.sync.status().deadLetters).toBe(1);

    // A later run does not send it again.
    const before = count(upstream.db, 'SELECT count(*) c FROM receipts_log');
    const r2 = await kiosk.sync.engine.drain();
    expect(r2.sent).toBe(0);
    expect(count(upstream.db, 'SELECT count(*) c FROM receipts_log')).toBe(before);

    expect(kiosk.sync.outbox.requeueDead([bad.visitId])).toBe(1);
    expect(kiosk.sync.status().deadLetters).toBe(0);
    expect(kiosk.sync.status().queueDepth).toBe(1);
  });

  it('honours Retry-After on 429 before trying again', async () => {
    const { upstream, kiosk } = await setup();
    await kiosk.queue.queueVisit(syntheticVisit(1));
    upstream.setFaults('429:1');
    const t0 = Date.now();
    const r = await kiosk.sync.engine.drain();
    expect(r).toMatchObject({ outcome: 'failed', failures: 1, lastError: 'upstream busy (429)' });
    // The upstream asked for 1 s: the next attempt is scheduled then, beyond the usual backoff cap.
    const next = Date.parse(kiosk.sync.status().circuit.nextAttemptAt ?? '0');
    expect(next - t0).toBeGreaterThanOrEqual(1000);
    expect(quickSettings.maxBackoffMs).toBeLessThan(1000);
    upstream.setFaults('');
    expect((await kiosk.sync.engine.drain({ untilEmpty: true, deadlineMs: 20_000 })).outcome).toBe('empty');
  });
});

describe('sync: the upstream address', () => {
  it('refuses plain HTTP to anything but loopback, even from the configuration file', async () => {
    const kiosk = await openHeadlessKiosk(
      tempDir('kiosk'),
      { sync: { upstreamUrl: 'http://upstream.example.kz' } },
      quickSettings,
    );
    cleanups.push(() => kiosk.close());
    await kiosk.queue.queueVisit(syntheticVisit(1));
    const r = await kiosk.sync.engine.drain();
    expect(r).toMatchObject({ outcome: 'failed', sent: 0, remaining: 1 });
    expect(kiosk.sync.status().lastError?.message).toMatch(/must use HTTPS/);
  });
});

describe('sync: shutting down', () => {
  it('stop() ends an until-empty run that is waiting out a long backoff, leaving its visits queued', async () => {
    const upstream = await startDevUpstream(tempDir('up'));
    const url = upstream.url;
    await upstream.close(); // nothing listens there any more
    const kiosk = await openHeadlessKiosk(
      tempDir('kiosk'),
      { sync: { upstreamUrl: url } },
      { ...quickSettings, baseBackoffMs: 40_000, maxBackoffMs: 40_000, circuitThreshold: 1 },
    );
    cleanups.push(() => kiosk.close());
    await kiosk.queue.queueVisit(syntheticVisit(1));
    const run = kiosk.sync.engine.drain({ untilEmpty: true, deadlineMs: 50_000 });
    await expect.poll(() => kiosk.sync.engine.progress()?.failures ?? 0).toBeGreaterThan(0);
    await kiosk.sync.engine.stop();
    expect(await run).toMatchObject({ outcome: 'stopped', remaining: 1 });
    // A later run starts normally.
    expect((await kiosk.sync.engine.drain()).outcome).not.toBe('stopped');
  });
});

describe('sync: storage failures reach IT', () => {
  it('a visit that cannot be stored shows in status; what was queued before stays queued', async () => {
    const kiosk = await openHeadlessKiosk(tempDir('kiosk'), {}, quickSettings);
    cleanups.push(() => kiosk.close());
    await kiosk.queue.queueVisit(syntheticVisit(1));
    expect(kiosk.sync.status().storageError).toBeNull();
    kiosk.db.pragma(`max_page_count = ${kiosk.db.pragma('page_count', { simple: true }) as number}`);
    let failed = false;
    for (let i = 2; i < 60 && !failed; i++)
      await kiosk.queue.queueVisit(syntheticVisit(i)).catch(() => (failed = true));
    expect(failed).toBe(true);
    const status = kiosk.sync.status();
    expect(status.storageError?.kind).toBe('disk-full');
    expect(status.queueDepth).toBeGreaterThanOrEqual(1);
  });
});

describe('sync: the IT chart', () => {
  it('has queue-depth points while the kiosk is offline', async () => {
    const kiosk = await openHeadlessKiosk(tempDir('kiosk'), {}, quickSettings); // no upstream configured
    cleanups.push(() => kiosk.close());
    for (let i = 0; i < 3; i++) await kiosk.queue.queueVisit(syntheticVisit(i));
    expect((await kiosk.sync.engine.drain()).outcome).toBe('no-upstream');
    const offline = kiosk.sync.outbox.history(new Date(Date.now() - 3_600_000));
    expect(offline).toHaveLength(1);
    expect(offline[0]).toMatchObject({ queueDepth: 3, delivered: 0 });
  });
});

describe('sync: waits run on a monotonic clock (issue 11 item 14)', () => {
  it('setting the wall clock back a day after a failure does not stall the next attempt', async () => {
    const { upstream, kiosk } = await setup();
    await kiosk.queue.queueVisit(syntheticVisit(1));
    let wall = Date.parse('2026-11-20T10:00:00Z');
    const engine = createSyncEngine({
      outbox: kiosk.sync.outbox,
      keys: () => kiosk.keys,
      settings: () =>
        settingsFrom(defaultConfig, { ...quickSettings, requestTimeoutMs: 5000, upstreamUrl: upstream.url }),
      now: () => new Date(wall),
    });
    upstream.setFaults('500:1');
    // One failure or, when the first backoff ends before the drain gives up, a second (timing): either way it failed.
    const failed = await engine.drain();
    expect(failed).toMatchObject({ outcome: 'failed' });
    expect(failed.failures).toBeGreaterThanOrEqual(1);
    // IT (or a bad NTP answer) sets the clock back by a day; the backoff was at most tens of ms.
    wall -= 86_400_000;
    upstream.setFaults('');
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.circuit().nextAttemptAt).toBeNull();
    expect(await engine.drain()).toMatchObject({ outcome: 'empty', accepted: 1, remaining: 0 });
  });
});

describe('sync: one delivering process at a time (issue 11 item 15)', () => {
  it(
    'two engines on one database (the kiosk loop and kioskctl sync) never send the same rows at once',
    { timeout: 120_000 },
    async () => {
      const upstream = await startDevUpstream(tempDir('up'), { faults: 'slow:1', slowMs: 150 });
      cleanups.push(() => upstream.close());
      const dataDir = tempDir('kiosk');
      const settings = { ...quickSettings, batchSize: 20, requestTimeoutMs: 10_000 };
      const a = await openHeadlessKiosk(dataDir, { sync: { upstreamUrl: upstream.url } }, settings);
      cleanups.push(() => a.close());
      const b = await openHeadlessKiosk(dataDir, { sync: { upstreamUrl: upstream.url } }, settings);
      cleanups.push(() => b.close());
      register(upstream, a);
      for (let i = 0; i < 100; i++) await a.queue.queueVisit(syntheticVisit(i));

      const [ra, rb] = await Promise.all([
        a.sync.engine.drain({ untilEmpty: true, deadlineMs: 100_000 }),
        b.sync.engine.drain({ untilEmpty: true, deadlineMs: 100_000 }),
      ]);
      expect([ra.outcome, rb.outcome]).toEqual(['empty', 'empty']);
      expect(ra.accepted + rb.accepted).toBe(100);
      // Without the lock both read the same pending rows and the upstream had to answer "duplicate".
      expect(count(upstream.db, "SELECT count(*) c FROM receipts_log WHERE status = 'duplicate'")).toBe(0);
      expect(count(upstream.db, 'SELECT count(*) c FROM receipts_log')).toBe(100);
    },
  );

  it('while another live process holds the lock, a plain run says so and the verdict wait does not send', async () => {
    const { kiosk } = await setup();
    const { visitId } = await kiosk.queue.queueVisit(syntheticVisit(2));
    const other = process.ppid; // alive for the whole test
    kiosk.db
      .prepare("INSERT INTO sync_state (key, value) VALUES ('delivery_lock', ?)")
      .run(JSON.stringify({ holder: `${other}:y`, pid: other, until: Date.now() + 3_600_000 }));
    expect(await kiosk.sync.engine.drain()).toMatchObject({
      outcome: 'failed',
      lastError: `another process (pid ${other}) is delivering this kiosk's visits`,
      remaining: 1,
    });
    expect(await kiosk.sync.engine.deliverNow(visitId, 2000)).toEqual({ outcome: 'not-delivered', why: 'busy' });
    kiosk.db.prepare("DELETE FROM sync_state WHERE key = 'delivery_lock'").run();
    expect(await kiosk.sync.engine.drain()).toMatchObject({ outcome: 'empty', accepted: 1 });
  });

  it('a lock left by a process that died does not block delivery', async () => {
    const { kiosk } = await setup();
    await kiosk.queue.queueVisit(syntheticVisit(1));
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    kiosk.db
      .prepare("INSERT INTO sync_state (key, value) VALUES ('delivery_lock', ?)")
      .run(JSON.stringify({ holder: `${dead}:x`, pid: dead, until: Date.now() + 3_600_000 }));
    expect(await kiosk.sync.engine.drain()).toMatchObject({ outcome: 'empty', accepted: 1 });
    // Released after the run.
    expect(count(kiosk.db, "SELECT count(*) c FROM sync_state WHERE key = 'delivery_lock'")).toBe(0);
  });
});

describe('sync: acknowledged blobs leave the disk files (issue 11 item 8)', () => {
  it('no byte run of a delivered sealed blob remains in the database file or its WAL', async () => {
    const { kiosk } = await setup();
    for (let i = 0; i < 30; i++) await kiosk.queue.queueVisit(syntheticVisit(i));
    const blobs = (kiosk.db.prepare('SELECT sealed FROM outbox').all() as Array<{ sealed: Buffer }>).map(
      (r) => r.sealed,
    );
    expect(await kiosk.sync.engine.drain()).toMatchObject({ outcome: 'empty', accepted: 30 });
    const files = ['kelu.db', 'kelu.db-wal']
      .map((f) => join(kiosk.dataDir, f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f));
    const left = blobs.filter((b) => files.some((f) => f.includes(b.subarray(16, 80))));
    expect(left.length).toBe(0);
  });
});
