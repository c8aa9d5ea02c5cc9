import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, rowHash } from '../../electron/core/platform/audit/chain.js';
import { openDatabase, type Database } from '../../electron/core/platform/store/index.js';
import { auditConfiguration } from '../../electron/core/platform/audit/config-audit.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';

describe('audit hash chain', () => {
  let dir: string;
  let file: string;
  let db: Database;
  let audit: AuditLog;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-audit-'));
    file = join(dir, 'kelu.db');
    db = openDatabase(file);
    audit = new AuditLog(db);
    for (let i = 1; i <= 10; i++)
      audit.append({ actor: `st_${i % 3}`, action: i % 2 ? 'staff.login' : 'handoffs.list-viewed', detail: { n: i } });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Edits the database file through a second, independent connection, as an attacker would. */
  const tamper = (sql: string, ...params: unknown[]) => {
    const other = new BetterSqlite3(file);
    other.prepare(sql).run(...params);
    other.close();
  };

  it('links each row to the one before and verifies an intact chain', () => {
    const rows = audit.recent(100).reverse();
    expect(rows).toHaveLength(10);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prevHash).toBe(rows[i - 1]!.hash);
    expect(audit.verify()).toMatchObject({ ok: true, rows: 10, head: rows[9]!.hash });
  });

  it('names the edited row when one row is changed in the database file', () => {
    tamper(`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 6`);
    expect(audit.verify()).toEqual({ ok: false, rows: 6, firstBadSeq: 6, problem: 'hash-mismatch' });
  });

  it('names the row after a re-hashed edit (its link no longer holds)', () => {
    const row = audit.recent(100).find((r) => r.seq === 4)!;
    const edited = { ...row, detail: JSON.stringify({ n: 400 }) };
    tamper('UPDATE audit_log SET detail = ?, hash = ? WHERE seq = 4', edited.detail, rowHash(edited));
    expect(audit.verify()).toMatchObject({ ok: false, firstBadSeq: 5, problem: 'broken-link' });
  });

  it('names the gap when a row is deleted', () => {
    tamper('DELETE FROM audit_log WHERE seq = 3');
    expect(audit.verify()).toMatchObject({ ok: false, firstBadSeq: 3, problem: 'missing-row' });
  });

  it('with an anchor written down earlier, notices rows cut from the end and a rebuilt chain', () => {
    const v = audit.verify();
    if (!v.ok) throw new Error('chain should be intact');
    const anchor = { seq: v.rows, hash: v.head };
    tamper('DELETE FROM audit_log WHERE seq >= 9');
    expect(audit.verify()).toMatchObject({ ok: true, rows: 8 }); // the chain alone cannot tell
    expect(audit.verify(anchor)).toMatchObject({ ok: false, firstBadSeq: 9, problem: 'missing-row' });
    // Rebuilt from row 1 with a forged first row: every link holds, the anchor does not.
    const rows = audit.recent(100).reverse();
    let prev = rows[0]!.prevHash;
    const other = new BetterSqlite3(file);
    for (const r of rows) {
      const forged = { ...r, actor: r.seq === 1 ? 'forger' : r.actor, prevHash: prev };
      const hash = rowHash(forged);
      other
        .prepare('UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?')
        .run(forged.actor, prev, hash, r.seq);
      prev = hash;
    }
    other.close();
    expect(audit.verify()).toMatchObject({ ok: true });
    expect(audit.verify({ seq: 8, hash: rows[7]!.hash })).toMatchObject({
      ok: false,
      firstBadSeq: 8,
      problem: 'anchor-mismatch',
    });
  });

  it('records the configuration at first start and each change at a later start, key by key', () => {
    expect(auditConfiguration(db, audit, parseConfig({}))).toBe('loaded');
    expect(auditConfiguration(db, audit, parseConfig({}))).toBe('unchanged');
    expect(
      auditConfiguration(db, audit, parseConfig({ staff: { idleLogoutMs: 60_000 }, presence: { challenge: 'off' } })),
    ).toBe('changed');
    const row = audit.recent(1)[0]!;
    expect(row.action).toBe('config.changed');
    const { changes } = JSON.parse(row.detail) as { changes: string };
    expect(changes).toBe('presence.challenge: "head-turn" → "off"; staff.idleLogoutMs: 120000 → 60000');
    expect(audit.verify().ok).toBe(true);
  });

  it('refuses to write a full IIN into the log', () => {
    expect(() => audit.append({ actor: 'st_1', action: 'oops', detail: { iin: '900101300126' } })).toThrow(/IIN/);
    expect(() =>
      audit.append({ actor: 'st_1', action: 'oops', detail: { note: 'patient 900101300126 left' } }),
    ).toThrow(/IIN/);
    // Ids that happen to hold twelve digits in a row are not IINs.
    expect(() =>
      audit.append({
        actor: 'st_123456789012',
        action: 'handoffs.resolved',
        detail: { visitId: '3f2a9c1e-1b2c-4d3e-8f90-123456789012' },
      }),
    ).not.toThrow();
    // Nor are hashes (a SHA-256 in hex holds twelve digits in a row a few times in a hundred) or
    // timestamps: refusing them stopped the kiosk's start by chance.
    expect(() =>
      audit.append({ actor: 'kiosk', action: 'config.loaded', detail: { hash: 'ab900101300126cd'.padEnd(64, 'e') } }),
    ).not.toThrow();
    expect(() =>
      audit.append({ actor: 'kiosk', action: 'sync.export', detail: { path: '/media/usb/visits-202611261230.kelu' } }),
    ).not.toThrow();
    expect(audit.verify()).toMatchObject({ ok: true, rows: 13 });
  });
});
