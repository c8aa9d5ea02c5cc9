import { getSodium } from '../../platform/crypto/index.js';

/**
 * Staff passwords: Argon2id through libsodium's crypto_pwhash_str, so only the self-describing
 * hash string ($argon2id$v=19$m=…,t=…,p=…$salt$hash) is stored. The INTERACTIVE limits (64 MiB,
 * 2 passes) cost ≈0.2 s per login on the kiosk's 2-core CPU: slow for an offline guesser, quick
 * enough for a person at the counter.
 */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

/** Why a new password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `The password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `The password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  if (/^(.)\1*$/.test(password)) return 'The password must not repeat one character';
  return undefined;
}

export async function hashPassword(password: string): Promise<string> {
  const s = await getSodium();
  return s.crypto_pwhash_str(password, s.crypto_pwhash_OPSLIMIT_INTERACTIVE, s.crypto_pwhash_MEMLIMIT_INTERACTIVE);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  const s = await getSodium();
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return s.crypto_pwhash_str_verify(hash, password);
  } catch {
    // A malformed stored hash is a failed login, never a crash.
    return false;
  }
}

/**
 * A hash to verify against when the username does not exist, so a wrong username costs the same
 * time as a wrong password and the login answer does not reveal which accounts exist.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('decoy-password-never-valid');
  return decoy;
}
