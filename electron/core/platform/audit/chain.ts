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

/** Why a run of rows after signing began carries no device signature, as the kiosk's signed marker row says. */
export type UnsignedWhy = 'key-unavailable' | 'not-written-by-this-kiosk' | 'signed-rows-rewritten';

export type AuditVerdict =
  | {
      ok: true;
      rows: number;
      head: string;
      /** With a signature check: the newest row carrying a valid device signature (0: none). */
      signedThrough?: number;
      /** With a signature check: unsigned rows after signedThrough (written while the device key was unavailable, or by someone else); the kiosk marks them at its next signed row. */
      unsignedTail?: number;
      /** Unsigned runs the kiosk marked, with a signed row, as written by itself while its key was unavailable: kept, but nothing vouches for their content. */
      unverified?: Array<{ from: number; to: number }>;
      /** Device keys that signed rows, oldest first (a rotation row signed by the old key introduces the next). */
      keys?: string[];
    }
  | {
      ok: false;
      rows: number;
      firstBadSeq: number;
      problem:
        | 'hash-mismatch'
        | 'broken-link'
        | 'missing-row'
        | 'anchor-mismatch'
        | 'bad-signature'
        | 'unsigned-row'
        | 'unknown-key'
        | 'tamper-alarm'
        | 'mark-mismatch';
      /** unknown-key: the key id the row names; tamper-alarm: what the kiosk's signed alarm says. */
      note?: string;
    };

/**
 * Signs audit rows with the device's Ed25519 key. A row's signature covers its hash, and so the
 * whole chain before it: whoever has the file but not the device secret cannot rewrite any row up
 * to the newest signed one without a signature failing.
 */
export interface AuditSigner {
  /** The signing key's id, or null while the device has no usable key (unprovisioned, keyring gone): rows stay unsigned. */
  keyId(): string | null;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * The device keys verify trusts. They come from outside the folder under test (the key registered
 * upstream, given to kioskctl; the running kiosk's own key); a rotation row signed by a trusted key
 * introduces its successor.
 */
export interface AuditTrust {
  check(
    message: Uint8Array,
    signature: Uint8Array,
    keyId: string | null,
  ): { ok: true; keyId: string } | { ok: false; why: 'bad-signature' | 'unknown-key' };
  /** A rotation recorded by a row signed with `fromKeyId`: `toKeyId` (whose public key is given) signs from now on. */
  rotate(fromKeyId: string, toKeyId: string, publicKeyB64: string): boolean;
}

/** The kiosk's newest signed row, kept outside the database (audit-head.json), so stripping signatures from the end of the chain shows. */
export interface AuditMark {
  seq: number;
  hash: string;
  keyId: string;
  /** The row's own signature (base64). */
  sig: string;
  /** Rows this kiosk wrote unsigned since (its key was unavailable): first, newest and the newest's hash. */
  ownUnsigned?: { from: number; seq: number; hash: string; contiguous: boolean };
}
export interface AuditMarkStore {
  read(): AuditMark | null;
  write(mark: AuditMark): void;
}

/** What is signed for row `seq`: a domain tag, the sequence number and the row hash. */
export const auditSigningMessage = (seq: number, hash: string): Uint8Array =>
  new TextEncoder().encode(`kelu-audit-v1\n${seq}\n${hash}`);

/** The kiosk's signed marker for an unsigned run of rows (issue 17 items 1–2). */
export const unsignedRowsAction = 'audit.unsigned-rows';
/** A new device key, recorded by a row signed with the old one. */
export const keyRotatedAction = 'audit.key-rotated';

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
    h.update(`${Buffer.byteLength(field)}:`)
      .update(field)
      .update('\n');
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
export function maskDetail(
  detail: Record<string, string | number | boolean | null>,
): Record<string, string | number | boolean | null> {
  return Object.fromEntries(
    Object.entries(detail).map(([k, v]) => [k, typeof v === 'string' ? maskTwelveDigits(v) : v]),
  );
}
export const maskTwelveDigits = (s: string): string => s.replace(/(?<!\d)\d{8}(\d{4})(?!\d)/g, '********$1');

type StoredRow = AuditRow & { sig: string | null; keyId: string | null };

export interface AuditLogOptions {
  /** The newest signed row kept outside the database (the kiosk: audit-head.json in its data folder). */
  mark?: AuditMarkStore;
  /**
   * kioskctl: rows wait in `audit_pending`, outside the chain, until the kiosk imports and signs
   * them (naming the OS account that ran the command). A row never enters the signed chain on
   * the strength of its own content.
   */
  pendingOnly?: boolean;
}

/**
 * The append-only, hash-chained audit log in the kiosk's database. Appends are serialised by
 * SQLite's write lock (BEGIN IMMEDIATE), so two writers cannot fork the chain.
 *
 * Only the kiosk writes the chain. Before each row it checks the tail since its last signed row:
 * unsigned rows there are either its own (written while its key was unavailable: a signed
 * `audit.unsigned-rows` row marks them `key-unavailable`) or not (a signed alarm,
 * `not-written-by-this-kiosk`, or `signed-rows-rewritten` when the chain no longer holds the
 * newest signed row audit-head.json recorded). The kiosk never signs over what it did not write
 * without saying so, and verify fails on an unmarked unsigned row or an alarm.
 */
export class AuditLog {
  private readonly insert;
  private readonly last;
  private readonly pendingOnly: boolean;
  private mark: AuditMark | null;
  private markDirty = false;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
    /** The kiosk's device key; rows are signed while it has one. */
    private readonly signer?: AuditSigner,
    private readonly options: AuditLogOptions = {},
  ) {
    runMigrations(db, 'audit', auditMigrations);
    this.pendingOnly = options.pendingOnly === true;
    this.insert = db.prepare(
      'INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash, sig, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.mark = options.mark?.read() ?? null;
  }

  /** kioskctl's writer: rows wait outside the chain until the kiosk signs them. */
  static pending(db: Database, now?: () => Date): AuditLog {
    return new AuditLog(db, now, undefined, { pendingOnly: true });
  }

  append(entry: AuditEntry): AuditRow {
    const detail = JSON.stringify(entry.detail ?? {});
    if (mayHoldIin(entry.actor) || mayHoldIin(entry.action) || Object.values(entry.detail ?? {}).some(mayHoldIin))
      throw new Error('Refusing to write a full IIN into the audit log');
    if (this.pendingOnly) {
      const at = this.now().toISOString();
      this.db
        .prepare('INSERT INTO audit_pending (at, actor, action, detail) VALUES (?, ?, ?, ?)')
        .run(at, entry.actor, entry.action, detail);
      return { seq: 0, at, actor: entry.actor, action: entry.action, detail, prevHash: '', hash: '' };
    }
    const row = this.db
      .transaction((): AuditRow => {
        const keyId = this.signer?.keyId() ?? null;
        if (keyId) this.settleTail();
        this.importPending();
        return this.write(entry.actor, entry.action, detail);
      })
      .immediate();
    this.flushMark();
    return row;
  }

  /** Imports kioskctl's waiting rows now (the kiosk calls this at start), signed when the key is there. */
  settle(): void {
    if (this.pendingOnly) return;
    this.db
      .transaction(() => {
        if (this.signer?.keyId()) this.settleTail();
        this.importPending();
      })
      .immediate();
    this.flushMark();
  }

  /** kioskctl's rows not yet imported by the kiosk, oldest first. */
  pendingRows(): Array<{ at: string; actor: string; action: string; detail: string }> {
    return this.db.prepare('SELECT at, actor, action, detail FROM audit_pending ORDER BY id').all() as Array<{
      at: string;
      actor: string;
      action: string;
      detail: string;
    }>;
  }

  private write(actor: string, action: string, detail: string): AuditRow {
    const prev = this.last.get() as { seq: number; hash: string } | undefined;
    const base = {
      seq: (prev?.seq ?? 0) + 1,
      at: this.now().toISOString(),
      actor,
      action,
      detail,
      prevHash: prev?.hash ?? GENESIS_HASH,
    };
    const row: AuditRow = { ...base, hash: rowHash(base) };
    const keyId = this.signer?.keyId() ?? null;
    const sig = keyId
      ? Buffer.from(this.signer!.sign(auditSigningMessage(row.seq, row.hash))).toString('base64')
      : null;
    this.insert.run(row.seq, row.at, row.actor, row.action, row.detail, row.prevHash, row.hash, sig, keyId);
    if (sig && keyId) {
      this.mark = { seq: row.seq, hash: row.hash, keyId, sig };
      this.markDirty = true;
    } else if (this.signingBegan()) {
      // Written without the key after signing began: remember it as ours (outside the database),
      // so the key's return marks exactly these rows, and nothing someone else slipped in.
      const own = this.mark?.ownUnsigned;
      const contiguous = own ? own.seq === row.seq - 1 && own.contiguous : row.seq - 1 === this.lastSignedSeq();
      const ownUnsigned = { from: own?.from ?? row.seq, seq: row.seq, hash: row.hash, contiguous };
      this.mark = this.mark ? { ...this.mark, ownUnsigned } : { seq: 0, hash: '', keyId: '', sig: '', ownUnsigned };
      this.markDirty = true;
    }
    return row;
  }

  private flushMark(): void {
    if (this.markDirty && this.mark && this.options.mark) this.options.mark.write(this.mark);
    this.markDirty = false;
  }

  private lastSignedSeq(): number {
    return (
      (this.db.prepare('SELECT max(seq) AS s FROM audit_log WHERE sig IS NOT NULL').get() as { s: number | null }).s ??
      0
    );
  }

  private signingBegan(): boolean {
    return (this.mark !== null && this.mark.seq > 0) || this.lastSignedSeq() > 0;
  }

  /** Marks, with a signed row, every unsigned row since the last signed one (see the class comment). */
  private settleTail(): void {
    const signed = this.lastSignedSeq();
    const lastRow = this.last.get() as { seq: number; hash: string } | undefined;
    const lastSeq = lastRow?.seq ?? 0;
    const mark = this.mark;
    const hashAt = (seq: number) =>
      (this.db.prepare('SELECT hash, sig FROM audit_log WHERE seq = ?').get(seq) as
        { hash: string; sig: string | null } | undefined) ?? null;
    let rewritten = false;
    if (mark && mark.seq > 0) {
      const at = hashAt(mark.seq);
      rewritten = !at || at.hash !== mark.hash || at.sig === null || mark.seq > signed;
    }
    if (!rewritten && (signed === 0 || lastSeq === signed)) {
      if (signed > 0 && mark?.ownUnsigned) {
        this.mark = { ...mark, ownUnsigned: undefined };
        this.markDirty = true;
      }
      return;
    }
    const from = signed + 1;
    const own = mark?.ownUnsigned;
    const ours =
      own !== undefined && own.contiguous && own.from === from && own.seq === lastSeq && lastRow?.hash === own.hash;
    const why: UnsignedWhy = rewritten
      ? 'signed-rows-rewritten'
      : ours
        ? 'key-unavailable'
        : 'not-written-by-this-kiosk';
    const detail: Record<string, string | number> = { from, to: lastSeq, head: lastRow?.hash ?? GENESIS_HASH, why };
    if (rewritten && mark) Object.assign(detail, { markSeq: mark.seq, markHash: mark.hash });
    this.write('kiosk', unsignedRowsAction, JSON.stringify(detail));
  }

  private importPending(): void {
    const rows = this.db.prepare('SELECT id, at, actor, action, detail FROM audit_pending ORDER BY id').all() as Array<{
      id: number;
      at: string;
      actor: string;
      action: string;
      detail: string;
    }>;
    for (const p of rows) {
      let detail: Record<string, unknown>;
      try {
        const parsed = JSON.parse(p.detail) as unknown;
        detail =
          parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
            ? (parsed as Record<string, unknown>)
            : { value: p.detail };
      } catch {
        detail = { unparsable: p.detail.slice(0, 200) };
      }
      // Masked again: the pending table is writable by whoever has the file.
      const safe = JSON.stringify({ ...detail, via: 'cli', queuedAt: p.at });
      this.write(
        mayHoldIin(p.actor) ? 'os:unknown' : p.actor,
        mayHoldIin(p.action) ? 'unknown' : p.action,
        mayHoldIin(safe) ? JSON.stringify({ via: 'cli', queuedAt: p.at, refused: 'a full IIN' }) : safe,
      );
      this.db.prepare('DELETE FROM audit_pending WHERE id = ?').run(p.id);
    }
  }

  /** How many rows of one action since a time, optionally with given detail values (e.g. `{ why: 'no-such-user' }`). */
  count(action: string, sinceIso: string, detail: Record<string, string> = {}): number {
    const keys = Object.keys(detail);
    if (keys.some((k) => !/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(k))) throw new Error('Bad audit detail key');
    const where = keys.map((k) => ` AND json_extract(detail, '$.${k}') = ?`).join('');
    const row = this.db
      .prepare(`SELECT count(*) AS c FROM audit_log WHERE action = ? AND at >= ?${where}`)
      .get(action, sinceIso, ...keys.map((k) => detail[k])) as { c: number };
    return row.c;
  }

  /** Newest first. */
  recent(limit = 100): AuditRow[] {
    return (
      this.db
        .prepare(
          'SELECT seq, at, actor, action, detail, prev_hash AS prevHash, hash FROM audit_log ORDER BY seq DESC LIMIT ?',
        )
        .all(Math.max(1, Math.min(1000, limit))) as AuditRow[]
    ).map((r) => ({ ...r }));
  }

  /**
   * Walks the chain from the first row and names the first row that does not hold. A chain alone
   * cannot reveal rows cut from its end, or a whole chain rebuilt by someone with the disk; an
   * `anchor` (a head IT wrote down earlier) can: that row must still exist with that hash. With
   * `trust`, every signature is checked against keys from outside the folder; once signing began,
   * an unsigned row is accepted only inside a run the kiosk marked `key-unavailable` with a signed
   * row; `mark` (audit-head.json, its signature checked here) must still be in the chain.
   */
  verify(anchor?: AuditAnchor, trust?: AuditTrust, mark?: AuditMark | null): AuditVerdict {
    const rows = this.db
      .prepare(
        'SELECT seq, at, actor, action, detail, prev_hash AS prevHash, hash, sig, key_id AS keyId FROM audit_log ORDER BY seq',
      )
      .iterate() as IterableIterator<StoredRow>;
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    let count = 0;
    let signedThrough = 0;
    let spanFrom = 0;
    const unverified: Array<{ from: number; to: number }> = [];
    const keys: string[] = [];
    const bad = (
      seq: number,
      problem: Extract<AuditVerdict, { ok: false }>['problem'],
      note?: string,
    ): AuditVerdict => ({ ok: false, rows: count, firstBadSeq: seq, problem, ...(note ? { note } : {}) });
    for (const row of rows) {
      count++;
      if (row.seq !== expectedSeq) return bad(expectedSeq, 'missing-row');
      if (row.prevHash !== prevHash) return bad(row.seq, 'broken-link');
      if (rowHash(row) !== row.hash) return bad(row.seq, 'hash-mismatch');
      if (anchor && row.seq === anchor.seq && row.hash !== anchor.hash) return bad(row.seq, 'anchor-mismatch');
      if (trust) {
        if (mark && mark.seq === row.seq && (mark.hash !== row.hash || row.sig === null)) {
          // The kiosk signed this row (audit-head.json says so): an unsigned run up to it lost its signatures.
          return spanFrom > 0 || row.sig === null
            ? bad(spanFrom || row.seq, 'unsigned-row', 'signatures removed below the signed head in audit-head.json')
            : bad(row.seq, 'mark-mismatch');
        }
        if (row.sig !== null) {
          const c = trust.check(auditSigningMessage(row.seq, row.hash), Buffer.from(row.sig, 'base64'), row.keyId);
          if (!c.ok) return bad(row.seq, c.why, c.why === 'unknown-key' ? (row.keyId ?? 'unnamed') : undefined);
          if (keys.at(-1) !== c.keyId) keys.push(c.keyId);
          const d = parseDetail(row.detail);
          if (row.action === unsignedRowsAction) {
            if (d.why !== 'key-unavailable')
              return bad(
                typeof d.from === 'number' && d.from > 0 ? d.from : row.seq,
                'tamper-alarm',
                `row ${row.seq}: ${String(d.why)}`,
              );
            if (spanFrom === 0 || d.from !== spanFrom || d.to !== row.seq - 1 || d.head !== prevHash)
              return bad(spanFrom || row.seq, 'unsigned-row');
            unverified.push({ from: spanFrom, to: row.seq - 1 });
            spanFrom = 0;
          } else if (spanFrom > 0) return bad(spanFrom, 'unsigned-row');
          if (
            row.action === keyRotatedAction &&
            d.from === c.keyId &&
            typeof d.to === 'string' &&
            typeof d.publicKey === 'string'
          ) {
            if (!trust.rotate(c.keyId, d.to, d.publicKey))
              return bad(row.seq, 'unknown-key', `rotation to ${d.to} names a public key that is not that key`);
          }
          signedThrough = row.seq;
        } else if (signedThrough > 0 && spanFrom === 0) spanFrom = row.seq;
      }
      prevHash = row.hash;
      expectedSeq++;
    }
    if (anchor && count < anchor.seq) return bad(count + 1, 'missing-row');
    if (trust && mark && mark.seq > count) return bad(count + 1, 'missing-row');
    // Checked last: a rotation in the chain may have introduced the key that signed the head.
    if (
      trust &&
      mark &&
      mark.seq > 0 &&
      !trust.check(auditSigningMessage(mark.seq, mark.hash), Buffer.from(mark.sig, 'base64'), mark.keyId).ok
    ) {
      return bad(mark.seq, 'mark-mismatch', 'audit-head.json is not signed by a trusted device key');
    }
    if (!trust) return { ok: true, rows: count, head: prevHash };
    return {
      ok: true,
      rows: count,
      head: prevHash,
      signedThrough,
      unsignedTail: spanFrom > 0 ? count - spanFrom + 1 : 0,
      unverified,
      keys,
    };
  }
}

function parseDetail(detail: string): Record<string, unknown> {
  try {
    const d = JSON.parse(detail) as unknown;
    return d !== null && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
