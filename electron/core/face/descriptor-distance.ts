/**
 * The one place that says how two face descriptors are compared. Each model package names its
 * metric (and the threshold under which two descriptors are the same person) in its manifest; the
 * kiosk, the presence check and the reference upstream all call this with that metric.
 */
export const METRICS = ['euclidean', 'cosine'] as const;
export type DescriptorMetric = (typeof METRICS)[number];

/**
 * Distance between two descriptors of the same model: Euclidean (L2), or cosine distance
 * 1 − a·b / (|a| |b|) (0 = same direction, 2 = opposite). Throws when the lengths differ: such
 * descriptors come from different models and have no distance.
 */
export function descriptorDistance(a: ArrayLike<number>, b: ArrayLike<number>, metric: DescriptorMetric): number {
  if (a.length !== b.length || a.length === 0)
    throw new Error(`descriptors of different lengths (${a.length} and ${b.length}) cannot be compared`);
  if (metric === 'euclidean') {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
    return Math.sqrt(sum);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 1;
  return 1 - dot / Math.sqrt(na * nb);
}

/** True when the distance says "same person" under the model's threshold (strictly under, as eval-faces counts). */
export function sameFace(distance: number, threshold: number): boolean {
  return distance < threshold;
}
