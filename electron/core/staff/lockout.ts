/**
 * Lockout rules, pure so they are easy to test: after `maxFailures` wrong passwords or codes in a
 * row the account is locked for `lockoutMs`; it opens again by itself when that time has passed,
 * or at once when an admin unlocks it. A successful login resets the count.
 */
export interface LockoutPolicy {
  maxFailures: number;
  lockoutMs: number;
}

export interface LockoutState {
  failures: number;
  /** Epoch ms until which logins are refused; null when not locked. */
  lockedUntil: number | null;
}

export function isLocked(state: LockoutState, now: number): boolean {
  return state.lockedUntil !== null && now < state.lockedUntil;
}

/** The state after one more wrong password or code. */
export function afterFailure(state: LockoutState, now: number, policy: LockoutPolicy): LockoutState {
  // A lock that has run out starts a fresh count.
  const base = state.lockedUntil !== null && now >= state.lockedUntil ? { failures: 0, lockedUntil: null } : state;
  const failures = base.failures + 1;
  return failures >= policy.maxFailures ? { failures, lockedUntil: now + policy.lockoutMs } : { failures, lockedUntil: base.lockedUntil };
}

export const afterSuccess = (): LockoutState => ({ failures: 0, lockedUntil: null });
export const afterUnlock = (): LockoutState => ({ failures: 0, lockedUntil: null });
