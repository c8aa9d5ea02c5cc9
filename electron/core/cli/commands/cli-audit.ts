import { userInfo } from 'node:os';
import { AuditLog, type AuditEntry } from '../../audit/chain.js';
import type { Database } from '../../store/index.js';

/**
 * Who ran kioskctl: the operating-system account (`os:<name>`). IT commands run outside a staff
 * session, so the OS login is the only person we can name; the row still joins the same hash chain
 * as the console's rows, so `kioskctl audit verify` covers it.
 */
export function cliActor(): string {
  try {
    return `os:${userInfo().username}`;
  } catch {
    // A uid with no passwd entry (some containers): name the uid rather than fail the command.
    return `os:uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

/**
 * Paths and URLs are typed by people: mask any run of twelve digits to its last four, as the kiosk
 * masks an IIN, so an IIN used in a file name never reaches the permanent log and a finished export
 * is never turned into a failure by the log's own IIN check.
 */
const maskTwelveDigits = (s: string) => s.replace(/(?<!\d)\d{8}(\d{4})(?!\d)/g, '********$1');

/** Appends one row for an IT command run from the command line. `detail` must hold no PII. */
export function auditCliAction(db: Database, action: string, detail: NonNullable<AuditEntry['detail']>): void {
  const safe = Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, typeof v === 'string' ? maskTwelveDigits(v) : v]));
  new AuditLog(db).append({ actor: maskTwelveDigits(cliActor()), action, detail: { ...safe, via: 'cli' } });
}
