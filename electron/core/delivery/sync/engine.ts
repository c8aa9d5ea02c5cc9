import { Circuit } from './backoff.js';
import { runBackgroundLoop } from './background-loop.js';
import { runDeliverOne } from './deliver-one.js';
import { runDrain, type DrainState } from './drain.js';
import type { DeliveryOutcome, DrainOptions, EngineContext, SyncEngine, SyncEngineDeps } from './engine-types.js';

export type {
  SyncSettings,
  SyncProgress,
  DrainOptions,
  DeliveryOutcome,
  SyncEngine,
  SyncEngineDeps,
} from './engine-types.js';
export { maxUnansweredInARow } from './drain.js';

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
  let loop: { stop: AbortController; done: Promise<void> } | null = null;
  let wake: (() => void) | null = null;
  // stop() halts every run, including an IT "sync now" sleeping in backoff, so closing is prompt.
  let halt = new AbortController();

  const ctx: EngineContext = { deps, doFetch, now, mono, circuit, halt: () => halt.signal };
  const drainState: DrainState = { progress: null, lastSample: -Infinity };

  /** One run at a time: a second caller waits for the running one, then runs its own. */
  function queued<T>(work: () => Promise<T>): Promise<T> {
    const previous = current ?? Promise.resolve(null);
    const run: Promise<T> = previous
      .catch(() => null)
      .then(work)
      .finally(() => {
        if (current === run) current = null;
      });
    current = run;
    return run;
  }

  const engine: SyncEngine = {
    drain(options = {}) {
      if (halt.signal.aborted && !current) halt = new AbortController();
      return queued(() => runDrain(ctx, drainState, options));
    },
    start() {
      if (loop) return;
      if (halt.signal.aborted) halt = new AbortController();
      const stop = new AbortController();
      const hooks = {
        drain: (options: DrainOptions) => engine.drain(options),
        setWake: (w: (() => void) | null) => (wake = w),
      };
      loop = { stop, done: runBackgroundLoop(ctx, hooks, stop.signal) };
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
    progress: () => (drainState.progress ? { ...drainState.progress } : null),
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
      const run = queued(() => runDeliverOne(ctx, visitId, deadlineAt, giveUp.signal));
      const quiet = run.catch((): DeliveryOutcome => ({ outcome: 'not-delivered', why: 'failed' }));
      return Promise.race([quiet, deadline]).finally(() => clearTimeout(timer));
    },
  };
  return engine;
}
