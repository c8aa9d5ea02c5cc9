// deliverNow's run: one visit, one request, the engine's own send and the outbox's own bookkeeping.
import { checkUpstreamUrl, type Provisioning } from '../keys/index.js';
import { unansweredMessage } from './drain.js';
import { sendBatch } from './send-batch.js';
import type { DeliveryOutcome, EngineContext, SyncSettings } from './engine-types.js';
import type { Verdict } from '../../../shared/protocol/batch.js';

const notDelivered = (why: Extract<DeliveryOutcome, { outcome: 'not-delivered' }>['why']): DeliveryOutcome => ({
  outcome: 'not-delivered',
  why,
});

/** One visit, one request: the engine's own send and the outbox's own bookkeeping. */
export async function runDeliverOne(
  ctx: EngineContext,
  visitId: string,
  deadlineAt: number,
  giveUp: AbortSignal,
): Promise<DeliveryOutcome> {
  const { deps, circuit, mono } = ctx;
  if (giveUp.aborted) return notDelivered('deadline');
  if (ctx.halt().aborted) return notDelivered('stopped');
  const s = deps.settings();
  const { provisioning } = deps.keys();
  const url = (provisioning.upstreamUrl || s.upstreamUrl).replace(/\/$/, '');
  if (!url) return notDelivered('no-upstream');
  try {
    checkUpstreamUrl(url);
  } catch {
    return notDelivered('failed');
  }
  // Only a healthy upstream is worth a patient's wait: backing off, open or half-open (whose one
  // trial request belongs to the background loop) all mean "ticket now, verdict later".
  const t = mono();
  if (circuit.waitMs(t) > 0 || circuit.state(t) !== 'closed') return notDelivered('circuit-open');
  // Another process is delivering (kioskctl sync): the background run brings the verdict later.
  const lock = deps.lock?.tryAcquire() ?? { ok: true };
  if (!lock.ok) return notDelivered('busy');
  try {
    return await deliverOneLocked(ctx, visitId, deadlineAt, giveUp, s, provisioning, url);
  } finally {
    deps.lock?.release();
  }
}

async function deliverOneLocked(
  ctx: EngineContext,
  visitId: string,
  deadlineAt: number,
  giveUp: AbortSignal,
  s: SyncSettings,
  provisioning: Provisioning,
  url: string,
): Promise<DeliveryOutcome> {
  const { deps, circuit, mono, now } = ctx;
  const row = deps.outbox.pendingRow(visitId, provisioning.upstreamKeyId);
  // Not pending any more: a background run delivered it while this call waited its turn.
  if (!row) return receiptOutcome(ctx, visitId);
  const t0 = performance.now();
  const attempt = await sendBatch(ctx, url, [row], s, {
    timeoutMs: Math.max(1, deadlineAt - mono()),
    signal: giveUp,
  });
  const ms = performance.now() - t0;
  if (!attempt.ok) {
    // Our own deadline says nothing about the upstream's health: no failure is recorded for it.
    if (giveUp.aborted) return notDelivered('deadline');
    if (ctx.halt().aborted) return notDelivered('stopped');
    deps.outbox.recordFailure(now(), attempt.message, 1, ms);
    circuit.failure(mono(), attempt.retryAfterMs);
    return notDelivered('failed');
  }
  const counts = deps.outbox.applyResults([row], attempt.results, now(), ms);
  if (counts.accepted + counts.duplicate > 0) {
    try {
      deps.outbox.checkpoint();
    } catch {
      // As in a drain: the next checkpoint clears the WAL.
    }
  }
  if (counts.unanswered > 0) {
    deps.outbox.recordFailure(now(), unansweredMessage(counts.unanswered, 1), 1, ms);
    circuit.failure(mono());
    return notDelivered('failed');
  }
  circuit.success();
  return receiptOutcome(ctx, visitId);
}

/** The verdict as applyResults recorded it on the receipt (so both paths answer the same). */
function receiptOutcome(ctx: EngineContext, visitId: string): DeliveryOutcome {
  const r = ctx.deps.outbox.receiptOf(visitId);
  if (r?.status === 'synced') return { outcome: 'delivered', verdict: (r.verdict as Verdict | null) ?? null };
  if (r?.status === 'dead') return { outcome: 'rejected', reason: r.verdict ?? 'rejected' };
  return { outcome: 'not-delivered', why: 'failed' };
}
