import { z } from 'zod';
import type { FaceEngine } from '../../electron/core/face/types.js';
import { describeOnePerson, readEnrolmentCsv } from '../reference-photos.js';
import type { References } from './store.js';

/**
 * IT's enrolment of references from ID photos into the hub: rows `iin,image[,egov_code]` (photos
 * relative to the CSV), described with the kiosk's own engine and model package on a 640×480
 * letterboxed frame like the kiosk's camera. Several photos of one IIN must show one person
 * (`describeOnePerson`, ../reference-photos.ts), and a set that is not one person is refused, naming
 * the photo(s) that disagree with the others. Nothing is stored unless every IIN passes. The references are stored encrypted (HubStore.enrolReference) and audited.
 */
const rowSchema = z.object({
  iin: z.string().regex(/^\d{12}$/, 'the IIN has 12 digits'),
  image: z.string().max(1000),
  code: z.string().regex(/^(\d{6})?$/, 'the eGov code has 6 digits'),
});

export interface ReferenceEnrolment {
  people: number;
  photos: number;
  codes: number;
}

export async function enrolReferencesFromCsv(
  store: Pick<References, 'enrolReference' | 'addEgovCode'>,
  csvFile: string,
  engine: Pick<FaceEngine, 'describe' | 'status'>,
  actor: string,
): Promise<ReferenceEnrolment> {
  const { photos, codes } = readEnrolmentCsv(csvFile, rowSchema);
  const { modelId } = await engine.status();
  const described: Array<{ iin: string; descriptors: number[][] }> = [];
  for (const [iin, images] of photos)
    described.push({ iin, descriptors: await describeOnePerson(csvFile, images, engine) });
  for (const d of described) await store.enrolReference(d.iin, modelId, d.descriptors, actor);
  for (const [iin, code] of codes) await store.addEgovCode(iin, code);
  return {
    people: described.length,
    photos: described.reduce((s, d) => s + d.descriptors.length, 0),
    codes: codes.length,
  };
}
