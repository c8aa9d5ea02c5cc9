import { checkUpstreamUrl, type DeviceIdentity, type Provisioning } from '../keys/index.js';
import { Circuit, parseRetryAfter, type CircuitState } from './backoff.js';
import { describeNetworkError, redactUrl } from './upstream-http.js';
import type { DeliveryLock } from './delivery-lock.js';
import type { Outbox, PendingRow } from './outbox.js';
import {
  batchErrorSchema,
  batchPath,
  batchResponseSchema,
  type BatchRequest,
  type ItemResult,
  type Verdict,
} from '../../../shared/protocol/batch.js';

export interface SyncSettings {
  upstreamUrl: string;
  batchSize: number;
  intervalMs: number;
  requestTimeoutMs: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  circuitThreshold: number;
}

export interface SyncProgress {
  running: boolean;
  /** Pending when this run started (grows if visits arrive meanwhile). */
  total: number;
  sent: number;
  accepted: number;
  duplicate: number;
  rejected: number;
  failures: number;
  remaining: number;
  lastError: string | null;
  /** Why the run ended: empty queue, gave up (not until-empty), deadline, stopped, no upstream. */
  outcome: 'running' | 'empty' | 'failed' | 'deadline' | 'stopped' | 'no-upstream';
}

export interface DrainOptions {
  /** Keep retrying with backoff until the queue is empty (or the deadline passes). */
  untilEmpty?: boolean;
  deadlineMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
}

type Attempt = { ok: true; results: ItemResult[] } | { ok: false; message: string; retryAfterMs?: number };

/** What became of one visit sent on its own (deliverNow). */
export type DeliveryOutcome =
  | { outcome: 'delivered'; verdict: Verdict | null }
  | { outcome: 'rejected'; reason: string }
  /** Still pending (or never sent): background sync delivers it later as usual. */
  | { outcome: 'not-delivered'; why: 'no-upstream' | 'circuit-open' | 'busy' | 'deadline' | 'failed' | 'stopped' };

export interface SyncEngine {
  drain(options?: DrainOptions): Promise<SyncProgress>;
  /** Starts the background loop (interval, woken early by notify()). */
  start(): void;
  stop(): Promise<void>;
  /** A visit was queued: sync soon, unless the circuit is open. */
  notify(): void;
  circuit(): { state: CircuitState; failures: number; nextAttemptAt: string | null };
  progress(): SyncProgress | null;
  /**
   * Sends this one visit now and answers its verdict, or gives up after `deadlineMs` (the row then
   * stays pending for background sync). Same path as drain: one run at a time, same idempotency
   * key, same receipt bookkeeping; never waits for an open circuit.
   */
  deliverNow(visitId: string, deadlineMs: number): Promise<DeliveryOutcome>;
}

export interface SyncEngineDeps {
  outbox: Outbox;
  keys: () => { device: DeviceIdentity; provisioning: Provisioning };
  settings: () => SyncSettings;
  fetch?: typeof fetch;
  /** Wall-clock time, for timestamps only (the log, receipts, Retry-After dates). */
  now?: () => Date;
  /**
   * Milliseconds from a clock that never jumps (default performance.now()): every wait (backoff,
   * circuit, deadlines) is measured on it, so setting the system clock back or forward never
   * stalls sync or skips a backoff.
   */
  monotonic?: () => number;
  random?: () => number;
  onProgress?: (p: SyncProgress) => void;
  /** The database's delivery lock (one sending process at a time); absent: this engine alone. */
  lock?: DeliveryLock;
}

/**
 * Moves sealed visits from the outbox to the upstream. Stateless apart from the circuit: what is
 * delivered is decided only by the database, so a crash at any moment resumes where it was.
 */
export function createSyncEngine(deps: SyncEngineDeps): SyncEngine {
  const doFetch = deps.fetch ?? fetch;
  const now = deps.now ?? (() => new Date());
  const mono = deps.monotonic ?? (() => performance.now());
  const initial = deps.settings();
  const circuit = new Circuit(initial.circuitThreshold, initial.baseBackoffMs, initial.maxBackoffMs, deps.random);
  let current: Promise<unknown> | null = null;
  let currentProgress: SyncProgress | null = null;
  let loop: { stop: AbortController; done: Promise<void> } | null = null;
  let wake: (() => void) | null = null;
  // stop() halts every run, including an IT "sync now" sleeping in backoff, so closing is prompt.
  let halt = new AbortController();
  let lastSample = -Infinity;

  async function send(
    url: string,
    rows: PendingRow[],
    s: SyncSettings,
    limit: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<Attempt> {
    // Sent under the identity that signed the rows (one per batch: Outbox.nextBatch), which after a
    // new device key is not the current one; the upstream keeps that identity's registration.
    const body: BatchRequest = {
      deviceId: rows[0]?.device_id ?? deps.keys().device.deviceId,
      items: rows.map((r) => ({
        id: r.id,
        createdAt: r.created_at,
        sealed: r.sealed.toString('base64'),
        sig: r.sig.toString('base64'),
      })),
    };
    let res: Response;
    let text: string;
    // The timeout covers the whole exchange, including a body that trickles in. A plain timer
    // (not AbortSignal.any over AbortSignal.timeout, whose timer Node may collect) keeps it certain.
    const abort = new AbortController();
    let timedOut = false;
    const timeoutMs = Math.min(s.requestTimeoutMs, limit.timeoutMs ?? Infinity);
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    const onHalt = () => abort.abort();
    halt.signal.addEventListener('abort', onHalt, { once: true });
    limit.signal?.addEventListener('abort', onHalt, { once: true });
    try {
      // Never follow a redirect (issue 17 item 4): the HTTPS rule was checked on this URL, and a 3xx
      // could send the sealed batch to a plain-HTTP host that invents verdicts. A 3xx is a failure.
      res = await doFetch(url + batchPath, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      text = await res.text();
    } catch (err) {
      return {
        ok: false,
        message: timedOut ? `no answer within ${timeoutMs} ms` : `network: ${describeNetworkError(err)}`,
      };
    } finally {
      clearTimeout(timer);
      halt.signal.removeEventListener('abort', onHalt);
      limit.signal?.removeEventListener('abort', onHalt);
    }
    if ((res.status >= 300 && res.status < 400) || res.type === 'opaqueredirect' || res.redirected) {
      return {
        ok: false,
        message: `upstream answered a redirect (${res.status}${res.headers.get('location') ? ` to ${redactUrl(res.headers.get('location')!)}` : ''}): refused, redirects are never followed`,
      };
    }
    // A fetch that followed anyway (a custom one): the URL answered must pass the same rule.
    if (res.url && res.url !== url + batchPath) {
      try {
        checkUpstreamUrl(res.url);
      } catch (err) {
        return {
          ok: false,
          message: `the answer came from ${redactUrl(res.url)}: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    }
    if (res.status === 429)
      return {
        ok: false,
        message: 'upstream busy (429)',
        retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), now()),
      };
    if (res.status !== 200) {
      const detail = safeJson(text, batchErrorSchema)?.error;
      return { ok: false, message: `upstream answered ${res.status}${detail ? `: ${detail}` : ''}` };
    }
    const parsed = safeJson(text, batchResponseSchema);
    if (!parsed) return { ok: false, message: 'upstream answered with a malformed body' };
    return { ok: true, results: parsed.results };
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

  async function runDrain(options: DrainOptions): Promise<SyncProgress> {
    const signal = options.signal ? AbortSignal.any([options.signal, halt.signal]) : halt.signal;
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
    currentProgress = p;
    const report = () => {
      const snapshot = { ...p };
      options.onProgress?.(snapshot);
      deps.onProgress?.(snapshot);
    };
    p.total = p.remaining = deps.outbox.counts(keyId).pending;
    report();
    const finish = (outcome: SyncProgress['outcome']) => {
      p.outcome = outcome;
      // Keep the IT chart's queue line alive while nothing is sent: at most one point a minute.
      if ((outcome === 'no-upstream' || (outcome === 'empty' && p.sent === 0)) && mono() - lastSample >= 60_000) {
        lastSample = mono();
        try {
          deps.outbox.sample(now());
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
    };
    if (!url) return finish('no-upstream');
    try {
      // The same rule as provisioning, for a URL that came from the configuration file.
      checkUpstreamUrl(url);
    } catch (err) {
      p.lastError = err instanceof Error ? err.message : 'bad upstream URL';
      deps.outbox.recordFailure(now(), p.lastError, 0, 0);
      return finish('failed');
    }
    let unansweredInARow = 0;
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
        const step = await deliverBatch();
        if (step) return step;
      } finally {
        deps.lock?.release();
      }
    }

    /** One batch: answers the run's result when the run ends here, else undefined. */
    async function deliverBatch(): Promise<SyncProgress | undefined> {
      const rows = deps.outbox.nextBatch(keyId, s.batchSize);
      if (rows.length === 0) return finish('empty');
      circuit.beginTrial();
      const t0 = performance.now();
      const attempt = await send(url, rows, s);
      const ms = performance.now() - t0;
      // Halted mid-request: the rows stay pending; the next start sends them again.
      if (!attempt.ok && signal.aborted) return finish('stopped');
      if (attempt.ok) {
        const counts = deps.outbox.applyResults(rows, attempt.results, now(), ms);
        p.sent += rows.length;
        p.accepted += counts.accepted;
        p.duplicate += counts.duplicate;
        p.rejected += counts.rejected;
        p.total = Math.max(p.total, p.sent);
        if (counts.unanswered === 0) {
          circuit.success();
          unansweredInARow = 0;
        } else {
          // A 200 that leaves ids out is a failure for backoff (else the same batch goes again at
          // once, forever), and only so many times in a row per run: the rows stay pending.
          const message = unansweredMessage(counts.unanswered, rows.length);
          deps.outbox.recordFailure(now(), message, counts.unanswered, ms);
          circuit.failure(mono());
          p.failures++;
          p.lastError = message;
          if (++unansweredInARow >= maxUnansweredInARow) {
            p.lastError = `${message}, ${unansweredInARow} answers in a row: stopped; the visits stay queued`;
            return finish('failed');
          }
        }
      } else {
        deps.outbox.recordFailure(now(), attempt.message, rows.length, ms);
        circuit.failure(mono(), attempt.retryAfterMs);
        p.failures++;
        p.lastError = attempt.message;
      }
      p.remaining = deps.outbox.counts(keyId).pending;
      p.total = Math.max(p.total, p.sent + p.remaining);
      report();
      return undefined;
    }
  }

  /** One visit, one request: the engine's own send and the outbox's own bookkeeping. */
  async function runDeliverOne(visitId: string, deadlineAt: number, giveUp: AbortSignal): Promise<DeliveryOutcome> {
    const notDelivered = (why: Extract<DeliveryOutcome, { outcome: 'not-delivered' }>['why']): DeliveryOutcome => ({
      outcome: 'not-delivered',
      why,
    });
    if (giveUp.aborted) return notDelivered('deadline');
    if (halt.signal.aborted) return notDelivered('stopped');
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
      return await deliverOneLocked(visitId, deadlineAt, giveUp, s, provisioning, url);
    } finally {
      deps.lock?.release();
    }
  }

  async function deliverOneLocked(
    visitId: string,
    deadlineAt: number,
    giveUp: AbortSignal,
    s: SyncSettings,
    provisioning: Provisioning,
    url: string,
  ): Promise<DeliveryOutcome> {
    const notDelivered = (why: Extract<DeliveryOutcome, { outcome: 'not-delivered' }>['why']): DeliveryOutcome => ({
      outcome: 'not-delivered',
      why,
    });
    const row = deps.outbox.pendingRow(visitId, provisioning.upstreamKeyId);
    // Not pending any more: a background run delivered it while this call waited its turn.
    if (!row) return receiptOutcome(visitId);
    const t0 = performance.now();
    const attempt = await send(url, [row], s, { timeoutMs: Math.max(1, deadlineAt - mono()), signal: giveUp });
    const ms = performance.now() - t0;
    if (!attempt.ok) {
      // Our own deadline says nothing about the upstream's health: no failure is recorded for it.
      if (giveUp.aborted) return notDelivered('deadline');
      if (halt.signal.aborted) return notDelivered('stopped');
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
    return receiptOutcome(visitId);
  }

  /** The verdict as applyResults recorded it on the receipt (so both paths answer the same). */
  function receiptOutcome(visitId: string): DeliveryOutcome {
    const r = deps.outbox.receiptOf(visitId);
    if (r?.status === 'synced') return { outcome: 'delivered', verdict: (r.verdict as Verdict | null) ?? null };
    if (r?.status === 'dead') return { outcome: 'rejected', reason: r.verdict ?? 'rejected' };
    return { outcome: 'not-delivered', why: 'failed' };
  }

  const engine: SyncEngine = {
    drain(options = {}) {
      if (halt.signal.aborted && !current) halt = new AbortController();
      // One run at a time: a second caller waits for the running one, then runs its own.
      const previous = current ?? Promise.resolve(null);
      const run: Promise<SyncProgress> = previous
        .catch(() => null)
        .then(() => runDrain(options))
        .finally(() => {
          if (current === run) current = null;
        });
      current = run;
      return run;
    },
    start() {
      if (loop) return;
      if (halt.signal.aborted) halt = new AbortController();
      const stop = new AbortController();
      const done = (async () => {
        while (!stop.signal.aborted) {
          try {
            await engine.drain({ signal: stop.signal });
          } catch (err) {
            // A storage error must not kill the loop; status shows it through the log.
            console.error(`[sync] background run failed: ${err instanceof Error ? err.name : typeof err}`);
          }
          const s = deps.settings();
          const wait = Math.max(circuit.waitMs(mono()), circuit.failures > 0 ? 0 : s.intervalMs);
          await new Promise<void>((resolve) => {
            const t = setTimeout(finish, Math.max(wait, 50));
            const onAbort = () => finish();
            function finish() {
              clearTimeout(t);
              stop.signal.removeEventListener('abort', onAbort);
              wake = null;
              resolve();
            }
            wake = () => {
              // New visits wake the loop only while the upstream looks healthy.
              if (circuit.waitMs(mono()) === 0) finish();
            };
            stop.signal.addEventListener('abort', onAbort, { once: true });
          });
        }
      })();
      loop = { stop, done };
    },
    async stop() {
      halt.abort();
      loop?.stop.abort();
      await loop?.done;
      await current?.catch(() => undefined);
      loop = null;
    },
    notify() {
      wake?.();
    },
    circuit() {
      const t = mono();
      // The due time is kept on the monotonic clock and shown to IT on the wall clock.
      return {
        state: circuit.state(t),
        failures: circuit.failures,
        nextAttemptAt:
          circuit.nextAttemptAt > t ? new Date(now().getTime() + (circuit.nextAttemptAt - t)).toISOString() : null,
      };
    },
    progress: () => (currentProgress ? { ...currentProgress } : null),
    deliverNow(visitId, deadlineMs) {
      if (!(deadlineMs > 0)) return Promise.resolve({ outcome: 'not-delivered', why: 'deadline' });
      const deadlineAt = mono() + deadlineMs;
      const giveUp = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<DeliveryOutcome>((resolve) => {
        timer = setTimeout(() => {
          giveUp.abort();
          resolve({ outcome: 'not-delivered', why: 'deadline' });
        }, deadlineMs);
      });
      // Queued behind a running drain like any run, so one visit is never in two requests at once;
      // if the turn comes after the deadline, the run returns at once without sending.
      const previous = current ?? Promise.resolve(null);
      const run = previous
        .catch(() => null)
        .then(() => runDeliverOne(visitId, deadlineAt, giveUp.signal))
        .finally(() => {
          if (current === run) current = null;
        });
      current = run;
      const quiet = run.catch((): DeliveryOutcome => ({ outcome: 'not-delivered', why: 'failed' }));
      return Promise.race([quiet, deadline]).finally(() => clearTimeout(timer));
    },
  };
  return engine;
}

/** Answers in a row that leave ids out, after which a delivery run stops (the rows stay pending). */
export const maxUnansweredInARow = 5;

const busyPrefix = 'another process';
const busyMessage = (pid: number) => `${busyPrefix} (pid ${pid}) is delivering this kiosk's visits`;
const unansweredMessage = (n: number, of: number) => `upstream left ${n} of ${of} visit(s) unanswered`;

function safeJson<T>(
  text: string,
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
