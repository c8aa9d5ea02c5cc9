// kioskctl eval-faces: which probes the quality gate refuses, and the distance of each pair scored
// (against one reference image, or the mean template of K).
import { descriptorDistance } from '../../../../electron/core/face/descriptor-distance.js';
import { meanTemplate } from '../../../../electron/core/face/template.js';
import type { FaceAnalysis } from '../../../../electron/core/face/types.js';
import type { LabelledPair } from '../../../eval/faces/pairs.js';
import { gateFailures } from '../../../eval/faces/quality-gate.js';
import type { DescribedImages } from './describe-images.js';
import type { Options } from './options.js';
import type { Scored } from './summary.js';

type Metric = Parameters<typeof descriptorDistance>[2];

/** The gate refuses probes (file_x: the face at the kiosk) whose face falls short of a rule. */
export function refusedProbes(
  gate: NonNullable<Options['gate']> | null,
  pairs: LabelledPair[],
  pathOf: (file: string) => string,
  faces: Map<string, FaceAnalysis>,
): { refused: Map<string, string[]>; probes: string[] } {
  const refused = new Map<string, string[]>();
  const probes = [...new Set(pairs.map((p) => pathOf(p.file_x)))].filter((path) => faces.has(path));
  if (gate) {
    for (const path of probes) {
      const failed = gateFailures(gate, faces.get(path) as FaceAnalysis);
      if (failed.length) refused.set(path, failed);
    }
  }
  return { refused, probes };
}

/** The pairs scored with a reference template of k images (k = 1 without --template). */
export function scoreWith(
  k: number,
  input: {
    pairs: LabelledPair[];
    pathOf: (file: string) => string;
    described: DescribedImages;
    refused: Map<string, string[]>;
    orders: string[][] | null;
    metric: Metric;
  },
): Scored[] {
  const { pairs, pathOf, refused, orders, metric } = input;
  const { descriptors, references } = input.described;
  const out: Scored[] = [];
  for (const [i, pair] of pairs.entries()) {
    const probe = pathOf(pair.file_x);
    const a = descriptors.get(probe);
    if (!a || refused.has(probe)) continue;
    let b: number[] | undefined;
    let reference: string[];
    if (orders) {
      const refs = references[i];
      if (!refs) continue;
      reference = refs.slice(0, k);
      b =
        k === 1
          ? descriptors.get(refs[0] as string)
          : meanTemplate(
              reference.map((r) => descriptors.get(r) as number[]),
              metric,
            );
    } else {
      reference = [pathOf(pair.file_y)];
      b = descriptors.get(reference[0] as string);
    }
    if (b) out.push({ pair, same: pair.same, distance: descriptorDistance(a, b, metric), reference });
  }
  return out;
}
