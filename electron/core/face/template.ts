/**
 * One reference template from several descriptors of the same person (several photos at
 * enrolment, several frames of a session), averaged in the model's own metric so that the
 * template is compared with `descriptorDistance` exactly like a single descriptor:
 *
 * - `euclidean`: the plain mean, component by component;
 * - `cosine`: the mean of the L2-normalised descriptors, normalised again (the mean direction).
 *
 * Used by `kioskctl eval-faces --template K` and by the reference upstream's enrolment.
 */
import type { DescriptorMetric } from './descriptor-distance.js';

export function meanTemplate(descriptors: ReadonlyArray<ArrayLike<number>>, metric: DescriptorMetric): number[] {
  const first = descriptors[0];
  if (!first || first.length === 0) throw new Error('a template needs at least one descriptor');
  const n = first.length;
  for (const d of descriptors) {
    if (d.length !== n)
      throw new Error(
        `descriptors of different lengths (${n} and ${d.length}) cannot be averaged: they come from different models`,
      );
  }
  const sum = new Array<number>(n).fill(0);
  for (const d of descriptors) {
    let scale = 1;
    if (metric === 'cosine') {
      let norm = 0;
      for (let i = 0; i < n; i++) norm += (d[i] as number) ** 2;
      if (norm === 0) throw new Error('a zero descriptor has no direction and cannot be averaged');
      scale = 1 / Math.sqrt(norm);
    }
    for (let i = 0; i < n; i++) sum[i] = (sum[i] as number) + (d[i] as number) * scale;
  }
  if (metric === 'euclidean') return sum.map((v) => v / descriptors.length);
  const norm = Math.sqrt(sum.reduce((s, v) => s + v * v, 0));
  // Opposite directions cancel: no mean direction exists (real descriptors of one person never do this).
  if (norm === 0) throw new Error('the descriptors cancel out: no mean direction');
  return sum.map((v) => v / norm);
}
