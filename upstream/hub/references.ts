import { dirname, isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { csvLineError, readCsv } from '../../electron/core/platform/csv/read.js';
import { descriptorDistance, type DescriptorMetric } from '../../electron/core/face/descriptor-distance.js';
import { loadImageFrame } from '../../electron/core/face/image-file.js';
import type { FaceEngine } from '../../electron/core/face/types.js';
import type { References } from './store.js';

/**
 * IT's enrolment of references from ID photos into the hub: rows `iin,image[,egov_code]` (photos
 * relative to the CSV), described with the kiosk's own engine and model package on a 640×480
 * letterboxed frame like the kiosk's camera. Several photos of one IIN must show one person
 * (`oddPhoto`, at the model's threshold), and a set that is not one person is refused, naming the
 * photo(s) that disagree with the others. Nothing is stored unless every IIN passes. The references are stored encrypted (HubStore.enrolReference) and audited.
 */
const rowSchema = z.object({
  iin: z.string().regex(/^\d{12}$/, 'the IIN has 12 digits'),
  image: z.string().max(1000),
  code: z.string().regex(/^(\d{6})?$/, 'the eGov code has 6 digits'),
});

export class NotOnePerson extends Error {}

/**
 * The photos that are not the same person as the others. Photos closer than the threshold are
 * linked (one person's photos need not all be that close: two press photos of one man are often
 * 0.45–0.55 apart, but each has a near neighbour in the set); the set must hang together as one group.
 * Otherwise the photos outside the largest group are named — or all of them, when no group is the
 * largest (two photos that disagree: which one is wrong cannot be told). Undefined: one person.
 */
export function oddPhoto(
  names: string[],
  descriptors: number[][],
  metric: DescriptorMetric,
  threshold: number,
): string[] | undefined {
  const n = descriptors.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++)
      if (descriptorDistance(descriptors[i]!, descriptors[j]!, metric) < threshold) parent[root(i)] = root(j);
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  if (groups.size <= 1) return undefined;
  const sizes = [...groups.values()].map((g) => g.length).sort((x, y) => y - x);
  if (sizes[0] === sizes[1]) return [...names];
  const largest = [...groups.values()].find((g) => g.length === sizes[0])!;
  return names.filter((_, i) => !largest.includes(i));
}

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
  const records = readCsv(csvFile);
  const photos = new Map<string, string[]>();
  const codes: Array<[string, string]> = [];
  for (const [
    n,
    {
      fields: [iin = '', image = '', code = ''],
      line,
    },
  ] of records.entries()) {
    if (n === 0 && iin.toLowerCase() === 'iin') continue;
    const row = rowSchema.safeParse({ iin, image, code });
    if (!row.success) throw csvLineError(csvFile, line, row.error.issues[0]?.message ?? 'not a valid row');
    if (row.data.image) photos.set(row.data.iin, [...(photos.get(row.data.iin) ?? []), row.data.image]);
    if (row.data.code) codes.push([row.data.iin, row.data.code]);
  }
  const { modelId, metric, threshold } = await engine.status();
  const described: Array<{ iin: string; descriptors: number[][] }> = [];
  for (const [iin, images] of photos) {
    const descriptors: number[][] = [];
    for (const image of images) {
      const frame = await loadImageFrame(isAbsolute(image) ? image : join(dirname(csvFile), image), {
        contain: { width: 640, height: 480 },
      });
      try {
        descriptors.push((await engine.describe(frame)).descriptor);
      } catch (err) {
        throw new Error(
          `${csvFile}: the photo ${image} cannot be enrolled (${err instanceof Error ? err.message : String(err)})`,
        );
      }
    }
    const odd = oddPhoto(images, descriptors, metric, threshold);
    // The IIN is not named in the message (it may end up in a log); the photos' file names are IT's own.
    if (odd) {
      const what =
        odd.length === images.length
          ? 'disagree, and no majority tells which is wrong (check them, or add another photo)'
          : `${odd.length > 1 ? 'are' : 'is'} not the person in the others`;
      throw new NotOnePerson(
        `${csvFile}: the photos given for one IIN are not one person: ${odd.join(' and ')} ${what}. Nothing was enrolled.`,
      );
    }
    described.push({ iin, descriptors });
  }
  for (const d of described) await store.enrolReference(d.iin, modelId, d.descriptors, actor);
  for (const [iin, code] of codes) await store.addEgovCode(iin, code);
  return {
    people: described.length,
    photos: described.reduce((s, d) => s + d.descriptors.length, 0),
    codes: codes.length,
  };
}
