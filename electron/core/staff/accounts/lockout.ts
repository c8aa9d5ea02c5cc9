/**
 * Lockout rules, pure so they are easy to test. The first `maxFailures` wrong passwords or codes in
 * a row cost nothing; each one after that starts a delay during which every attempt with that
 * username is refused unchecked (and not counted). The delay grows: one minute (or `lockoutMs` if
 * shorter), doubling with each further failure, up to `lockoutMs`. So a guesser is slowed to a few
 * tries an hour, while a person who tapped five wrong codes and walked away holds the account for a
 * minute, not a quarter of an hour. A quiet period of `lockoutMs` after the last delay forgets the
 * count; a successful login or an admin's unlock resets it at once.
 */
export interface LockoutPolicy {
  maxFailures: number;
  /** The longest delay, and the quiet period that forgets the count. */
  lockoutMs: number;
}

export interface LockoutState {
  failures: number;
  /** Epoch ms until which logins are refused; null when not locked. */
  lockedUntil: number | null;
}

/** The delay that starts at the `maxFailures`-th failure. */
export const firstDelayMs = 60_000;

export function isLocked(state: LockoutState, now: number): boolean {
  return state.lockedUntil !== null && now < state.lockedUntil;
}

/** The delay after `failures` failures in a row: 0 below the threshold, then doubling up to lockoutMs. */
export function delayAfter(failures: number, policy: LockoutPolicy): number {
  const beyond = failures - policy.maxFailures;
  if (beyond < 0) return 0;
  return Math.min(policy.lockoutMs, Math.min(firstDelayMs, policy.lockoutMs) * 2 ** Math.min(beyond, 30));
}

/** The state after one more wrong password or code (never called while locked: those are refused unchecked). */
export function afterFailure(state: LockoutState, now: number, policy: LockoutPolicy): LockoutState {
  // Quiet for lockoutMs after the last delay ended: start a fresh count.
  const base =
    state.lockedUntil !== null && now >= state.lockedUntil + policy.lockoutMs
      ? { failures: 0, lockedUntil: null }
      : state;
  const failures = base.failures + 1;
  const delay = delayAfter(failures, policy);
  return delay > 0 ? { failures, lockedUntil: now + delay } : { failures, lockedUntil: base.lockedUntil };
}

export const afterSuccess = (): LockoutState => ({ failures: 0, lockedUntil: null });
export const afterUnlock = (): LockoutState => ({ failures: 0, lockedUntil: null });

// Usernames that are no account follow the same rules in the same store as real ones: login-throttle.ts.
