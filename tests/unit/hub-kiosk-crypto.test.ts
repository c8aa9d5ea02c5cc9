import { describe, expect, it } from 'vitest';
import { getSodium, toB64, visitSigningMessage } from '../../electron/core/platform/crypto/index.js';
import { devUpstreamKeyPairFile, readUpstreamKeyPair } from '../../electron/core/delivery/keys/index.js';
import { batchPath, type BatchItem, type ItemResult } from '../../electron/shared/protocol/batch.js';
import { envelopeSchema } from '../../electron/shared/protocol/envelope.js';
import { sealOpener, verifyEd25519 } from '../../upstream/fast-crypto.js';
import { openHeadlessKiosk, syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { startTestHub } from '../support/hub.js';
import { useCleanups } from '../support/upstream.js';

/**
 * The hub opens and verifies with native libsodium (sodium-native); kiosks seal and sign with
 * libsodium-wrappers (WebAssembly). Protocol v1 is the same bytes either way: a visit made by the
 * kiosk's own outbox (queueVisit: crypto_box_seal to the upstream key, Ed25519 over
 * visitSigningMessage) opens and verifies on the hub's path, and a changed one is refused. Real
 * crypto, the real PostgreSQL; nothing mocked.
 */
const c = useCleanups();

async function kioskItem() {
  const kiosk = await openHeadlessKiosk(c.tempDir('kiosk'));
  c.cleanups.push(() => kiosk.close());
  const queued = await kiosk.queue.queueVisit(syntheticVisit(7));
  const row = kiosk.db.prepare('SELECT id, created_at, sealed, sig FROM outbox WHERE id = ?').get(queued.visitId) as {
    id: string;
    created_at: string;
    sealed: Buffer;
    sig: Buffer;
  };
  const item: BatchItem = {
    id: row.id,
    createdAt: row.created_at,
    sealed: row.sealed.toString('base64'),
    sig: row.sig.toString('base64'),
  };
  return { kiosk, item, sealed: new Uint8Array(row.sealed), sig: new Uint8Array(row.sig) };
}

const flip = (b: Uint8Array, at: number): Uint8Array => {
  const out = new Uint8Array(b);
  out[at % out.length]! ^= 0x01;
  return out;
};

describe("hub crypto (sodium-native) on the kiosk's envelopes (libsodium-wrappers)", () => {
  it('opens and verifies what the kiosk sealed and signed; a changed byte anywhere is refused', async () => {
    const sodium = await getSodium();
    const { kiosk, item, sealed, sig } = await kioskItem();
    const upstream = await readUpstreamKeyPair(devUpstreamKeyPairFile());
    const device = kiosk.keys.device;
    const message = (s: Uint8Array, createdAt = item.createdAt) =>
      visitSigningMessage(sodium, { id: item.id, deviceId: device.deviceId, createdAt, sealed: s });

    expect(verifyEd25519(device.publicKey, message(sealed), sig)).toBe(true);
    const opened = sealOpener(upstream.publicKey, upstream.secretKey).open(sealed);
    expect(opened).not.toBeNull();
    const envelope = envelopeSchema.parse(JSON.parse(Buffer.from(opened!).toString('utf8')));
    expect(envelope).toMatchObject({ visitId: item.id, deviceId: device.deviceId, createdAt: item.createdAt });
    // The same plaintext libsodium-wrappers' own crypto_box_seal_open gives.
    expect(
      Buffer.from(opened!).equals(
        Buffer.from(sodium.crypto_box_seal_open(sealed, upstream.publicKey, upstream.secretKey)),
      ),
    ).toBe(true);

    for (const at of [0, 31, 32, 47, 48, sealed.length - 1]) {
      expect(verifyEd25519(device.publicKey, message(flip(sealed, at)), sig)).toBe(false);
      expect(sealOpener(upstream.publicKey, upstream.secretKey).open(flip(sealed, at))).toBeNull();
    }
    for (const at of [0, 31, 32, 63])
      expect(verifyEd25519(device.publicKey, message(sealed), flip(sig, at))).toBe(false);
    expect(verifyEd25519(device.publicKey, message(sealed, '2020-01-01T00:00:00.000Z'), sig)).toBe(false);
    expect(verifyEd25519(sodium.crypto_sign_keypair().publicKey, message(sealed), sig)).toBe(false);
    expect(verifyEd25519(device.publicKey, message(sealed), sig.subarray(0, 63))).toBe(false);
    const other = sodium.crypto_box_keypair();
    expect(sealOpener(other.publicKey, other.privateKey).open(sealed)).toBeNull();
    expect(sealOpener(upstream.publicKey, upstream.secretKey).open(sealed.subarray(0, 47))).toBeNull();
  });

  it('the hub accepts the kiosk’s visit once and refuses changed copies, storing nothing of them', async () => {
    const sodium = await getSodium();
    const { kiosk, item, sealed, sig } = await kioskItem();
    const h = await startTestHub();
    c.cleanups.push(() => h.close());
    const device = kiosk.keys.device;
    const clinicId = kiosk.keys.provisioning.clinicId;
    await h.hub.store.addClinic(clinicId);
    await h.hub.store.enrolDevice(
      await h.hub.store.issueToken(clinicId, device.deviceId),
      device.deviceId,
      device.publicKey,
    );

    // A changed box re-signed with the device's own key: the signature holds, the MAC does not.
    const changedBox = flip(sealed, 60);
    const resigned = sodium.crypto_sign_detached(
      visitSigningMessage(sodium, {
        id: item.id,
        deviceId: device.deviceId,
        createdAt: item.createdAt,
        sealed: changedBox,
      }),
      device.secretKey,
    );
    const tampered: BatchItem[] = [
      { ...item, sealed: toB64(flip(sealed, 100)) }, // box changed, not re-signed
      { ...item, sig: toB64(flip(sig, 10)) }, // signature changed
      { ...item, createdAt: '2026-01-01T00:00:00.000Z' }, // the item's time changed (it is signed)
      { ...item, sealed: toB64(changedBox), sig: toB64(resigned) },
      { ...item, sig: item.sig.replace(/=+$/, '') }, // not canonical base64
    ];
    const post = async (items: BatchItem[]) => {
      const r = await fetch(h.url + batchPath, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: device.deviceId, items }),
      });
      expect(r.status).toBe(200);
      return ((await r.json()) as { results: ItemResult[] }).results;
    };
    const refused = await post(tampered);
    expect(refused.map((x) => (x.status === 'rejected' ? x.reason.split(':')[0] : x.status))).toEqual([
      'bad-signature',
      'bad-signature',
      'bad-signature',
      'cannot-open',
      'bad-encoding',
    ]);
    expect(await h.query('SELECT visit_id FROM verdicts')).toEqual([]);

    expect(await post([item])).toEqual([{ id: item.id, status: 'accepted', verdict: 'face-no-reference' }]);
    expect(await post([item])).toEqual([{ id: item.id, status: 'duplicate', verdict: 'face-no-reference' }]);
    expect(await h.query('SELECT visit_id::text AS id FROM verdicts')).toEqual([{ id: item.id }]);
  });
});
