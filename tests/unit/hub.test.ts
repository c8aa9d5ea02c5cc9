import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getSodium, toB64, type Sodium } from '../../electron/core/platform/crypto/index.js';
import { devUpstreamKeyPairFile, readUpstreamKeyPair } from '../../electron/core/delivery/keys/index.js';
import { batchPath, type BatchItem, type ItemResult } from '../../electron/shared/protocol/batch.js';
import { openModelPackage } from '../../electron/core/face/model-package.js';
import { shippedDir } from '../../electron/core/platform/resources.js';
import { startHub } from '../../upstream/hub/app.js';
import { writeUpstreamKeyPair } from '../../upstream/hub/keys.js';
import { descriptorOf, sealedItem, simKiosk, type SimKiosk, type VisitFields } from '../../upstream/hub/sim-kiosk.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let sodium: Sodium;
let upstreamPk: Uint8Array;
const modelId = openModelPackage(shippedDir('models')).modelId;

async function hub(options: Parameters<typeof startTestHub>[0] = {}): Promise<TestHub> {
  sodium = await getSodium();
  upstreamPk = (await readUpstreamKeyPair(devUpstreamKeyPairFile())).publicKey;
  const h = await startTestHub(options);
  cleanups.push(() => h.close());
  return h;
}

/** IT registers the clinic and issues a token; the kiosk spends it. */
async function enrolled(h: TestHub, deviceId = 'kiosk-1', clinicId = 'clinic-a'): Promise<SimKiosk> {
  await h.hub.store.addClinic(clinicId);
  const k = await simKiosk(deviceId, clinicId);
  const token = await h.hub.store.issueToken(clinicId, deviceId);
  const r = await enrolHttp(h.url, token, deviceId, k.publicKey);
  expect(r.status).toBe(200);
  return k;
}

const enrolHttp = (url: string, token: string, deviceId: string, publicKey: Uint8Array) =>
  fetch(`${url}/v1/devices:enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, deviceId, publicKey: toB64(publicKey) }),
  });

async function post(
  url: string,
  body: unknown,
): Promise<{ status: number; body: { results?: ItemResult[]; error?: string }; headers: Headers }> {
  const r = await fetch(url + batchPath, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as { results?: ItemResult[]; error?: string }, headers: r.headers };
}

const faceVisit = (i: number, challenge: 'head-turn' | 'off' = 'head-turn', jitter = 0.01): VisitFields => ({
  method: 'face',
  iin: `85010${String(i).padStart(7, '0')}`,
  face: {
    descriptor: descriptorOf(i, jitter),
    modelId,
    presence: {
      challenge,
      ...(challenge === 'head-turn' ? { side: 'left' as const } : {}),
      frames: 12,
      durationMs: 2100,
    },
  },
});
const item = (k: SimKiosk, fields: VisitFields = faceVisit(1), signWith?: Uint8Array): BatchItem =>
  sealedItem(sodium, k, upstreamPk, fields, signWith);
const count = async (h: TestHub) => Number((await h.query<{ n: string }>('SELECT count(*) AS n FROM verdicts'))[0]!.n);

describe('hub: the device registry', () => {
  it('an enrolment token works once, for the device it was issued for; no device is trusted on first use', async () => {
    const h = await hub();
    await h.hub.store.addClinic('clinic-a');
    const k = await simKiosk('kiosk-1', 'clinic-a');
    // Before enrolment the device is unknown: its batch is refused and nothing is stored.
    const before = await post(h.url, { deviceId: k.deviceId, items: [item(k)] });
    expect(before.status).toBe(403);
    expect(before.body.error).toMatch(/not enrolled/);

    const token = await h.hub.store.issueToken('clinic-a', 'kiosk-1');
    const other = await simKiosk('kiosk-2', 'clinic-a');
    const wrongDevice = await enrolHttp(h.url, token, 'kiosk-2', other.publicKey);
    expect(wrongDevice.status).toBe(403);
    expect(await wrongDevice.json()).toEqual({ error: 'this token was issued for another device' });
    expect((await enrolHttp(h.url, token, 'kiosk-1', k.publicKey)).status).toBe(200);
    const again = await enrolHttp(h.url, token, 'kiosk-1', other.publicKey);
    expect(again.status).toBe(403);
    expect(await again.json()).toEqual({
      error: 'the enrolment token is unknown, expired or already used: ask IT for a new one',
    });
    expect(await h.query('SELECT count(*)::int AS n FROM device_keys')).toEqual([{ n: 1 }]);

    const r = await post(h.url, { deviceId: k.deviceId, items: [item(k)] });
    expect(r.body.results?.[0]).toMatchObject({ status: 'accepted', verdict: 'face-no-reference' });
    expect(await count(h)).toBe(1);
  });

  it('refuses forged signatures and a wrong clinic; a second key (rotation) signs too until revoked', async () => {
    const h = await hub();
    const k = await enrolled(h);
    const stranger = sodium.crypto_sign_keypair();
    const forged = await post(h.url, { deviceId: k.deviceId, items: [item(k, faceVisit(1), stranger.privateKey)] });
    expect(forged.body.results).toEqual([{ id: expect.any(String), status: 'rejected', reason: 'bad-signature' }]);

    const elsewhere = await post(h.url, { deviceId: k.deviceId, items: [item({ ...k, clinicId: 'clinic-b' })] });
    expect(elsewhere.body.results?.[0]).toMatchObject({
      status: 'rejected',
      reason: 'wrong-clinic: this device is registered to another clinic',
    });
    expect(await count(h)).toBe(0);

    const next = sodium.crypto_sign_keypair();
    expect(
      (await enrolHttp(h.url, await h.hub.store.issueToken('clinic-a', k.deviceId), k.deviceId, next.publicKey)).status,
    ).toBe(200);
    const both = await post(h.url, {
      deviceId: k.deviceId,
      items: [item(k, faceVisit(2)), item(k, faceVisit(3), next.privateKey)],
    });
    expect(both.body.results?.map((x) => x.status)).toEqual(['accepted', 'accepted']);
    const { revokeKey } = await import('../../upstream/hub/registry.js');
    expect(await revokeKey(h.hub.pool, k.deviceId, k.publicKey)).toBe(true);
    const old = await post(h.url, { deviceId: k.deviceId, items: [item(k, faceVisit(4))] });
    expect(old.body.results?.[0]).toMatchObject({ status: 'rejected', reason: 'bad-signature' });
  });

  it('refuses visits outside the createdAt window, and a device past its rate limit gets 429 with Retry-After', async () => {
    const h = await hub({ rateLimitPerMinute: 5 });
    const k = await enrolled(h);
    const old = item(k, { ...faceVisit(1), createdAt: new Date(Date.now() - 40 * 86_400_000).toISOString() });
    const future = item(k, { ...faceVisit(2), createdAt: new Date(Date.now() + 3_600_000).toISOString() });
    const r = await post(h.url, { deviceId: k.deviceId, items: [old, future] });
    expect(r.body.results?.map((x) => (x.status === 'rejected' ? x.reason.split(':')[0] : x.status))).toEqual([
      'too-old',
      'created-in-future',
    ]);
    const burst = await post(h.url, {
      deviceId: k.deviceId,
      items: [1, 2, 3, 4].map((i) => item(k, faceVisit(i + 10))),
    });
    expect(burst.status).toBe(429);
    expect(Number(burst.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await count(h)).toBe(0);
  });
});

describe('hub: exactly once', () => {
  it('a visit sent twice is stored once and answered duplicate with its verdict', async () => {
    const h = await hub();
    const k = await enrolled(h);
    const it1 = item(k);
    expect((await post(h.url, { deviceId: k.deviceId, items: [it1] })).body.results).toEqual([
      { id: it1.id, status: 'accepted', verdict: 'face-no-reference' },
    ]);
    expect((await post(h.url, { deviceId: k.deviceId, items: [it1, it1] })).body.results).toEqual([
      { id: it1.id, status: 'duplicate', verdict: 'face-no-reference' },
      { id: it1.id, status: 'duplicate', verdict: 'face-no-reference' },
    ]);
    expect(await count(h)).toBe(1);
  });

  it('the same batch raced on two nodes (two pools) at once: every visit accepted exactly once', async () => {
    const h = await hub();
    const second = await h.secondNode();
    const k = await enrolled(h);
    for (let round = 0; round < 5; round++) {
      const items = Array.from({ length: 40 }, (_, i) => item(k, faceVisit(round * 100 + i)));
      const answers = await Promise.all(
        [h.url, second.url, h.url, second.url].map((u) => post(u, { deviceId: k.deviceId, items })),
      );
      for (const a of answers) expect(a.status).toBe(200);
      for (const [n, it1] of items.entries()) {
        const statuses = answers.map((a) => a.body.results![n]!.status);
        expect(
          statuses.filter((s) => s === 'accepted'),
          `visit ${n} of round ${round}`,
        ).toHaveLength(1);
        expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(3);
        expect(new Set(answers.map((a) => a.body.results![n]!.id))).toEqual(new Set([it1.id]));
      }
    }
    expect(await count(h)).toBe(200);
  });
});

describe('hub: keys', () => {
  it('refuses a key file readable by others', async () => {
    const h = await hub();
    const loose = join(h.keys.dir, 'loose.json');
    copyFileSync(h.keys.upstreamKey, loose);
    chmodSync(loose, 0o644);
    await expect(
      startHub({ databaseUrl: h.databaseUrl, keyFiles: [loose], referenceKeyFile: h.keys.referenceKey, port: 0 }),
    ).rejects.toThrow(/readable by its owner only \(mode 644; run chmod 600/);
  });

  it('opens envelopes sealed to the previous upstream key during a rotation', async () => {
    const h = await hub();
    const newKey = join(h.keys.dir, 'new-upstream.json');
    const newPub = Buffer.from(await writeUpstreamKeyPair(newKey), 'base64');
    const rotated = await h.secondNode({ keyFiles: [newKey, h.keys.upstreamKey] });
    const k = await enrolled(h);
    const onNew = sealedItem(sodium, k, newPub, faceVisit(1));
    const onOld = item(k, faceVisit(2));
    expect(
      (await post(rotated.url, { deviceId: k.deviceId, items: [onNew, onOld] })).body.results?.map((x) => x.status),
    ).toEqual(['accepted', 'accepted']);
    // The node that has only the old key cannot open what was sealed to the new one.
    const r = await post(h.url, { deviceId: k.deviceId, items: [sealedItem(sodium, k, newPub, faceVisit(3))] });
    expect(r.body.results?.[0]).toMatchObject({
      status: 'rejected',
      reason: 'cannot-open: not sealed to this upstream key',
    });
  });
});

describe('hub: privacy', () => {
  it('keeps no sealed envelope, descriptor, code or full IIN once judged; references are encrypted at rest', async () => {
    const logs: string[] = [];
    const h = await hub({ log: (e) => logs.push(JSON.stringify(e)) });
    const k = await enrolled(h);
    await h.hub.store.enrolReference('850100000007', modelId, [descriptorOf(7)], 'it-test');
    await h.hub.store.addEgovCode('850100000008', '482913');
    const face = item(k, faceVisit(7));
    const egov = item(k, { method: 'egov-code', iin: '850100000008', egov: { code: '482913' } });
    const r = await post(h.url, { deviceId: k.deviceId, items: [face, egov] });
    expect(r.body.results?.map((x) => (x.status === 'accepted' ? x.verdict : x.status))).toEqual([
      'face-match',
      'egov-valid',
    ]);
    const tables = await h.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    let dump = '';
    for (const t of tables)
      dump += `${t.table_name}\n${(await h.query<{ r: string }>(`SELECT row_to_json(x)::text AS r FROM "${t.table_name}" x`)).map((x) => x.r).join('\n')}\n`;
    // The dump holds what stays (the masked IIN, the reference's ciphertext), so it is a real dump.
    expect(dump).toContain('8501******07');
    expect(dump).toContain('face_references');
    expect((await h.query<{ n: number }>('SELECT count(*)::int AS n FROM face_references'))[0]!.n).toBe(1);
    const hexOf = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
    for (const secret of [
      '850100000007',
      '850100000008',
      '482913',
      String(descriptorOf(7)[3]),
      face.sealed.slice(10, 60),
      hexOf(face.sealed).slice(100, 160),
    ]) {
      expect(dump, secret).not.toContain(secret);
      expect(logs.join('\n'), secret).not.toContain(secret);
    }
    expect(await h.query('SELECT iin_masked, evidence FROM verdicts ORDER BY method DESC')).toEqual([
      {
        iin_masked: '8501******07',
        evidence: { modelId, challenge: 'head-turn', side: 'left', frames: 12, durationMs: 2100 },
      },
      { iin_masked: '8501******08', evidence: { egov: 'code' } },
    ]);
  });
});

describe('hub: bad input', () => {
  it('a malformed batch gets a clear 400 and nothing is stored (fuzzed)', async () => {
    const fc = await import('fast-check');
    const h = await hub();
    const k = await enrolled(h);
    const good = item(k);
    const mutations = fc.oneof(
      fc.anything(),
      fc.record({ deviceId: fc.oneof(fc.string(), fc.integer(), fc.constant(k.deviceId)), items: fc.anything() }),
      fc.record({
        deviceId: fc.constant(k.deviceId),
        items: fc.array(
          fc.record(
            {
              id: fc.oneof(fc.constant(good.id), fc.string(), fc.uuid()),
              createdAt: fc.oneof(
                fc.constant(good.createdAt),
                fc.string(),
                fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
              ),
              sealed: fc.oneof(fc.constant(good.sealed), fc.base64String(), fc.string()),
              sig: fc.oneof(fc.constant(good.sig), fc.base64String({ maxLength: 100 }), fc.string()),
              extra: fc.option(fc.string(), { nil: undefined }),
            },
            { requiredKeys: ['id', 'createdAt', 'sealed', 'sig'] },
          ),
          { maxLength: 3 },
        ),
      }),
    );
    await fc.assert(
      fc.asyncProperty(mutations, async (body) => {
        const r = await post(h.url, body);
        if (r.status === 400) {
          expect(r.body.error).toMatch(/^(bad batch: .+|the body is not JSON)$/);
        } else {
          // A well-formed batch whose items are not the genuine one: refused item by item, or the batch as a stranger's.
          expect([200, 403]).toContain(r.status);
          for (const x of r.body.results ?? []) if (x.status !== 'rejected') expect(x.id).toBe(good.id);
        }
      }),
      { numRuns: 150, seed: 19 },
    );
    const stored = await h.query<{ visit_id: string }>('SELECT visit_id FROM verdicts');
    expect(stored.every((v) => v.visit_id === good.id)).toBe(true);
    expect((await post(h.url, '{"deviceId": ')).body).toEqual({ error: 'the body is not JSON' });
  });
});

describe('hub: the clinic MIS and operations', () => {
  it('reads its own clinic verdicts through the cursor, page by page, with its own key', async () => {
    const h = await hub();
    const a = await enrolled(h, 'kiosk-a', 'clinic-a');
    const b = await enrolled(h, 'kiosk-b', 'clinic-b');
    const keyA = await h.hub.store.addConsumer('mis-a', 'clinic-a');
    const sent = Array.from({ length: 7 }, (_, i) => item(a, faceVisit(i)));
    await post(h.url, { deviceId: a.deviceId, items: sent.slice(0, 4) });
    await post(h.url, { deviceId: b.deviceId, items: [item(b, faceVisit(50))] });
    await post(h.url, { deviceId: a.deviceId, items: sent.slice(4) });
    const get = (q: string, key = keyA) =>
      fetch(`${h.url}/v1/verdicts${q}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await get('', 'kelu_mis_wrong')).status).toBe(401);
    expect((await fetch(`${h.url}/v1/verdicts`)).status).toBe(401);
    expect((await get('?after=drop%20table')).status).toBe(400);
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const r = (await (await get(`?limit=3${cursor ? `&after=${cursor}` : ''}`)).json()) as {
        verdicts: Array<{ visitId: string; clinicId: string; iinMasked: string }>;
        next: string;
      };
      if (r.verdicts.length === 0) break;
      for (const v of r.verdicts) expect(v.clinicId).toBe('clinic-a');
      seen.push(...r.verdicts.map((v) => v.visitId));
      cursor = r.next;
    }
    expect(seen).toEqual(sent.map((s) => s.id));
  });

  it('answers health, readiness and metrics', async () => {
    const h = await hub();
    const k = await enrolled(h);
    await post(h.url, { deviceId: k.deviceId, items: [item(k)] });
    expect(await (await fetch(`${h.url}/healthz`)).json()).toMatchObject({ ok: true });
    expect(await (await fetch(`${h.url}/readyz`)).json()).toMatchObject({ ready: true, schema: 1 });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/kelu_hub_items_total\{status="accepted",node="test-a"\} 1/);
    expect(metrics).toMatch(/kelu_hub_stage_seconds_total\{stage="open"/);
  });
});

describe('hub: references that grow from verified visits', () => {
  it('a visit joins the reference only if it passed the head turn and matched under the stricter bound; bounded, oldest out, every change audited', async () => {
    const h = await hub({ templateThreshold: 0.41, growthThreshold: 0.3, growthMax: 2 });
    const k = await enrolled(h);
    await h.hub.store.enrolReference('850100000007', modelId, [descriptorOf(7)], 'it-desk-3');
    const send = async (fields: VisitFields) =>
      (await post(h.url, { deviceId: k.deviceId, items: [item(k, fields)] })).body.results![0]!;
    const impostor = { ...faceVisit(8), iin: faceVisit(7).iin };
    const visits = async () => (await h.query<{ visits: number }>('SELECT visits FROM face_references'))[0]!.visits;

    expect(await send(faceVisit(7, 'off'))).toMatchObject({ verdict: 'face-match-unchallenged' }); // no challenge: proves the face, not the person
    expect(await visits()).toBe(0);
    expect(await send(faceVisit(7, 'head-turn', 0.045))).toMatchObject({ verdict: 'face-match' }); // matched, but not under the stricter bound
    expect(await visits()).toBe(0);
    expect(await send(impostor)).toMatchObject({ verdict: 'face-mismatch' }); // someone else with patient 7's IIN
    expect(await visits()).toBe(0);
    for (let n = 1; n <= 3; n++)
      expect(await send(faceVisit(7, 'head-turn', 0.01 * n))).toMatchObject({ verdict: 'face-match' });
    expect(await visits()).toBe(2);
    expect(await h.query('SELECT action, actor, photos, visits FROM reference_audit ORDER BY id')).toEqual([
      { action: 'enrol', actor: 'it-desk-3', photos: 1, visits: 0 },
      { action: 'grow', actor: 'verified-visit', photos: 1, visits: 1 },
      { action: 'grow', actor: 'verified-visit', photos: 1, visits: 2 },
      { action: 'grow-replace-oldest', actor: 'verified-visit', photos: 1, visits: 2 },
    ]);
    // The grown reference is a template, judged at the template threshold: the impostor is still refused.
    expect(await send(impostor)).toMatchObject({ verdict: 'face-mismatch' });
  });
});
