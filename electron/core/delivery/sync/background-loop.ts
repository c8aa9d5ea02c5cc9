// The engine's background loop: a run, then a wait for the interval (or the circuit's backoff),
// cut short by stop() or, while the upstream looks healthy, by a newly queued visit.
import type { DrainOptions, EngineContext, SyncProgress } from './engine-types.js';

/** How the loop reaches the engine: its queued drain, and the slot notify() calls to wake it. */
export interface LoopHooks {
  drain: (options: DrainOptions) => Promise<SyncProgress>;
  setWake: (wake: (() => void) | null) => void;
}

export async function runBackgroundLoop(ctx: EngineContext, hooks: LoopHooks, stop: AbortSignal): Promise<void> {
  while (!stop.aborted) {
    try {
      await hooks.drain({ signal: stop });
    } catch (err) {
      // A storage error must not kill the loop; status shows it through the log.
      console.error(`[sync] background run failed: ${err instanceof Error ? err.name : typeof err}`);
    }
    await waitForNextRun(ctx, hooks, stop);
  }
}

function waitForNextRun(ctx: EngineContext, hooks: LoopHooks, stop: AbortSignal): Promise<void> {
  const { circuit, mono } = ctx;
  const s = ctx.deps.settings();
  const wait = Math.max(circuit.waitMs(mono()), circuit.failures > 0 ? 0 : s.intervalMs);
  return new Promise<void>((resolve) => {
    const t = setTimeout(finish, Math.max(wait, 50));
    const onAbort = () => finish();
    function finish() {
      clearTimeout(t);
      stop.removeEventListener('abort', onAbort);
      hooks.setWake(null);
      resolve();
    }
    hooks.setWake(() => {
      // New visits wake the loop only while the upstream looks healthy.
      if (circuit.waitMs(mono()) === 0) finish();
    });
    stop.addEventListener('abort', onAbort, { once: true });
  });
}
