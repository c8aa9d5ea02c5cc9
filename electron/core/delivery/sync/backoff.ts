/**
 * Capped exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): a random wait in [0, min(cap, base·2^attempt)], so kiosks that lost the network together
 * do not come back in lockstep and hammer the upstream.
 */
export function fullJitterDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Retry-After: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker over the upstream: after `threshold` consecutive failed requests it opens and
 * no request is made until the backoff delay has passed; then one trial batch (half-open) decides.
 * IT sees the state, the failure count and when the next attempt is due. Every `nowMs` here is
 * from a monotonic clock (the engine's `monotonic`), so a wall-clock change never moves a wait.
 */
export class Circuit {
  failures = 0;
  nextAttemptAt = 0;
  private trial = false;

  constructor(
    private readonly threshold: number,
    private readonly baseMs: number,
    private readonly capMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  state(nowMs: number): CircuitState {
    if (this.failures < this.threshold) return 'closed';
    return this.trial || nowMs >= this.nextAttemptAt ? 'half-open' : 'open';
  }

  /** Milliseconds to wait before the next request may go (0 = now). */
  waitMs(nowMs: number): number {
    return Math.max(0, this.nextAttemptAt - nowMs);
  }

  beginTrial(): void {
    this.trial = this.failures >= this.threshold;
  }

  success(): void {
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.trial = false;
  }

  /** Records a failure; the upstream's Retry-After (429) replaces the jittered delay, up to an hour. */
  failure(nowMs: number, retryAfterMs?: number): number {
    this.failures++;
    this.trial = false;
    const delay =
      retryAfterMs !== undefined
        ? Math.min(retryAfterMs, 3_600_000)
        : fullJitterDelay(this.failures, this.baseMs, this.capMs, this.random);
    this.nextAttemptAt = nowMs + delay;
    return delay;
  }
}
