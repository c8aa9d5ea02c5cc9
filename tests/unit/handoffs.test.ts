import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../electron/core/platform/audit/chain.js';
import { getSodium, openSealed } from '../../electron/core/platform/crypto/index.js';
import {
  IIN_TAG_KEY_FILE,
  LEGACY_IIN_TAG_KEY_FILE,
  loadOrCreateTagKey,
} from '../../electron/core/staff/handoffs/iin-tag.js';
import { checkIin } from '../../electron/core/platform/identity/iin.js';
import type { SecretProtector } from '../../electron/core/delivery/keys/index.js';
import { helpHandlers } from '../../electron/core/patient/help/handlers.js';
import { createHandoffService, type HandoffService } from '../../electron/core/staff/handoffs/service.js';
import { createReportsService } from '../../electron/core/staff/reports/service.js';
import {
  devUpstreamKeyPairFile,
  loadKioskKeys,
  plainFileProtector,
  readUpstreamKeyPair,
} from '../../electron/core/delivery/keys/index.js';
import { openDatabase, type Database } from '../../electron/core/platform/store/index.js';
import { createVisitQueue, envelopeSchema, migrateOutbox } from '../../electron/core/delivery/visits/index.js';

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
    const keys = await loadKioskKeys(
      dir,
      plainFileProtector(() => {}),
      'clinic-1',
      { developmentKeys: true },
    );
    const queue = createVisitQueue(db, () => keys);
    audit = new AuditLog(db);
    added = 0;
    handoffs = createHandoffService(
      db,
      (
        await loadOrCreateTagKey(
          dir,
          plainFileProtector(() => {}),
        )
      ).key!,
      audit,
      (v) => queue.queueVisit({ method: 'staff-verified', iin: v.iin, staff: v.staff }),
      () => new Date(),
      () => added++,
    );
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a waiting patient with the IIN masked and resolves it into a sealed staff-verified visit', async () => {
    const created = await handoffs.createHandoff({ iin: IIN, reason: 'declined-no-code' });
    expect(created.maskedIin).toBe('••••••••0126');
    expect(handoffs.list()).toEqual([
      expect.objectContaining({
        id: created.id,
        maskedIin: '••••••••0126',
        reason: 'declined-no-code',
        status: 'waiting',
      }),
    ]);
    expect(added).toBe(1); // the reception screen is told a patient was added

    const done = await handoffs.resolve('st_0123456789ab', created.id, {
      outcome: 'document-checked',
      iin: IIN,
      documentType: 'id-card',
      documentLast4: '4821',
    });
    expect(done).toMatchObject({
      status: 'checked-in',
      resolvedBy: 'st_0123456789ab',
      documentType: 'id-card',
      ticket: 'A-001',
    });
    expect(handoffs.list()).toEqual([]);

    // The upstream opens the visit and finds the method, the staff id and the document.
    const sodium = await getSodium();
    const upstream = await readUpstreamKeyPair(devUpstreamKeyPairFile());
    const row = db.prepare('SELECT sealed FROM outbox WHERE id = ?').get(done.visitId) as { sealed: Buffer };
    const envelope = envelopeSchema.parse(
      JSON.parse(sodium.to_string(openSealed(sodium, row.sealed, upstream.publicKey, upstream.secretKey)!)),
    );
    expect(envelope).toMatchObject({
      method: 'staff-verified',
      iin: IIN,
      staff: { staffId: 'st_0123456789ab', documentType: 'id-card', documentLast4: '4821' },
    });
    expect(envelope.staff?.reason).toMatch(/declined-no-code/);

    // Audited, without the IIN.
    const rows = audit.recent();
    expect(rows.map((r) => r.action)).toEqual(['handoffs.resolved', 'handoffs.created']);
    expect(rows[0]).toMatchObject({ actor: 'st_0123456789ab' });
    expect(audit.verify().ok).toBe(true);
  });

  it('refuses an IIN that is not the waiting patient’s, and a second resolution', async () => {
    const created = await handoffs.createHandoff({ iin: IIN, reason: 'face-check-failed' });
    await expect(
      handoffs.resolve('st_0123456789ab', created.id, {
        outcome: 'document-checked',
        iin: OTHER_VALID_IIN,
        documentType: 'passport',
        documentLast4: 'N123',
      }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/does not match/),
      key: 'handoffs.iin-mismatch', // the staff screen translates it by this key (renderer/src/screens/staff/errors.ts)
    });
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 });
    await handoffs.resolve('st_0123456789ab', created.id, { outcome: 'left' });
    await expect(handoffs.resolve('st_0123456789ab', created.id, { outcome: 'left' })).rejects.toThrow(
      /already resolved/,
    );
    expect(db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 });
  });

  it('stores no full IIN anywhere in the data folder; the tag key is private to the kiosk user', async () => {
    for (const reason of ['declined-no-code', 'camera-fault', 'too-many-wrong-codes'] as const)
      await handoffs.createHandoff({ iin: IIN, reason });
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(statSync(join(dir, IIN_TAG_KEY_FILE)).mode & 0o077).toBe(0);
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    for (const f of files)
      expect(readFileSync(join(f.parentPath, f.name)).includes(Buffer.from(IIN)), f.name).toBe(false);
  });

  it('“I need help” puts the patient on the list with the screen, the masked IIN when known, and the day’s report counts it', async () => {
    const sessions = new Map([['4a9f8c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b', { iin: IIN }]]);
    const help = helpHandlers({
      identified: (s) => sessions.get(s),
      createHandoff: (e) => handoffs.createHandoff(e),
      get: (id) => handoffs.get(id),
    });
    const ctx = { transport: 'test' } as never;
    const before = await help['handoffs.askForHelp']({ screen: 'identify' }, ctx);
    const during = await help['handoffs.askForHelp'](
      { session: '4a9f8c1e-2b3d-4e5f-8a6b-7c8d9e0f1a2b', screen: 'camera' },
      ctx,
    );
    // A stale or foreign session gives no IIN: the help request still reaches reception.
    const stale = await help['handoffs.askForHelp'](
      { session: '00000000-0000-4000-8000-000000000000', screen: 'consent' },
      ctx,
    );
    expect(before).toMatchObject({ maskedIin: null, reference: expect.stringMatching(/^[0-9A-F]{6}$/) });
    expect(during.maskedIin).toBe('••••••••0126');
    expect(stale.maskedIin).toBeNull();
    expect(handoffs.list()).toEqual([
      expect.objectContaining({
        id: before.id,
        reason: 'asked-for-help',
        screen: 'identify',
        maskedIin: null,
        status: 'waiting',
      }),
      expect.objectContaining({ id: during.id, reason: 'asked-for-help', screen: 'camera', maskedIin: '••••••••0126' }),
      expect.objectContaining({ id: stale.id, reason: 'asked-for-help', screen: 'consent', maskedIin: null }),
    ]);
    expect(added).toBe(3);
    expect(help['handoffs.helpStatus']({ id: during.id }, ctx)).toEqual({ status: 'waiting' });

    // No IIN was entered: there is no patient to match, so staff cannot seal a visit for it.
    await expect(
      handoffs.resolve('st_0123456789ab', before.id, {
        outcome: 'document-checked',
        iin: IIN,
        documentType: 'id-card',
        documentLast4: '4821',
      }),
    ).rejects.toThrow(/before entering an IIN/);
    await handoffs.resolve('st_0123456789ab', before.id, { outcome: 'left' });
    const checked = await handoffs.resolve('st_0123456789ab', during.id, {
      outcome: 'document-checked',
      iin: IIN,
      documentType: 'id-card',
      documentLast4: '4821',
    });
    expect(checked.status).toBe('checked-in');
    expect(help['handoffs.helpStatus']({ id: during.id }, ctx)).toEqual({ status: 'checked-in' });
    // The patient screen learns nothing about other kinds of hand-off.
    const declined = await handoffs.createHandoff({ iin: IIN, reason: 'declined-no-code' });
    expect(help['handoffs.helpStatus']({ id: declined.id }, ctx)).toEqual({ status: 'unknown' });

    const today = new Date().toISOString().slice(0, 10);
    const report = createReportsService(db, { timeZone: 'UTC' }).daily(today, today);
    expect(report.days).toEqual([
      expect.objectContaining({ day: today, askedForHelp: 3, 'staff-verified': 1, total: 1 }),
    ]);
    expect(audit.verify().ok).toBe(true);
  });
});

// A stand-in for Electron's safeStorage (the binary is not here): reversible, and not the input.
const xor = (b: Uint8Array) => b.map((x) => x ^ 0xa5);
const safeStandIn: SecretProtector = { kind: 'safe-storage', protect: xor, unprotect: xor };
const quiet = plainFileProtector(() => {});

describe('hand-off tag key (issue 11 item 6)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-tagkey-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('an empty or truncated key file (a crash while an earlier version wrote it) does not stop the start', async () => {
    for (const content of [Buffer.alloc(0), Buffer.alloc(7, 1)]) {
      rmSync(join(dir, 'keys'), { recursive: true, force: true });
      writeFileSync(join(dir, LEGACY_IIN_TAG_KEY_FILE), content);
      const loaded = await loadOrCreateTagKey(dir, quiet);
      expect(loaded.key).toHaveLength(32);
      // The new file is complete JSON (written to a temp file, fsynced, renamed) and loads again.
      expect(JSON.parse(readFileSync(join(dir, IIN_TAG_KEY_FILE), 'utf8'))).toMatchObject({
        v: 1,
        protector: 'plain-file',
      });
      expect(Buffer.from((await loadOrCreateTagKey(dir, quiet)).key!).equals(Buffer.from(loaded.key!))).toBe(true);
    }
    // The same for a truncated file in the new place.
    writeFileSync(join(dir, IIN_TAG_KEY_FILE), '{"v":1,"prot');
    const replaced = await loadOrCreateTagKey(dir, quiet);
    expect(replaced).toMatchObject({ event: 'replaced-damaged' });
    expect(replaced.key).toHaveLength(32);
  });

  it('is wrapped like the device key: an unwrapped key of an earlier version is moved under safeStorage', async () => {
    const sodium = await getSodium();
    const raw = sodium.crypto_generichash_keygen();
    writeFileSync(join(dir, LEGACY_IIN_TAG_KEY_FILE), raw, { mode: 0o600 });
    const loaded = await loadOrCreateTagKey(dir, safeStandIn);
    expect(loaded.event).toBe('migrated-legacy');
    expect(Buffer.from(loaded.key!).equals(Buffer.from(raw))).toBe(true);
    expect(existsSync(join(dir, LEGACY_IIN_TAG_KEY_FILE))).toBe(false);
    const file = readFileSync(join(dir, IIN_TAG_KEY_FILE), 'utf8');
    expect(JSON.parse(file)).toMatchObject({ protector: 'safe-storage' });
    expect(file.includes(Buffer.from(raw).toString('base64'))).toBe(false);
    expect(statSync(join(dir, IIN_TAG_KEY_FILE)).mode & 0o077).toBe(0);
    // Without the keyring the key is not readable, and that is a message, not a crash.
    const without = await loadOrCreateTagKey(
      dir,
      plainFileProtector(() => {}, 'keyring backend basic_text'),
    );
    expect(without.key).toBeUndefined();
    expect(without.problem).toMatch(/keyring/);
  });

  it('with the key and the stored last four, a fast keyed-hash search no longer finds the IIN; resolved entries keep no tag', async () => {
    mkdirSync(dir, { recursive: true });
    const db = openDatabase(join(dir, 'kelu.db'));
    try {
      migrateOutbox(db);
      const keys = await loadKioskKeys(dir, quiet, 'clinic-1', { developmentKeys: true });
      const queue = createVisitQueue(db, () => keys);
      const tagKey = (await loadOrCreateTagKey(dir, quiet)).key!;
      const service = createHandoffService(db, tagKey, new AuditLog(db), (v) =>
        queue.queueVisit({ method: 'staff-verified', iin: v.iin, staff: v.staff }),
      );
      const created = await service.createHandoff({ iin: IIN, reason: 'declined-no-code' });
      const row = db.prepare('SELECT masked_iin, iin_tag FROM handoffs WHERE id = ?').get(created.id) as {
        masked_iin: string;
        iin_tag: string;
      };

      // The attacker's search: every valid IIN of the 1900s ending in the stored four digits
      // (birth date × century/sex digit × eighth digit, filtered by the check digit), each hashed
      // with the stolen key as the earlier versions did (keyed BLAKE2b).
      const sodium = await getSodium();
      const last4 = row.masked_iin.slice(-4);
      const candidates: string[] = [];
      for (let d = Date.UTC(1900, 0, 1); d < Date.UTC(2000, 0, 1); d += 86_400_000) {
        const t = new Date(d);
        const date = `${String(t.getUTCFullYear() % 100).padStart(2, '0')}${String(t.getUTCMonth() + 1).padStart(2, '0')}${String(t.getUTCDate()).padStart(2, '0')}`;
        for (const centurySex of ['3', '4'])
          for (let eighth = 0; eighth < 10; eighth++) {
            const iin = `${date}${centurySex}${eighth}${last4}`;
            if (checkIin(iin).valid) candidates.push(iin);
          }
      }
      expect(candidates).toContain(IIN);
      console.log(`[handoffs] IINs of the 1900s matching one entry's last four: ${candidates.length}`);
      const fastHits = candidates.filter(
        (iin) =>
          sodium.to_hex(sodium.crypto_generichash(32, `kelu-handoff-iin:${iin}`, tagKey)) ===
          row.iin_tag.replace(/^[a-z0-9]+\$/, ''),
      );
      expect(fastHits).toEqual([]);

      // Staff with the document still resolve it; then no tag is kept.
      await service.resolve('st_0123456789ab', created.id, {
        outcome: 'document-checked',
        iin: IIN,
        documentType: 'id-card',
        documentLast4: '4821',
      });
      expect(db.prepare('SELECT iin_tag FROM handoffs WHERE id = ?').get(created.id)).toEqual({ iin_tag: '' });
    } finally {
      db.close();
    }
  });
});
