import { describe, expect, it } from 'vitest';
import { checkIntegrity } from '../../electron/core/platform/store/index.js';
import { maxUnansweredInARow } from '../../electron/core/delivery/sync/engine.js';
import { faultKinds } from '../../upstream/faults.js';
import { register, startDevUpstream } from '../../upstream/harness.js';
import { openHeadlessKiosk, quickSettings, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { useCleanups } from '../support/upstream.js';

/**
 * The fault matrix: for each kind of failure the reference upstream can inject, 1,000 visits are
 * queued and drained through it; every one must arrive exactly once and the kiosk's queue must end
 * empty. Faults that strike after the upstream stored a batch (reset, timeout, slow, malformed, drop-ids)
 * force the kiosk to resend ids the upstream already has: they must come back as duplicates, not
 * as second visits.
 */
const { cleanups, tempDir } = useCleanups();

const VISITS = 1000;

describe('sync: fault matrix against the reference upstream', () => {
  for (const kind of faultKinds) {
    it(`delivers ${VISITS} visits exactly once through "${kind}" faults`, { timeout: 240_000 }, async () => {
      // 429 costs a real second per hit (Retry-After: 1), so it is injected a little less often.
      const rate = kind === '429' ? 0.15 : 0.3;
      const upstream = await startDevUpstream(tempDir('up'), { faults: `${kind}:${rate}`, faultSeed: 7, slowMs: 2500 });
      cleanups.push(() => upstream.close());
      const kiosk = await openHeadlessKiosk(
        tempDir('kiosk'),
        { sync: { upstreamUrl: upstream.url } },
        { ...quickSettings, batchSize: 100, requestTimeoutMs: 1500 },
      );
      cleanups.push(() => kiosk.close());
      register(upstream, kiosk);

      const ids = new Set<string>();
      for (let i = 0; i < VISITS; i++) ids.add((await kiosk.queue.queueVisit(syntheticVisit(i))).visitId);

      const result = await kiosk.sync.engine.drain({ untilEmpty: true, deadlineMs: 200_000 });
      expect(result.outcome).toBe('empty');
      expect(result.failures, 'the faults did strike').toBeGreaterThan(0);
      expect(result.rejected).toBe(0);

      const received = upstream.db.prepare('SELECT id FROM visits').all() as Array<{ id: string }>;
      expect(received).toHaveLength(VISITS);
      expect(new Set(received.map((r) => r.id))).toEqual(ids);
      // One person, one visit: no IIN arrived twice under different ids either.
      expect((upstream.db.prepare('SELECT count(DISTINCT iin) AS c FROM visits').get() as { c: number }).c).toBe(
        VISITS,
      );
      const acceptedTwice = upstream.db
        .prepare("SELECT visit_id FROM receipts_log WHERE status = 'accepted' GROUP BY visit_id HAVING count(*) > 1")
        .all();
      expect(acceptedTwice).toEqual([]);
      if (['reset', 'timeout', 'slow', 'malformed', 'drop-ids'].includes(kind)) {
        expect(result.duplicate, 'answers lost after storing come back as duplicates').toBeGreaterThan(0);
      }
      expect(result.accepted + result.duplicate).toBeGreaterThanOrEqual(VISITS);
      expect(
        (kiosk.db.prepare("SELECT count(*) AS c FROM receipts WHERE status = 'synced'").get() as { c: number }).c,
      ).toBe(VISITS);
      expect(kiosk.sync.status().queueDepth).toBe(0);
      expect(checkIntegrity(kiosk.db).ok).toBe(true);
    });
  }
});

describe('sync: an upstream that leaves ids unanswered (issue 11 item 13)', () => {
  it(
    'counts it as a failure with backoff and stops after a bounded number of such answers; nothing is lost',
    { timeout: 60_000 },
    async () => {
      const upstream = await startDevUpstream(tempDir('up'), { faults: 'drop-ids:1' });
      cleanups.push(() => upstream.close());
      const kiosk = await openHeadlessKiosk(
        tempDir('kiosk'),
        { sync: { upstreamUrl: upstream.url } },
        { ...quickSettings, batchSize: 10 },
      );
      cleanups.push(() => kiosk.close());
      register(upstream, kiosk);
      for (let i = 0; i < 10; i++) await kiosk.queue.queueVisit(syntheticVisit(i));

      const result = await kiosk.sync.engine.drain({ untilEmpty: true, deadlineMs: 15_000 });
      expect(result.outcome).toBe('failed');
      expect(result.failures).toBe(maxUnansweredInARow);
      // Each answer leaves out the first half of the batch: 5 of 10, 3 of 5, 2 of 3, 1 of 2, 1 of 1.
      expect(result.lastError).toMatch(/upstream left 1 of 1 visit\(s\) unanswered, 5 answers in a row: stopped/);
      expect(result.accepted + result.duplicate).toBe(9);
      // The one it never answered stays queued (not lost, not a dead letter); the next run sends it again.
      expect(kiosk.sync.status()).toMatchObject({
        queueDepth: 1,
        deadLetters: 0,
        lastError: { message: expect.stringMatching(/unanswered/) },
      });
      expect(kiosk.sync.engine.circuit().failures).toBe(maxUnansweredInARow);
    },
  );

  it('a visit sent on its own (the eGov verdict wait) that gets no answer is a failure, not a success', async () => {
    const upstream = await startDevUpstream(tempDir('up'), { faults: 'drop-ids:1' });
    cleanups.push(() => upstream.close());
    const kiosk = await openHeadlessKiosk(tempDir('kiosk'), { sync: { upstreamUrl: upstream.url } }, quickSettings);
    cleanups.push(() => kiosk.close());
    register(upstream, kiosk);
    const { visitId } = await kiosk.queue.queueVisit(syntheticVisit(1));
    expect(await kiosk.sync.engine.deliverNow(visitId, 4000)).toEqual({ outcome: 'not-delivered', why: 'failed' });
    expect(kiosk.sync.engine.circuit().failures).toBe(1);
    expect(kiosk.sync.status().queueDepth).toBe(1);
  });
});
