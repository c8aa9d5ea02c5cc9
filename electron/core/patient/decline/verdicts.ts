import type { Database } from 'better-sqlite3';

/**
 * The upstream's verdict on each eGov code, as sync recorded it on the visit's receipt
 * (`egov-valid`, `egov-invalid`, or `rejected: <reason>` for a dead letter; null while pending).
 * Staff see it so reception can call back a patient whose code the upstream refused. Receipts hold
 * only the ticket and the masked IIN: never the code itself.
 */
export interface EgovVerdict {
  ticket: string;
  maskedIin: string;
  method: 'egov-code' | 'egov-qr';
  createdAt: string;
  status: 'pending' | 'synced' | 'dead';
  verdict: string | null;
}

export function egovVerdicts(db: Database, sinceIso: string, limit = 200): EgovVerdict[] {
  const rows = db
    .prepare(
      `SELECT ticket, masked_iin AS maskedIin, method, created_at AS createdAt, status, verdict FROM receipts
       WHERE method IN ('egov-code', 'egov-qr') AND created_at >= ? ORDER BY created_at DESC LIMIT ?`,
    )
    .all(sinceIso, limit) as EgovVerdict[];
  return rows;
}
