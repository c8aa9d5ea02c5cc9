import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  getSodium,
  openSealed,
  verifyDetached,
  visitSigningMessage,
} from '../../electron/core/platform/crypto/index.js';
import {
  devUpstreamKeyPairFile,
  loadKioskKeys,
  plainFileProtector,
  readUpstreamKeyPair,
} from '../../electron/core/delivery/keys/index.js';
import { openDatabase } from '../../electron/core/platform/store/index.js';
import {
  VisitNotStoredError,
  createVisitQueue,
  envelopeSchema,
  migrateOutbox,
} from '../../electron/core/delivery/visits/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'kelu-visits-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'kelu.db'));
  migrateOutbox(db);
  const keys = await loadKioskKeys(
    dir,
    plainFileProtector(() => {}),
    'clinic-1',
    { developmentKeys: true },
  );
  return { dir, db, keys, queue: createVisitQueue(db, () => keys) };
}

const descriptor = Array.from({ length: 128 }, (_, i) => Math.sin(i) / 3);
const faceVisit = {
  method: 'face' as const,
  iin: '900101300123',
  face: { descriptor, modelId: 'test-model', presence: { challenge: 'off' as const, frames: 12, durationMs: 900 } },
};

describe('visits: sealing a check-in', () => {
  it('stores a sealed, signed visit and a masked receipt; only the upstream can open it', async () => {
    const { db, keys, queue } = await setup();
    const sodium = await getSodium();
    const result = await queue.queueVisit(faceVisit);
    expect(result.maskedIin).toBe('••••••••0123');
    expect(result.ticket).toBe('A-001');

    const row = db.prepare('SELECT * FROM outbox WHERE id = ?').get(result.visitId) as {
      sealed: Buffer;
      sig: Buffer;
      created_at: string;
      device_id: string;
    };
    const receipt = db.prepare('SELECT * FROM receipts WHERE visit_id = ?').get(result.visitId) as {
      masked_iin: string;
      ticket: string;
      status: string;
    };
    expect(receipt).toMatchObject({ masked_iin: '••••••••0123', ticket: 'A-001', status: 'pending' });

    // The device signature covers the exact sealed bytes.
    const msg = visitSigningMessage(sodium, {
      id: result.visitId,
      deviceId: row.device_id,
      createdAt: row.created_at,
      sealed: row.sealed,
    });
    expect(verifyDetached(sodium, row.sig, msg, keys.device.publicKey)).toBe(true);
    const tampered = Buffer.from(row.sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(
      verifyDetached(
        sodium,
        row.sig,
        visitSigningMessage(sodium, {
          id: result.visitId,
          deviceId: row.device_id,
          createdAt: row.created_at,
          sealed: tampered,
        }),
        keys.device.publicKey,
      ),
    ).toBe(false);

    // The upstream's secret opens it and finds the same envelope.
    const upstream = await readUpstreamKeyPair(devUpstreamKeyPairFile());
    const opened = openSealed(sodium, row.sealed, upstream.publicKey, upstream.secretKey);
    const envelope = envelopeSchema.parse(JSON.parse(sodium.to_string(opened!)));
    expect(envelope).toMatchObject({
      v: 1,
      visitId: result.visitId,
      iin: '900101300123',
      clinicId: 'clinic-1',
      deviceId: keys.device.deviceId,
      method: 'face',
    });
    expect(envelope.face?.descriptor).toEqual(descriptor);

    // The kiosk itself cannot: no key it holds opens the box.
    const deviceAsBox = sodium.crypto_sign_ed25519_sk_to_curve25519(keys.device.secretKey);
    expect(openSealed(sodium, row.sealed, sodium.crypto_scalarmult_base(deviceAsBox), deviceAsBox)).toBeNull();
    db.close();
  });

  it('never writes the IIN or the descriptor in clear to the data folder', async () => {
    const { dir, db, queue } = await setup();
    for (let i = 0; i < 20; i++) await queue.queueVisit(faceVisit);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const needleIin = Buffer.from('900101300123');
    const needleDesc = Buffer.from(String(descriptor[5]));
    const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      const bytes = readFileSync(join(f.parentPath, f.name));
      expect(bytes.includes(needleIin), `${f.name} holds the IIN`).toBe(false);
      expect(bytes.includes(needleDesc), `${f.name} holds the descriptor`).toBe(false);
    }
  });

  it('numbers tickets in order and refuses an invalid visit without storing anything', async () => {
    const { db, queue } = await setup();
    await queue.queueVisit(faceVisit);
    await expect(queue.queueVisit({ ...faceVisit, iin: '12345' })).rejects.toThrow(/not valid: iin/);
    await expect(queue.queueVisit({ method: 'face', iin: '900101300123' })).rejects.toThrow(/needs its evidence/);
    const second = await queue.queueVisit({ method: 'egov-code', iin: '900101300123', egov: { code: '123456' } });
    expect(second.ticket).toBe('A-002');
    expect(db.prepare('SELECT count(*) c FROM outbox').get()).toEqual({ c: 2 });
    expect(db.prepare('SELECT count(*) c FROM receipts').get()).toEqual({ c: 2 });
    db.close();
  });

  it('on a full disk tells the patient to go to reception, tells IT why, and leaves no half-written visit', async () => {
    const { db, keys } = await setup();
    const seen: string[] = [];
    const queue = createVisitQueue(db, () => keys, { onStoreError: (e) => seen.push(e.kind) });
    await queue.queueVisit(faceVisit);
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    let error: unknown;
    for (let i = 0; i < 50 && !error; i++) {
      try {
        await queue.queueVisit(faceVisit);
      } catch (err) {
        error = err;
      }
    }
    expect(error).toBeInstanceOf(VisitNotStoredError);
    expect((error as VisitNotStoredError).kind).toBe('disk-full');
    expect((error as Error).message).toMatch(/reception/);
    expect(seen).toEqual(['disk-full']);
    const outbox = (db.prepare('SELECT count(*) c FROM outbox').get() as { c: number }).c;
    const receipts = (db.prepare('SELECT count(*) c FROM receipts').get() as { c: number }).c;
    expect(outbox).toBe(receipts);
    expect(outbox).toBeGreaterThanOrEqual(1);
    db.close();
  });
});
