// IT's enrolment of face references from ID photos, for both receivers (the hub and the reference
// upstream): the CSV rows `iin,image[,egov_code]` (photos relative to the CSV), each photo described
// with the kiosk's own engine on a 640×480 letterboxed frame like the kiosk's camera, and the check
// that the photos given for one IIN show one person. Nothing is stored here: the receivers store.
import { dirname, isAbsolute, join } from 'node:path';
import type { z } from 'zod';
import { csvLineError, readCsv } from '../electron/core/platform/csv/read.js';
import { descriptorDistance, type DescriptorMetric } from '../electron/core/face/descriptor-distance.js';
import { loadImageFrame } from '../electron/core/face/image-file.js';
import type { FaceEngine } from '../electron/core/face/types.js';

export interface EnrolmentRows {
  /** The photos of each IIN, in the CSV's order. */
  photos: Map<string, string[]>;
  codes: Array<[iin: string, code: string]>;
}

/** Reads and checks every row before anything is described; a bad row names its line. */
export function readEnrolmentCsv(
  csvFile: string,
  rowSchema: z.ZodType<{ iin: string; image: string; code: string }>,
): EnrolmentRows {
  const rows: EnrolmentRows = { photos: new Map(), codes: [] };
  for (const [
    n,
    {
      fields: [iin = '', image = '', code = ''],
      line,
    },
  ] of readCsv(csvFile).entries()) {
    if (n === 0 && iin.toLowerCase() === 'iin') continue;
    const row = rowSchema.safeParse({ iin, image, code });
    if (!row.success) throw csvLineError(csvFile, line, row.error.issues[0]?.message ?? 'not a valid row');
    if (row.data.image) rows.photos.set(row.data.iin, [...(rows.photos.get(row.data.iin) ?? []), row.data.image]);
    if (row.data.code) rows.codes.push([row.data.iin, row.data.code]);
  }
  return rows;
}

export class NotOnePerson extends Error {}

/**
 * How far apart two photos of one person may be and still be linked by the one-person check, for
 * the built-in model (`faceapi-dlib128`). Measured on LFW's East/Southeast-Asian identities
 * (`eval-faces --impostors same-group`, 2,038 genuine and 2,925 same-gender impostor pairs; the
 * table is in docs/face-accuracy.md, "One person per IIN"): at 0.50, 4.5 % of honest photo pairs are
 * apart (IT adds a third photo) and 9.3 % of same-gender look-alike pairs are linked; at the match
 * threshold 0.44 it would be 17.5 % and 1.6 %. The check guards against a wrong file in IT's folder,
 * not against an insider (who could enrol only another person's photos); the kiosk's 1:1 match and
 * the template's stricter threshold still judge every visit.
 */
const builtInOnePersonBound = { modelId: /^faceapi-dlib128@/, bound: 0.5 };

/** The one-person bound for the engine's model: measured for the built-in one, else its own match threshold (strict). */
export function onePersonBound(model: { modelId: string; threshold: number }): number {
  return builtInOnePersonBound.modelId.test(model.modelId) ? builtInOnePersonBound.bound : model.threshold;
}

/**
 * The photos that are not the same person as the others. Photos closer than `bound` are linked (one
 * person's photos need not all be that close, but each has a near neighbour in the set); the set
 * must hang together as one group. Otherwise the photos outside the largest group are named — or
 * all of them, when no group is the largest (two photos that disagree: which one is wrong cannot be
 * told). Undefined: one person.
 */
export function oddPhoto(
  names: string[],
  descriptors: number[][],
  metric: DescriptorMetric,
  bound: number,
): string[] | undefined {
  const n = descriptors.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++)
      if (descriptorDistance(descriptors[i]!, descriptors[j]!, metric) < bound) parent[root(i)] = root(j);
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) groups.set(root(i), [...(groups.get(root(i)) ?? []), i]);
  if (groups.size <= 1) return undefined;
  const sizes = [...groups.values()].map((g) => g.length).sort((x, y) => y - x);
  if (sizes[0] === sizes[1]) return [...names];
  const largest = [...groups.values()].find((g) => g.length === sizes[0])!;
  return names.filter((_, i) => !largest.includes(i));
}

/**
 * Describes the photos of one IIN and checks they show one person (`oddPhoto` at `onePersonBound`);
 * throws `NotOnePerson` naming the odd photo(s), never the IIN (the message may reach a log).
 */
export async function describeOnePerson(
  csvFile: string,
  images: string[],
  engine: Pick<FaceEngine, 'describe' | 'status'>,
): Promise<number[][]> {
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
  const status = await engine.status();
  const odd = oddPhoto(images, descriptors, status.metric, onePersonBound(status));
  if (odd) {
    const what =
      odd.length === images.length
        ? 'disagree, and no majority tells which is wrong (check them, or add another photo)'
        : `${odd.length > 1 ? 'are' : 'is'} not the person in the others`;
    throw new NotOnePerson(
      `${csvFile}: the photos given for one IIN are not one person: ${odd.join(' and ')} ${what}. Nothing was enrolled.`,
    );
  }
  return descriptors;
}
