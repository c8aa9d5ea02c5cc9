import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFaceEngine, type FaceEngineClient } from '../../electron/core/face/engine.js';
import { loadImageFrame } from '../../electron/core/face/image-file.js';
import { getSodium } from '../../electron/core/platform/crypto/index.js';
import { devUpstreamKeyPairFile, readUpstreamKeyPair } from '../../electron/core/delivery/keys/index.js';
import { batchPath, type ItemResult } from '../../electron/shared/protocol/batch.js';
import { enrolReferencesFromCsv } from '../../upstream/hub/references.js';
import { NotOnePerson } from '../../upstream/reference-photos.js';
import { sealedItem, simKiosk } from '../../upstream/hub/sim-kiosk.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';
import { startTestHub, type TestHub } from '../support/hub.js';

// IT enrols references into the hub from ID photos, with the kiosk's own engine and model; photos of
// one IIN that are not one person are refused, naming the odd one; the reference then judges visits.
let engine: FaceEngineClient;
beforeAll(async () => {
  engine = await createFaceEngine({ modelsDir: join(projectRoot, 'models'), requestTimeoutMs: 60_000, log: () => {} });
}, 120_000);
afterAll(() => engine?.close());
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const IIN = '850100000031';
const presence = { challenge: 'head-turn' as const, side: 'left' as const, frames: 20, durationMs: 2000 };

describe('hub: references from ID photos', () => {
  it(
    'refuses photos of one IIN that are not one person, naming the odd one, and stores nothing',
    { timeout: 300_000 },
    async () => {
      const h: TestHub = await startTestHub({ templateThreshold: 0.41 });
      cleanups.push(() => h.close());
      const csv = join(h.keys.dir, 'photos.csv');
      writeFileSync(
        csv,
        [
          'iin,image',
          ...['obama_1.jpg', 'obama_2.jpg', 'biden_1.jpg', 'obama_3.jpg'].map(
            (p) => `${IIN},${fixture(`photos/${p}`)}`,
          ),
        ].join('\n'),
      );
      const refused = enrolReferencesFromCsv(h.hub.store.references, csv, engine, 'it-desk-1');
      await expect(refused).rejects.toThrow(NotOnePerson);
      await expect(refused).rejects.toThrow(/biden_1\.jpg is not the person in the others\. Nothing was enrolled\./);
      expect(await h.query('SELECT count(*)::int AS n FROM face_references')).toEqual([{ n: 0 }]);

      // The same person's three photos: one encrypted template, audited; it judges the kiosk's visits.
      writeFileSync(
        csv,
        [
          'iin,image,egov_code',
          ...['obama_1.jpg', 'obama_2.jpg', 'obama_3.jpg'].map((p) => `${IIN},${fixture(`photos/${p}`)},`),
        ].join('\n'),
      );
      expect(await enrolReferencesFromCsv(h.hub.store.references, csv, engine, 'it-desk-1')).toEqual({
        people: 1,
        photos: 3,
        codes: 0,
      });
      expect(await h.query('SELECT action, actor, photos FROM reference_audit')).toEqual([
        { action: 'enrol', actor: 'it-desk-1', photos: 3 },
      ]);

      await h.hub.store.addClinic('clinic-a');
      const k = await simKiosk('kiosk-1', 'clinic-a');
      await h.hub.store.enrolDevice(await h.hub.store.issueToken('clinic-a', 'kiosk-1'), 'kiosk-1', k.publicKey);
      const sodium = await getSodium();
      const upstream = await readUpstreamKeyPair(devUpstreamKeyPairFile());
      const { modelId } = await engine.status();
      const visit = async (photo: string) => {
        const descriptor = (
          await engine.describe(
            await loadImageFrame(fixture(`photos/${photo}`), { contain: { width: 640, height: 480 } }),
          )
        ).descriptor;
        const item = sealedItem(sodium, k, upstream.publicKey, {
          method: 'face',
          iin: IIN,
          face: { descriptor, modelId, presence },
        });
        const r = await fetch(h.url + batchPath, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ deviceId: k.deviceId, items: [item] }),
        });
        return ((await r.json()) as { results: ItemResult[] }).results[0]!;
      };
      expect(await visit('obama_4.jpg')).toMatchObject({ status: 'accepted', verdict: 'face-match' });
      expect(await visit('biden_2.jpg')).toMatchObject({ status: 'accepted', verdict: 'face-mismatch' });
    },
  );
});
