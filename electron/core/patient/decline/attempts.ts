import { createHash } from 'node:crypto';

/**
 * Counts failed decline attempts per check-in: malformed codes or QR texts, and rejections the
 * upstream reports while the check-in is still open. At the limit the patient is sent to reception.
 *
 * A camera sees the same QR code many times a second, so a repeated identical payload counts once:
 * the limiter remembers a SHA-256 fingerprint of each failed payload (in memory only, never the text).
 */
export interface AttemptState {
  failures: number;
  remaining: number;
  exhausted: boolean;
  /** True when this payload had already failed in this check-in and was not counted again. */
  repeated: boolean;
}

interface Entry {
  failures: number;
  seen: Set<string>;
  touched: number;
}

export class AttemptLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly max: number,
    /** Forget check-ins idle this long, so memory stays bounded on a kiosk that never restarts. */
    private readonly idleMs = 60 * 60_000,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxCodeAttempts must be a positive integer');
  }

  state(checkinId: string): AttemptState {
    const e = this.entries.get(checkinId);
    const failures = e?.failures ?? 0;
    return { failures, remaining: Math.max(0, this.max - failures), exhausted: failures >= this.max, repeated: false };
  }

  /** Records one failed attempt; `payload` (optional) lets an identical repeat count only once. */
  fail(checkinId: string, payload?: string): AttemptState {
    this.sweep();
    let e = this.entries.get(checkinId);
    if (!e) {
      e = { failures: 0, seen: new Set(), touched: this.now() };
      this.entries.set(checkinId, e);
    }
    e.touched = this.now();
    if (payload !== undefined) {
      const fp = fingerprintOf(payload);
      if (e.seen.has(fp)) return { ...this.state(checkinId), repeated: true };
      e.seen.add(fp);
    }
    if (e.failures < this.max) e.failures += 1;
    return this.state(checkinId);
  }

  /** Whether this payload already failed in this check-in (a repeat is answered without new work). */
  failedBefore(checkinId: string, payload: string): boolean {
    return this.entries.get(checkinId)?.seen.has(fingerprintOf(payload)) ?? false;
  }

  /** The check-in ended (ticket, hand-off, timeout): its count and fingerprints are dropped. */
  end(checkinId: string): void {
    this.entries.delete(checkinId);
  }

  private sweep(): void {
    const cutoff = this.now() - this.idleMs;
    for (const [id, e] of this.entries) if (e.touched < cutoff) this.entries.delete(id);
  }
}

function fingerprintOf(payload: string): string {
  return createHash('sha256').update(payload, 'utf8').digest('base64');
}
