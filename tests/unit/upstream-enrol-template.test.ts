import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFaceEngine,
  descriptorDistance,
  meanTemplate,
  type FaceEngineClient,
} from '../../electron/core/face/engine.js';
import { loadImageFrame } from '../../electron/core/face/image-file.js';
import { batchPath } from '../../electron/shared/protocol/batch.js';
import { openHeadlessKiosk } from '../../tools/harness/headless-kiosk.js';
import { register, startDevUpstream } from '../../upstream/harness.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';
import { useCleanups } from '../support/upstream.js';

// The reference upstream enrols a patient from several photos: their descriptors, made by the same
// engine, are averaged into one template (docs/face-accuracy.md: fewer genuine patients refused).
const { cleanups, tempDir } = useCleanups();
const presence = { challenge: 'head-turn' as const, side: 'left' as const, frames: 20, durationMs: 2000 };
const PATIENT = '990000000011';
const SAME_PATIENT_ONE_PHOTO = '990000000012';
/** A template's threshold, as measured for the built-in model (docs/face-accuracy.md, "Reference templates"). */
const TEMPLATE_THRESHOLD = 0.41;

let engine: FaceEngineClient;
const describePhoto = async (name: string) =>
  (await engine.describe(await loadImageFrame(fixture(`photos/${name}`), { contain: { width: 640, height: 480 } })))
    .descriptor;
beforeAll(async () => {
  engine = await createFaceEngine({ modelsDir: join(projectRoot, 'models'), requestTimeoutMs: 60_000, log: () => {} });
}, 120_000);
afterAll(() => engine?.close());

describe('reference upstream: enrolment from several photos', () => {
  it(
    'stores one template per patient, the mean of the photos, which accepts a third photo that one photo alone refuses, and still refuses a same-gender impostor',
    { timeout: 300_000 },
    async () => {
      const dir = tempDir('enrol');
      const csv = join(dir, 'enrol.csv');
      const photo = (name: string) => fixture(`photos/${name}`);
      const upDir = tempDir('up');
      // A wrong file in IT's folder: another man's photo under the patient's IIN is refused, named, and
      // nothing is stored (issue 17 item 12: the mean of two people breaks the patient's matches).
      writeFileSync(
        csv,
        [
          'iin,image',
          `${PATIENT},${photo('alex_lacamoire_1.png')}`,
          `${PATIENT},${photo('lin_manuel_miranda_1.png')}`,
          `${PATIENT},${photo('alex_lacamoire_3.jpg')}`,
        ].join('\n'),
      );
      await expect(
        startDevUpstream(tempDir('up-mixed'), { enrollCsv: csv, templateThreshold: TEMPLATE_THRESHOLD }),
      ).rejects.toThrow(
        /not one person: \S*lin_manuel_miranda_1\.png is not the person in the others\. Nothing was enrolled\./,
      );
      // The same man enrolled twice: from two photos, and (another record) from the first photo only.
      writeFileSync(
        csv,
        [
          'iin,image',
          `${PATIENT},${photo('alex_lacamoire_1.png')}`,
          `${PATIENT},${photo('alex_lacamoire_3.jpg')}`,
          `${SAME_PATIENT_ONE_PHOTO},${photo('alex_lacamoire_1.png')}`,
        ].join('\n'),
      );
      // Judged at the one-photo threshold, a template lets more impostors through: without a threshold of its own the upstream does not start.
      await expect(startDevUpstream(upDir, { enrollCsv: csv })).rejects.toThrow(
        /1 face reference\(s\) are templates of several photos, and no --template-threshold is set/,
      );
      // With one (about 0.41 for three photos, measured; docs/face-accuracy.md), the references enrolled above are kept and judged at it.
      const upstream = await startDevUpstream(upDir, { enrollCsv: csv, templateThreshold: TEMPLATE_THRESHOLD });
      cleanups.push(() => upstream.close());
      expect(upstream.enrolled).toEqual({ faces: 2, photos: 3, templates: 1, codes: 0 });

      const ref = upstream.db
        .prepare('SELECT descriptor, image, model_id, photos FROM face_references WHERE iin = ?')
        .get(PATIENT) as { descriptor: string; image: string; model_id: string; photos: number };
      expect(ref.photos).toBe(2);
      expect(ref.image).toBe(`${photo('alex_lacamoire_1.png')};${photo('alex_lacamoire_3.jpg')}`);
      expect(ref.model_id).toBe((await engine.status()).modelId);
      const stored = JSON.parse(ref.descriptor) as number[];
      const template = meanTemplate(
        [await describePhoto('alex_lacamoire_1.png'), await describePhoto('alex_lacamoire_3.jpg')],
        'euclidean',
      );
      expect(descriptorDistance(stored, template, 'euclidean')).toBeLessThan(1e-4);

      // A kiosk sends the descriptor of a third photo of the patient, then one of another man.
      const kiosk = await openHeadlessKiosk(tempDir('kiosk'));
      cleanups.push(() => kiosk.close());
      register(upstream, kiosk);
      const { modelId } = await engine.status();
      const send = async (descriptor: number[], iin = PATIENT) => {
        await kiosk.queue.queueVisit({ method: 'face', iin, face: { descriptor, modelId, presence } });
        const row = kiosk.db
          .prepare('SELECT id, created_at, sealed, sig FROM outbox ORDER BY rowid DESC LIMIT 1')
          .get() as { id: string; created_at: string; sealed: Buffer; sig: Buffer };
        const items = [
          {
            id: row.id,
            createdAt: row.created_at,
            sealed: row.sealed.toString('base64'),
            sig: row.sig.toString('base64'),
          },
        ];
        const res = await fetch(upstream.url + batchPath, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ deviceId: kiosk.keys.device.deviceId, items }),
        });
        return ((await res.json()) as { results: Array<{ status: string; verdict?: string }> }).results[0];
      };
      const third = await describePhoto('alex_lacamoire_2.jpg');
      expect(await send(third)).toMatchObject({ status: 'accepted', verdict: 'face-match' });
      // The first photo alone is too far from the third one at the model's threshold: the template is what accepts it.
      expect(await send(third, SAME_PATIENT_ONE_PHOTO)).toMatchObject({ status: 'accepted', verdict: 'face-mismatch' });
      // Another man (same gender) against the two-photo template: refused.
      expect(await send(await describePhoto('lin_manuel_miranda_1.png'))).toMatchObject({
        status: 'accepted',
        verdict: 'face-mismatch',
      });
    },
  );
});
