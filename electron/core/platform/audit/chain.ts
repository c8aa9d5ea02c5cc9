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
  | {
      ok: true;
      rows: number;
      head: string;
      /** With a signature check: the newest row carrying a valid device signature (0: none). */
      signedThrough?: number;
      /** With a signature check: rows after signedThrough (kioskctl's rows wait for the kiosk's next signed row). */
      unsignedTail?: number;
    }
  | { ok: false; rows: number; firstBadSeq: number; problem: 'hash-mismatch' | 'broken-link' | 'missing-row' | 'anchor-mismatch' | 'bad-signature' | 'unsigned-row' };

/**
 * Signs audit rows with the device's Ed25519 key. A row's signature covers its hash, and so the
 * whole chain before it: whoever has the file but not the device secret cannot rewrite any row up
 * to the newest signed one without a signature failing.
 */
export interface AuditSigner {
  /** Null while the device has no key (an unprovisioned kiosk): the row stays unsigned, like kioskctl's. */
  sign(message: Uint8Array): Uint8Array | null;
}
export type AuditSignatureCheck = (message: Uint8Array, signature: Uint8Array) => boolean;

/** What is signed for row `seq`: a domain tag, the sequence number and the row hash. */
export const auditSigningMessage = (seq: number, hash: string): Uint8Array => new TextEncoder().encode(`kelu-audit-v1\n${seq}\n${hash}`);

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
 * Paths and URLs are typed by people: any run of twelve digits in a detail's strings is masked to
 * its last four, as the kiosk masks an IIN, so an IIN used in a file name never reaches the
 * permanent log and a finished export is never turned into a failure by the IIN check below.
 */
export function maskDetail(detail: Record<string, string | number | boolean | null>): Record<string, string | number | boolean | null> {
  return Object.fromEntries(Object.entries(detail).map(([k, v]) => [k, typeof v === 'string' ? maskTwelveDigits(v) : v]));
}
/** kioskctl's rows: actor `cli` (staff commands) or `os:<login>`, or `via: cli`. They may be unsigned. */
function writtenByCli(row: { actor: string; detail: string }): boolean {
  if (row.actor === 'cli' || row.actor.startsWith('os:')) return true;
  try {
    return (JSON.parse(row.detail) as { via?: unknown }).via === 'cli';
  } catch {
    return false;
  }
}

export const maskTwelveDigits = (s: string): string => s.replace(/(?<!\d)\d{8}(\d{4})(?!\d)/g, '********$1');

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
    /** The kiosk's device key; absent in kioskctl (its rows are covered by the kiosk's next signed row). */
    private readonly signer?: AuditSigner,
  ) {
    runMigrations(db, 'audit', auditMigrations);
    this.insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  }

  append(entry: AuditEntry): AuditRow {
    const detail = JSON.stringify(entry.detail ?? {});
    if (mayHoldIin(entry.actor) || mayHoldIin(entry.action) || Object.values(entry.detail ?? {}).some(mayHoldIin)) throw new Error('Refusing to write a full IIN into the audit log');
    return this.db.transaction((): AuditRow => {
      const prev = this.last.get() as { seq: number; hash: string } | undefined;
      const base = { seq: (prev?.seq ?? 0) + 1, at: this.now().toISOString(), actor: entry.actor, action: entry.action, detail, prevHash: prev?.hash ?? GENESIS_HASH };
      const row: AuditRow = { ...base, hash: rowHash(base) };
      const signature = this.signer?.sign(auditSigningMessage(row.seq, row.hash));
      const sig = signature ? Buffer.from(signature).toString('base64') : null;
      this.insert.run(row.seq, row.at, row.actor, row.action, row.detail, row.prevHash, row.hash, sig);
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
  verify(anchor?: AuditAnchor, checkSignature?: AuditSignatureCheck): AuditVerdict {
    const rows = this.db.prepare('SELECT seq, at, actor, action, detail, prev_hash AS prevHash, hash, sig FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow & { sig: string | null }>;
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let count = 0;
    let signedThrough = 0;
    for (const row of rows) {
      count++;
      if (row.seq !== expectedSeq) return { ok: false, rows: count, firstBadSeq: expectedSeq, problem: 'missing-row' };
      if (row.prevHash !== prevHash) return { ok: false, rows: count, firstBadSeq: row.seq, problem: 'broken-link' };
      if (rowHash(row) !== row.hash) return { ok: false, rows: count, firstBadSeq: row.seq, problem: 'hash-mismatch' };
      if (anchor && row.seq === anchor.seq && row.hash !== anchor.hash) return { ok: false, rows: count, firstBadSeq: row.seq, problem: 'anchor-mismatch' };
      if (checkSignature) {
        if (row.sig !== null) {
          if (!checkSignature(auditSigningMessage(row.seq, row.hash), Buffer.from(row.sig, 'base64'))) return { ok: false, rows: count, firstBadSeq: row.seq, problem: 'bad-signature' };
          signedThrough = row.seq;
        } else if (signedThrough > 0 && !writtenByCli(row)) {
          // Once the kiosk signs, every row it writes is signed: a bare one was written by someone else.
          return { ok: false, rows: count, firstBadSeq: row.seq, problem: 'unsigned-row' };
        }
      }
      prevHash = row.hash;
      expectedSeq++;
    }
    if (anchor && count < anchor.seq) return { ok: false, rows: count, firstBadSeq: count + 1, problem: 'missing-row' };
    return checkSignature ? { ok: true, rows: count, head: prevHash, signedThrough, unsignedTail: count - signedThrough } : { ok: true, rows: count, head: prevHash };
  }
}
