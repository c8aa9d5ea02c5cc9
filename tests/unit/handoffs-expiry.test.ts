// Issue 17 item 8: hand-off IIN tags of entries nobody resolves expire (with an audit row), and the
// old fast tags are no longer accepted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { getSodium } from '../../electron/core/platform/crypto/index.js';
import { loadOrCreateTagKey } from '../../electron/core/staff/handoffs/iin-tag.js';
import { createHandoffService, type HandoffService } from '../../electron/core/staff/handoffs/service.js';
import { plainFileProtector } from '../../electron/core/delivery/keys/index.js';
import { openDatabase, type Database } from '../../electron/core/platform/store/index.js';

const IIN = '900101300126';
let dir: string;
let db: Database;
let clock: number;
let key: Uint8Array;
let audit: AuditLog;
let handoffs: HandoffService;
const queued: string[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelu-handoff-exp-'));
  db = openDatabase(join(dir, 'kelu.db'));
  clock = Date.parse('2026-03-02T08:00:00Z');
  key = (
    await loadOrCreateTagKey(
      dir,
      plainFileProtector(() => {}),
    )
  ).key!;
  audit = new AuditLog(db, () => new Date(clock));
  handoffs = createHandoffService(
    db,
    key,
    audit,
    async (v) => {
      queued.push(v.iin);
      return { visitId: 'v1', ticket: 'A-001', maskedIin: '••••••••0126' };
    },
    () => new Date(clock),
  );
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('issue 17 item 8: hand-off entries and tags expire', () => {
  it('a waiting entry nobody resolved leaves the list after 12 hours, its tag cleared and the expiry audited', async () => {
    const { id } = await handoffs.createHandoff({ iin: IIN, reason: 'asked-for-help' });
    clock += 11 * 3_600_000;
    expect(handoffs.list().map((h) => h.id)).toEqual([id]);
    clock += 2 * 3_600_000;
    expect(handoffs.list()).toEqual([]);
    expect((db.prepare('SELECT iin_tag FROM handoffs WHERE id = ?').get(id) as { iin_tag: string }).iin_tag).toBe('');
    expect(audit.recent(5).map((r) => r.action)).toContain('handoffs.expired');
    await expect(
      handoffs.resolve('st_0123456789ab', id, {
        outcome: 'document-checked',
        iin: IIN,
        documentType: 'id-card',
        documentLast4: '4821',
      }),
    ).rejects.toThrow();
  });

  it('an entry with an old fast tag is not resolved by that tag', async () => {
    const sodium = await getSodium();
    const fast = sodium.to_hex(sodium.crypto_generichash(32, `kelu-handoff-iin:${IIN}`, key));
    db.prepare(
      "INSERT INTO handoffs (id, created_at, masked_iin, iin_tag, reason) VALUES ('h-old', ?, '••••••••0126', ?, 'declined-no-code')",
    ).run(new Date(clock).toISOString(), fast);
    await expect(
      handoffs.resolve('st_0123456789ab', 'h-old', {
        outcome: 'document-checked',
        iin: IIN,
        documentType: 'id-card',
        documentLast4: '4821',
      }),
    ).rejects.toThrow();
    expect(queued).toEqual([]);
  });
});
