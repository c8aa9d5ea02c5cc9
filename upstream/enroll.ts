import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import type { FaceEngine } from '../electron/core/face/types.js';
import { meanTemplate } from '../electron/core/face/template.js';
import { describeOnePerson, readEnrolmentCsv } from './reference-photos.js';

/**
 * `--enroll CSV`: rows `iin,image[,egov_code]` (a header line is allowed). The image, relative to
 * the CSV, gives the person's reference descriptor, computed with the kiosk's own face engine on a
 * 640×480 letterboxed frame like the kiosk's camera frames, and stored with the engine's model id; the
 * optional code goes to the eGov table. Several rows with images for one IIN are several photos of
 * that person, checked to be one person (`describeOnePerson`, reference-photos.ts; a set that is not
 * is refused and nothing is stored): their descriptors are averaged into one reference template in
 * the model's metric (`meanTemplate`), which refuses fewer genuine visits at the same threshold
 * (docs/face-accuracy.md).
 */
const rowSchema = z.object({
  iin: z.string().regex(/^\d{12}$/, 'the IIN has 12 digits'),
  image: z.string().max(1000),
  code: z
    .string()
    .regex(/^(\d{6})?$/, 'the eGov code has 6 digits')
    .or(z.string().min(7).max(512)),
});

export interface EnrolResult {
  /** References stored (one per IIN with at least one photo). */
  faces: number;
  /** Photos described into them. */
  photos: number;
  /** References averaged from two photos or more (they need a lower threshold than one photo: docs/face-accuracy.md). */
  templates: number;
  codes: number;
}

export async function enrolFromCsv(
  db: Database,
  csvFile: string,
  engine: () => Promise<Pick<FaceEngine, 'describe' | 'status'>>,
): Promise<EnrolResult> {
  const { photos, codes } = readEnrolmentCsv(csvFile, rowSchema);
  const result: EnrolResult = { faces: 0, photos: 0, templates: 0, codes: 0 };
  const putRef = db.prepare(
    'INSERT INTO face_references (iin, descriptor, image, model_id, photos) VALUES (?, ?, ?, ?, ?) ON CONFLICT (iin) DO UPDATE SET descriptor = excluded.descriptor, image = excluded.image, model_id = excluded.model_id, photos = excluded.photos',
  );
  const putCode = db.prepare('INSERT OR IGNORE INTO egov_codes (iin, code) VALUES (?, ?)');
  // Every IIN's photos are described and checked before anything is stored.
  const described: Array<{ iin: string; images: string[]; descriptors: number[][] }> = [];
  for (const [iin, images] of photos)
    described.push({ iin, images, descriptors: await describeOnePerson(csvFile, images, await engine()) });
  for (const [iin, code] of codes) {
    putCode.run(iin, code);
    result.codes++;
  }
  for (const { iin, images, descriptors } of described) {
    const e = await engine();
    const { modelId, metric } = await e.status();
    // The reference names the model that made it: only descriptors of that model are compared with it.
    putRef.run(iin, JSON.stringify(meanTemplate(descriptors, metric)), images.join(';'), modelId, images.length);
    result.faces++;
    result.photos += images.length;
    if (images.length > 1) result.templates++;
  }
  return result;
}
