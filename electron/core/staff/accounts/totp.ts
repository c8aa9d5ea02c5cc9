import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238) through `otpauth`: 6 digits, 30-second steps, SHA-1, which every authenticator
 * app reads from the otpauth:// URI. A code is accepted one step either side (clock drift) and
 * never twice: the last accepted time step is stored and anything at or before it is refused.
 */
export const TOTP_PERIOD_S = 30;
const ISSUER = 'Kelu kiosk';

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_S,
  });
}

/** The enrolment URI an authenticator app scans; shown once, at account creation. */
export function totpUri(secretBase32: string, username: string): string {
  return totpFor(secretBase32, username).toString();
}

/** The current code (for tests and the CLI's self-check). */
export function totpNow(secretBase32: string, timestamp = Date.now()): string {
  return totpFor(secretBase32, 'x').generate({ timestamp });
}

/**
 * Checks a code; returns the time step it belongs to, or undefined when it is wrong or replayed
 * (its step is not after `lastStep`).
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  lastStep: number | null,
  timestamp = Date.now(),
): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const totp = totpFor(secretBase32, 'x');
  const delta = totp.validate({ token: code, timestamp, window: 1 });
  if (delta === null) return undefined;
  const step = totp.counter({ timestamp }) + delta;
  if (lastStep !== null && step <= lastStep) return undefined;
  return step;
}
