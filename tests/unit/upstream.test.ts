import { describe, expect, it } from 'vitest';
import { getSodium, toB64 } from '../../electron/core/platform/crypto/index.js';
import { devUpstreamKeyPairFile, readUpstreamKeyPair } from '../../electron/core/delivery/keys/index.js';
import { upstreamModels } from '../../upstream/app.js';
import { Receiver } from '../../upstream/receiver.js';
import { fullJitterDelay, parseRetryAfter } from '../../electron/core/delivery/sync/backoff.js';
import { parseFaults } from '../../upstream/faults.js';
import { sealOpener, verifyEd25519 } from '../../upstream/fast-crypto.js';
import { syntheticVisit } from '../../tools/harness/headless-kiosk.js';
import { upstreamWithKiosk, useCleanups } from '../support/upstream.js';

const c = useCleanups();
/** An upstream, a kiosk registered with it, and one visit queued on the kiosk. */
async function setup() {
  const { upstream, kiosk, newestItem, post } = await upstreamWithKiosk(c);
  const queued = await kiosk.queue.queueVisit(syntheticVisit(1));
  return { upstream, kiosk, queued, item: newestItem(), post };
}

describe('reference upstream: what it accepts', () => {
  it('accepts a signed visit once and answers duplicate after that', async () => {
    const { kiosk, item, post } = await setup();
    const deviceId = kiosk.keys.device.deviceId;
    expect(await (await post({ deviceId, items: [item] })).json()).toEqual({
      results: [{ id: item.id, status: 'accepted', verdict: 'face-no-reference' }],
    });
    expect(await (await post({ deviceId, items: [item, item] })).json()).toEqual({
      results: [
        { id: item.id, status: 'duplicate', verdict: 'face-no-reference' },
        { id: item.id, status: 'duplicate', verdict: 'face-no-reference' },
      ],
    });
  });

  it('refuses unregistered devices, forged signatures, altered items and malformed batches', async () => {
    const { upstream, kiosk, item, post } = await setup();
    const deviceId = kiosk.keys.device.deviceId;
    const unknown = await post({ deviceId: 'kiosk-stranger', items: [item] });
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toEqual({ error: 'device kiosk-stranger is not registered' });

    const sodium = await getSodium();
    const impostor = sodium.crypto_sign_keypair();
    const forgedSig = {
      ...item,
      sig: toB64(
        sodium.crypto_sign_detached(
          sodium.from_base64(item.sealed, sodium.base64_variants.ORIGINAL),
          impostor.privateKey,
        ),
      ),
    };
    const otherTime = { ...item, createdAt: '2020-01-01T00:00:00.000Z' };
    const r = (await (await post({ deviceId, items: [forgedSig, otherTime] })).json()) as {
      results: Array<{ status: string; reason?: string }>;
    };
    expect(r.results.map((x) => [x.status, x.reason])).toEqual([
      ['rejected', 'bad-signature'],
      ['rejected', 'bad-signature'], // the time is part of what the device signed
    ]);
    expect(await (await post({ deviceId, items: [{ ...item, id: 'not-a-uuid' }] })).json()).toMatchObject({
      error: expect.stringMatching(/bad batch/),
    });
    expect(upstream.db.prepare('SELECT count(*) AS c FROM visits').get()).toEqual({ c: 0 });
  });

  it('judges eGov codes against its table', async () => {
    const { upstream, kiosk } = await upstreamWithKiosk(c, { syncing: true });
    upstream.db.prepare('INSERT INTO egov_codes (iin, code) VALUES (?, ?)').run('990000000001', '123456');
    const good = await kiosk.queue.queueVisit({ method: 'egov-code', iin: '990000000001', egov: { code: '123456' } });
    const bad = await kiosk.queue.queueVisit({ method: 'egov-code', iin: '990000000002', egov: { code: '123456' } });
    await kiosk.sync.engine.drain();
    const verdict = (id: string) =>
      (kiosk.db.prepare('SELECT verdict FROM receipts WHERE visit_id = ?').get(id) as { verdict: string }).verdict;
    expect(verdict(good.visitId)).toBe('egov-valid');
    expect(verdict(bad.visitId)).toBe('egov-invalid');
  });

  it('serves its admin API only with the token', async () => {
    const { upstream } = await setup();
    expect((await fetch(`${upstream.url}/admin/visits`)).status).toBe(401);
    expect(
      (await fetch(`${upstream.url}/admin/visits`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } }))
        .status,
    ).toBe(401);
    const ok = await fetch(`${upstream.url}/admin/stats`, {
      headers: { authorization: `Bearer ${upstream.adminToken}` },
    });
    expect(await ok.json()).toEqual({ visits: 0, deliveries: 0, duplicatesAnswered: 0, idsAcceptedTwice: 0 });
  });
});

describe('retry rules', () => {
  it('full jitter stays within [0, min(cap, base·2^n)] and Retry-After reads seconds or a date', () => {
    let x = 0;
    const sweep = () => (x = (x + 0.137) % 1);
    for (let n = 1; n <= 20; n++) {
      for (let k = 0; k < 20; k++) {
        const d = fullJitterDelay(n, 100, 5000, sweep);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.min(5000, 100 * 2 ** n));
      }
    }
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('fault specs are validated', () => {
    expect(parseFaults('500:0.2,429:0.1').rates).toEqual({ '500': 0.2, '429': 0.1 });
    expect(() => parseFaults('explode:0.1')).toThrow(/kind:rate/);
    expect(() => parseFaults('500:0.7,reset:0.6')).toThrow(/more than 1/);
  });
});

describe('receiver crypto (sodium-native) agrees with libsodium-wrappers', () => {
  it('opens exactly what crypto_box_seal_open opens and verifies exactly what crypto_sign_verify_detached verifies', async () => {
    const sodium = await getSodium();
    const box = sodium.crypto_box_keypair();
    const other = sodium.crypto_box_keypair();
    const signer = sodium.crypto_sign_keypair();
    const opener = sealOpener(box.publicKey, box.privateKey);
    const verifier = signer.publicKey;
    for (let n = 0; n < 200; n++) {
      const message = sodium.randombytes_buf(1 + ((n * 37) % 3000));
      const sealed = sodium.crypto_box_seal(message, n % 5 === 0 ? other.publicKey : box.publicKey);
      if (n % 7 === 0) sealed[(n * 13) % sealed.length]! ^= 1;
      let expected: Uint8Array | null;
      try {
        expected = sodium.crypto_box_seal_open(sealed, box.publicKey, box.privateKey);
      } catch {
        expected = null;
      }
      const got = opener.open(sealed);
      expect(got === null ? null : Buffer.from(got).toString('hex')).toBe(
        expected === null ? null : Buffer.from(expected).toString('hex'),
      );

      const sig = sodium.crypto_sign_detached(message, signer.privateKey);
      if (n % 3 === 0) sig[n % 64]! ^= 4;
      expect(verifyEd25519(verifier, message, sig)).toBe(
        sodium.crypto_sign_verify_detached(sig, message, signer.publicKey),
      );
    }
    expect(opener.open(new Uint8Array(10))).toBeNull();
  });
});

describe('reference upstream: what the envelope claims is checked (issue 11 item 21)', () => {
  it('a device registered for one clinic cannot send visits for another', async () => {
    const { upstream, kiosk, item, post } = await setup();
    const deviceId = kiosk.keys.device.deviceId;
    upstream.receiver.registerDevice(deviceId, kiosk.keys.device.publicKey, 'clinic-elsewhere');
    expect(await (await post({ deviceId, items: [item] })).json()).toEqual({
      results: [
        { id: item.id, status: 'rejected', reason: 'wrong-clinic: this device is registered to another clinic' },
      ],
    });
    upstream.receiver.registerDevice(deviceId, kiosk.keys.device.publicKey, kiosk.keys.provisioning.clinicId);
    expect(await (await post({ deviceId, items: [item] })).json()).toMatchObject({ results: [{ status: 'accepted' }] });
  });

  it('refuses visits created in the future or too long ago by its own clock', async () => {
    const { upstream, kiosk, item } = await setup();
    const key = await readUpstreamKeyPair(devUpstreamKeyPairFile());
    const at = (offsetMs: number) =>
      Receiver.create(upstream.db, key, {
        models: upstreamModels(),
        now: () => new Date(Date.parse(item.createdAt) + offsetMs),
      });
    const deviceId = kiosk.keys.device.deviceId;
    expect((await at(-3_600_000)).receive(deviceId, [item], 'sync')).toEqual([
      { id: item.id, status: 'rejected', reason: 'created-in-future: check the kiosk clock' },
    ]);
    expect((await at(40 * 86_400_000)).receive(deviceId, [item], 'import')).toEqual([
      { id: item.id, status: 'rejected', reason: 'too-old: created longer ago than the upstream accepts' },
    ]);
    expect((await at(60_000)).receive(deviceId, [item], 'sync')).toMatchObject([{ status: 'accepted' }]);
  });

  it('a face match made with the challenge switched off is its own verdict, not face-match', async () => {
    const { upstream, kiosk } = await upstreamWithKiosk(c, { syncing: true });
    const off = syntheticVisit(3);
    const on = syntheticVisit(4);
    on.face!.presence = { ...on.face!.presence, challenge: 'head-turn', side: 'left', yawMinDeg: -20, yawMaxDeg: 2 };
    for (const v of [off, on])
      upstream.db
        .prepare('INSERT INTO face_references (iin, descriptor, image, model_id) VALUES (?, ?, ?, ?)')
        .run(v.iin, JSON.stringify(v.face!.descriptor), 'test', v.face!.modelId);
    const a = await kiosk.queue.queueVisit(off);
    const b = await kiosk.queue.queueVisit(on);
    await kiosk.sync.engine.drain();
    const verdict = (id: string) =>
      (kiosk.db.prepare('SELECT verdict FROM receipts WHERE visit_id = ?').get(id) as { verdict: string }).verdict;
    expect(verdict(a.visitId)).toBe('face-match-unchallenged');
    expect(verdict(b.visitId)).toBe('face-match');
  });
});
