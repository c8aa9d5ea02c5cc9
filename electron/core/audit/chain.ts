import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { runMigrations } from '../store/index.js';
import { auditMigrations } from './migrations.js';
import { checkIin } from '../identity/iin.js';

/** What happened, by whom. `detail` is plain JSON and must never hold a full IIN, a code or a token. */
export interface AuditEntry {
  actor: string;
  action: string;
  detail?: Record<string, string | number | boolean | null>;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  detail: string;
  prevHash: string;
  hash: string;
}

export type AuditVerdict =
  | { ok: true; rows: number; head: string }
  | { ok: false; rows: number; firstBadSeq: number; problem: 'hash-mismatch' | 'broken-link' | 'missing-row' | 'anchor-mismatch' };

/** A head recorded earlier (`seq:hash`, printed by verify); a chain rewritten or cut before it fails. */
export interface AuditAnchor {
  seq: number;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The row's hash covers every field and the previous row's hash, so editing any row changes its
 * hash (found at that row) and re-hashing it to hide the edit breaks the next row's link (found
 * there). Length-prefixed fields make the encoding unambiguous.
 */
export function rowHash(row: Omit<AuditRow, 'hash'>): string {
  const h = createHash('sha256');
  for (const field of [String(row.seq), row.at, row.actor, row.action, row.detail, row.prevHash]) {
    h.update(`${Buffer.byteLength(field)}:`).update(field).update('\n');
  }
  return h.digest('hex');
}

/**
 * A full IIN in a detail value is a bug; refuse it rather than write it into a permanent log.
 * A run of twelve digits counts when it stands alone (not inside a hex hash, a UUID or another
 * token) and is a valid IIN (date, century digit, check digit): every IIN the kiosk handles is
 * valid, while hashes and timestamps would otherwise be refused by chance and stop the kiosk.
 */
const standaloneTwelveDigits = /(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])/g;
const mayHoldIin = (value: unknown): boolean => {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  return [...text.matchAll(standaloneTwelveDigits)].some(([run]) => checkIin(run).valid);
};

/**
 * The append-only, hash-chained audit log in the kiosk's database. Appends are serialised by
 * SQLite's write lock (BEGIN IMMEDIATE), so two writers cannot fork the chain.
 */
export class AuditLog {
  private readonly insert;
  private readonly last;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    runMigrations(db, 'audit', auditMigrations);
    this.insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  }

  append(entry: AuditEntry): AuditRow {
    const detail = JSON.stringify(entry.detail ?? {});
    if (mayHoldIin(entry.actor) || mayHoldIin(entry.action) || Object.values(entry.detail ?? {}).some(mayHoldIin)) throw new Error('Refusing to write a full IIN into the audit log');
    return this.db.transaction((): AuditRow => {
      const prev = this.last.get() as { seq: number; hash: string } | undefined;
      const base = { seq: (prev?.seq ?? 0) + 1, at: this.now().toISOString(), actor: entry.actor, action: entry.action, detail, prevHash: prev?.hash ?? GENESIS_HASH };
      const row: AuditRow = { ...base, hash: rowHash(base) };
      this.insert.run(row.seq, row.at, row.actor, row.action, row.detail, row.prevHash, row.hash);
      return row;
    }).immediate();
  }

  /** How many rows of one action since a time, optionally with given detail values (e.g. `{ why: 'no-such-user' }`). */
  count(action: string, sinceIso: string, detail: Record<string, string> = {}): number {
    const keys = Object.keys(detail);
    if (keys.some((k) => !/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(k))) throw new Error('Bad audit detail key');
    const where = keys.map((k) => ` AND json_extract(detail, '$.${k}') = ?`).join('');
    const row = this.db.prepare(`SELECT count(*) AS c FROM audit_log WHERE action = ? AND at >= ?${where}`).get(action, sinceIso, ...keys.map((k) => detail[k])) as { c: number };
    return row.c;
  }

  /** Newest first. */
  recent(limit = 100): AuditRow[] {
    return (
      this.db
        .prepare('SELECT seq, at, actor, action, detail, prev_hash AS prevHash, hash FROM audit_log ORDER BY seq DESC LIMIT ?')
        .all(Math.max(1, Math.min(1000, limit))) as AuditRow[]
    ).map((r) => ({ ...r }));
  }

  /**
   * Walks the chain from the first row and names the first row that does not hold. A chain alone
   * cannot reveal rows cut from its end, or a whole chain rebuilt by someone with the disk; an
   * `anchor` (a head IT wrote down earlier) can: that row must still exist with that hash.
   */
  verify(anchor?: AuditAnchor): AuditVerdict {
    const rows = this.db.prepare('SELECT seq, at, actor, action, detail, prev_hash AS prevHash, hash FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>;
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let count = 0;
    for (const row of rows) {
      count++;
      if (row.seq !== expectedSeq) return { ok: false, rows: count, firstBadSeq: expectedSeq, problem: 'missing-row' };
      if (row.prevHash !== prevHash) return { ok: false, rows: count, firstBadSeq: row.seq, problem: 'broken-link' };
      if (rowHash(row) !== row.hash) return { ok: false, rows: count, firstBadSeq: row.seq, problem: 'hash-mismatch' };
      if (anchor && row.seq === anchor.seq && row.hash !== anchor.hash) return { ok: false, rows: count, firstBadSeq: row.seq, problem: 'anchor-mismatch' };
      prevHash = row.hash;
      expectedSeq++;
    }
    if (anchor && count < anchor.seq) return { ok: false, rows: count, firstBadSeq: count + 1, problem: 'missing-row' };
    return { ok: true, rows: count, head: prevHash };
  }
}
