import { userInfo } from 'node:os';
import {
  AuditLog,
  maskDetail,
  maskTwelveDigits,
  type AuditEntry,
} from '../../../electron/core/platform/audit/chain.js';
import type { Database } from '../../../electron/core/platform/store/index.js';

/**
 * Who ran kioskctl: the operating-system account (`os:<name>`). IT commands run outside a staff
 * session, so the OS login is the only person we can name; the row still joins the same hash chain
 * as the console's rows once the kiosk imports and signs it, so `kioskctl audit verify` covers it.
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
 * Queues one row for an IT command run from the command line. `detail` must hold no PII. It waits
 * outside the chain (audit_pending) until the kiosk imports it and signs it, naming this account.
 */
export function auditCliAction(db: Database, action: string, detail: NonNullable<AuditEntry['detail']>): void {
  AuditLog.pending(db).append({
    actor: maskTwelveDigits(cliActor()),
    action,
    detail: { ...maskDetail(detail), via: 'cli' },
  });
}
