// The sync engine's types, and the context its parts (send, drain, deliver one, the background loop)
// share: one file below them all, so none of them imports the engine.
import type { DeviceIdentity, Provisioning } from '../keys/index.js';
import type { Circuit, CircuitState } from './backoff.js';
import type { DeliveryLock } from './delivery-lock.js';
import type { Outbox } from './outbox.js';
import type { ItemResult, Verdict } from '../../../shared/protocol/batch.js';

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

export type Attempt = { ok: true; results: ItemResult[] } | { ok: false; message: string; retryAfterMs?: number };

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

/** What the engine's parts share: its dependencies, its clocks, the circuit and stop()'s signal. */
export interface EngineContext {
  deps: SyncEngineDeps;
  doFetch: typeof fetch;
  now: () => Date;
  mono: () => number;
  circuit: Circuit;
  /** The signal stop() aborts; a fresh one replaces it when the engine runs again after a stop. */
  halt: () => AbortSignal;
}
