import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/core/audit/chain.js';
import { getSodium, openSealed } from '../../electron/core/crypto/index.js';
import { IIN_TAG_KEY_FILE, loadOrCreateTagKey } from '../../electron/core/handoffs/iin-tag.js';
import { helpHandlers } from '../../electron/core/handoffs/help.js';
import { HandoffService } from '../../electron/core/handoffs/service.js';
import { ReportsService } from '../../electron/core/reports/service.js';
import { devUpstreamKeyPairFile, loadKioskKeys, plainFileProtector, readUpstreamKeyPair } from '../../electron/core/keys/index.js';
import { openDatabase, type Database } from '../../electron/core/store/index.js';
import { createVisitQueue, envelopeSchema, migrateOutbox } from '../../electron/core/visits/index.js';

const IIN = '900101300126';
const OTHER_VALID_IIN = '880412400018';

describe('reception hand-offs', () => {
  let dir: string;
  let db: Database;
  let audit: AuditLog;
  let handoffs: HandoffService;
  let added: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-handoffs-'));
    db = openDatabase(join(dir, 'kelu.db'));
    migrateOutbox(db);
    const keys = await loadKioskKeys(dir, plainFileProtector(() => {}), 'clinic-1');
    const queue = createVisitQueue(db, () => keys);
    audit = new AuditLog(db);
    added = 0;
    handoffs = new HandoffService(db, await loadOrCreateTagKey(dir), audit, (v) => queue.queueVisit({ method: 'staff-verified', iin: v.iin, staff: v.staff }), () => new Date(), () => added++);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a waiting patient with the IIN masked and resolves it into a sealed staff-verified visit', async () => {
    const created = await handoffs.createHandoff({ iin: IIN, reason: 'declined-no-code' });
    expect(created.maskedIin).toBe('••••••••0126');
    expect(handoffs.list()).toEqual([expect.objectContaining({ id: created.id, maskedIin: '••••••••0126', reason: 'declined-no-code', status: 'waiting' })]);
    expect(added).toBe(1); // the reception screen is told a patient was added

    const done = await handoffs.resolve('st_0123456789ab', created.id, { outcome: 'document-checked', iin: IIN, documentType: 'id-card', documentLast4: '4821' });
    expect(done).toMatchObject({ status: 'checked-in', resolvedBy: 'st_0123456789ab', documentType: 'id-card', ticket: 'A-001' });
    expect(handoffs.list()).toEqual([]);

    // The upstream opens the visit and finds the method, the staff id and the document.
    const sodium = await getSodium();
    const upstream = await readUpstreamKeyPair(devUpstreamKeyPairFile());
    const row = db.prepare('SELECT sealed FROM outbox WHERE id = ?').get(done.visitId) as { sealed: Buffer };
    const envelope = envelopeSchema.parse(JSON.parse(sodium.to_string(openSealed(sodium, row.sealed, upstream.publicKey, upstream.secretKey)!)));
    expect(envelope).toMatchObject({ method: 'staff-verified', iin: IIN, staff: { staffId: 'st_0123456789ab', documentType: 'id-card', documentLast4: '4821' } });
    expect(envelope.staff?.reason).toMatch(/declined-no-code/);

    // Audited, without the IIN.
    const rows = audit.recent();
    expect(rows.map((r) => r.action)).toEqual(['handoffs.resolved', 'handoffs.created']);
    expect(rows[0]).toMatchObject({ actor: 'st_0123456789ab' });
    expect(audit.verify().ok).toBe(true);
  });

  it('refuses an IIN that is not the waiting patient’s, and a second resolution', async () => {
    const created = await handoffs.createHandoff({ iin: IIN, reason: 'face-check-failed' });
    await expect(handoffs.resolve('st_0123456789ab', created.id, { outcome: 'document-checked', iin: OTHER_VALID_IIN, documentType: 'passport', documentLast4: 'N123' })).rejects.toThrow(/does not match/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    await handoffs.resolve('st_0123456789ab', created.id, { outcome: 'left' });
    await expect(handoffs.resolve('st_0123456789ab', created.id, { outcome: 'left' })).rejects.toThrow(/already resolved/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 });
  });

  it('stores no full IIN anywhere in the data folder; the tag key is private to the kiosk user', async () => {
    for (const reason of ['declined-no-code', 'camera-fault', 'too-many-wrong-codes'] as const) await handoffs.createHandoff({ iin: IIN, reason });
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(statSync(join(dir, IIN_TAG_KEY_FILE)).mode & 0o077).toBe(0);
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name)).includes(Buffer.from(IIN)), f.name).toBe(false);
  });

  it('“I need help” puts the patient on the list with the screen, the masked IIN when known, and the day’s report counts it', async () => {
    const sessions = new Map([['4a9f8c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b', { iin: IIN }]]);
    const help = helpHandlers({ identified: (s) => sessions.get(s), createHandoff: (e) => handoffs.createHandoff(e), get: (id) => handoffs.get(id) });
    const ctx = { transport: 'test' } as never;
    const before = await help['handoffs.askForHelp']({ screen: 'identify' }, ctx);
    const during = await help['handoffs.askForHelp']({ session: '4a9f8c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b', screen: 'camera' }, ctx);
    // A stale or foreign session gives no IIN: the help request still reaches reception.
    const stale = await help['handoffs.askForHelp']({ session: '00000000-0000-4000-8000-000000000000', screen: 'consent' }, ctx);
    expect(before).toMatchObject({ maskedIin: null, reference: expect.stringMatching(/^[0-9A-F]{6}$/) });
    expect(during.maskedIin).toBe('••••••••0126');
    expect(stale.maskedIin).toBeNull();
    expect(handoffs.list()).toEqual([
      expect.objectContaining({ id: before.id, reason: 'asked-for-help', screen: 'identify', maskedIin: null, status: 'waiting' }),
      expect.objectContaining({ id: during.id, reason: 'asked-for-help', screen: 'camera', maskedIin: '••••••••0126' }),
      expect.objectContaining({ id: stale.id, reason: 'asked-for-help', screen: 'consent', maskedIin: null }),
    ]);
    expect(added).toBe(3);
    expect(help['handoffs.helpStatus']({ id: during.id }, ctx)).toEqual({ status: 'waiting' });

    // No IIN was entered: there is no patient to match, so staff cannot seal a visit for it.
    await expect(handoffs.resolve('st_0123456789ab', before.id, { outcome: 'document-checked', iin: IIN, documentType: 'id-card', documentLast4: '4821' })).rejects.toThrow(/before entering an IIN/);
    await handoffs.resolve('st_0123456789ab', before.id, { outcome: 'left' });
    const checked = await handoffs.resolve('st_0123456789ab', during.id, { outcome: 'document-checked', iin: IIN, documentType: 'id-card', documentLast4: '4821' });
    expect(checked.status).toBe('checked-in');
    expect(help['handoffs.helpStatus']({ id: during.id }, ctx)).toEqual({ status: 'checked-in' });
    // The patient screen learns nothing about other kinds of hand-off.
    const declined = await handoffs.createHandoff({ iin: IIN, reason: 'declined-no-code' });
    expect(help['handoffs.helpStatus']({ id: declined.id }, ctx)).toEqual({ status: 'unknown' });

    const today = new Date().toISOString().slice(0, 10);
    const report = new ReportsService(db, { timeZone: 'UTC' }).daily(today, today);
    expect(report.days).toEqual([expect.objectContaining({ day: today, askedForHelp: 3, 'staff-verified': 1, total: 1 })]);
    expect(audit.verify().ok).toBe(true);
  });
});
