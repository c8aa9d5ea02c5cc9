// One delivery run: batch after batch from the outbox to the upstream, with backoff, until the queue
// is empty, the run gives up, its deadline passes or it is stopped.
import { checkUpstreamUrl } from '../keys/index.js';
import { sendBatch } from './send-batch.js';
import type { DrainOptions, EngineContext, SyncProgress, SyncSettings } from './engine-types.js';

/** Answers in a row that leave ids out, after which a delivery run stops (the rows stay pending). */
export const maxUnansweredInARow = 5;

const busyPrefix = 'another process';
const busyMessage = (pid: number) => `${busyPrefix} (pid ${pid}) is delivering this kiosk's visits`;
export const unansweredMessage = (n: number, of: number) => `upstream left ${n} of ${of} visit(s) unanswered`;

/** What outlives one run: the progress IT sees, and when the queue chart last got a point. */
export interface DrainState {
  progress: SyncProgress | null;
  lastSample: number;
}

/** One run in progress: where it sends, its counts, and how it reports and ends. */
interface DrainRun {
  s: SyncSettings;
  keyId: string;
  url: string;
  signal: AbortSignal;
  p: SyncProgress;
  report: () => void;
  finish: (outcome: SyncProgress['outcome']) => SyncProgress;
  unansweredInARow: number;
}

export async function runDrain(ctx: EngineContext, state: DrainState, options: DrainOptions): Promise<SyncProgress> {
  const { deps, circuit, mono } = ctx;
  const signal = options.signal ? AbortSignal.any([options.signal, ctx.halt()]) : ctx.halt();
  const s = deps.settings();
  const keyId = deps.keys().provisioning.upstreamKeyId;
  const url = (deps.keys().provisioning.upstreamUrl || s.upstreamUrl).replace(/\/$/, '');
  const startedAt = mono();
  const p: SyncProgress = {
    running: true,
    total: 0,
    sent: 0,
    accepted: 0,
    duplicate: 0,
    rejected: 0,
    failures: 0,
    remaining: 0,
    lastError: null,
    outcome: 'running',
  };
  state.progress = p;
  const report = () => {
    const snapshot = { ...p };
    options.onProgress?.(snapshot);
    deps.onProgress?.(snapshot);
  };
  p.total = p.remaining = deps.outbox.counts(keyId).pending;
  report();
  const finish = (outcome: SyncProgress['outcome']) => finishRun(ctx, state, p, keyId, report, outcome);
  if (!url) return finish('no-upstream');
  try {
    // The same rule as provisioning, for a URL that came from the configuration file.
    checkUpstreamUrl(url);
  } catch (err) {
    p.lastError = err instanceof Error ? err.message : 'bad upstream URL';
    deps.outbox.recordFailure(ctx.now(), p.lastError, 0, 0);
    return finish('failed');
  }
  const run: DrainRun = { s, keyId, url, signal, p, report, finish, unansweredInARow: 0 };
  for (;;) {
    if (signal.aborted) return finish('stopped');
    if (options.deadlineMs !== undefined && mono() - startedAt > options.deadlineMs) return finish('deadline');
    const wait = circuit.waitMs(mono());
    if (wait > 0) {
      if (!options.untilEmpty) return finish('failed');
      await sleep(
        Math.min(wait, options.deadlineMs !== undefined ? options.deadlineMs - (mono() - startedAt) + 1 : wait),
        signal,
      );
      continue;
    }
    // One process delivers at a time (the kiosk's loop, kioskctl sync): held from reading the
    // batch until its answer is applied.
    const lock = deps.lock?.tryAcquire() ?? { ok: true };
    if (!lock.ok) {
      p.lastError = busyMessage(lock.pid);
      if (!options.untilEmpty) return finish('failed');
      await sleep(250, signal);
      continue;
    }
    if (p.lastError?.startsWith(busyPrefix)) p.lastError = null; // our turn came
    try {
      const step = await deliverBatch(ctx, run);
      if (step) return step;
    } finally {
      deps.lock?.release();
    }
  }
}

/** Ends the run: a chart point and a WAL checkpoint when due, the last report, the final counts. */
function finishRun(
  ctx: EngineContext,
  state: DrainState,
  p: SyncProgress,
  keyId: string,
  report: () => void,
  outcome: SyncProgress['outcome'],
): SyncProgress {
  const { deps, mono } = ctx;
  p.outcome = outcome;
  // Keep the IT chart's queue line alive while nothing is sent: at most one point a minute.
  if ((outcome === 'no-upstream' || (outcome === 'empty' && p.sent === 0)) && mono() - state.lastSample >= 60_000) {
    state.lastSample = mono();
    try {
      deps.outbox.sample(ctx.now());
    } catch {
      // A chart point is not worth failing the run for (e.g. a full disk, which status shows).
    }
  }
  if (p.accepted + p.duplicate > 0) {
    try {
      deps.outbox.checkpoint();
    } catch {
      // The blobs are zeroed in the pages already; the next run's checkpoint clears the WAL.
    }
  }
  p.running = false;
  p.remaining = deps.outbox.counts(keyId).pending;
  report();
  return { ...p };
}

/** One batch: answers the run's result when the run ends here, else undefined. */
async function deliverBatch(ctx: EngineContext, run: DrainRun): Promise<SyncProgress | undefined> {
  const { deps, circuit, mono, now } = ctx;
  const { p, finish } = run;
  const rows = deps.outbox.nextBatch(run.keyId, run.s.batchSize);
  if (rows.length === 0) return finish('empty');
  circuit.beginTrial();
  const t0 = performance.now();
  const attempt = await sendBatch(ctx, run.url, rows, run.s);
  const ms = performance.now() - t0;
  // Halted mid-request: the rows stay pending; the next start sends them again.
  if (!attempt.ok && run.signal.aborted) return finish('stopped');
  if (attempt.ok) {
    const counts = deps.outbox.applyResults(rows, attempt.results, now(), ms);
    p.sent += rows.length;
    p.accepted += counts.accepted;
    p.duplicate += counts.duplicate;
    p.rejected += counts.rejected;
    p.total = Math.max(p.total, p.sent);
    if (counts.unanswered === 0) {
      circuit.success();
      run.unansweredInARow = 0;
    } else {
      // A 200 that leaves ids out is a failure for backoff (else the same batch goes again at
      // once, forever), and only so many times in a row per run: the rows stay pending.
      const message = unansweredMessage(counts.unanswered, rows.length);
      deps.outbox.recordFailure(now(), message, counts.unanswered, ms);
      circuit.failure(mono());
      p.failures++;
      p.lastError = message;
      if (++run.unansweredInARow >= maxUnansweredInARow) {
        p.lastError = `${message}, ${run.unansweredInARow} answers in a row: stopped; the visits stay queued`;
        return finish('failed');
      }
    }
  } else {
    deps.outbox.recordFailure(now(), attempt.message, rows.length, ms);
    circuit.failure(mono(), attempt.retryAfterMs);
    p.failures++;
    p.lastError = attempt.message;
  }
  p.remaining = deps.outbox.counts(run.keyId).pending;
  p.total = Math.max(p.total, p.sent + p.remaining);
  run.report();
  return undefined;
}

async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    const onAbort = () => done();
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
