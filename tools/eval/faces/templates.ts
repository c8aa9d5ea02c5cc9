/**
 * Reference templates for `eval-faces --template K`: the reference side of a pair becomes the mean
 * of K descriptors of the reference person (the identity of file_y), the probe (file_x) stays one
 * image. The K images are file_y and K − 1 other images of that person, never the probe, drawn
 * seeded; the order is drawn once per pair, so the template of K images holds those of every
 * smaller K (the figures for different K differ by the extra images only).
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { IdentityRow } from './identities.js';
import type { LabelledPair } from './pairs.js';

/** For each pair, the reference person's images in the order they join the template (file_y first). */
export function templateOrders(
  pairs: readonly LabelledPair[],
  identities: readonly IdentityRow[],
  seed: number,
): string[][] {
  const identityOf = new Map(identities.map((r) => [r.file, r.identity]));
  const filesOf = new Map<string, string[]>();
  for (const r of identities) {
    const list = filesOf.get(r.identity);
    if (list) list.push(r.file);
    else filesOf.set(r.identity, [r.file]);
  }
  const missing = [...new Set(pairs.map((p) => p.file_y).filter((f) => !identityOf.has(f)))];
  if (missing.length)
    throw new Error(
      `--template: ${missing.length} reference image(s) are not in the identities file, e.g. ${missing.slice(0, 3).join(', ')}`,
    );
  const rng = xoroshiro128plus(seed);
  return pairs.map((p) => {
    const others = (filesOf.get(identityOf.get(p.file_y) as string) as string[]).filter(
      (f) => f !== p.file_x && f !== p.file_y,
    );
    // Fisher–Yates, seeded.
    for (let i = others.length - 1; i > 0; i--) {
      const j = uniformInt(rng, 0, i);
      [others[i], others[j]] = [others[j] as string, others[i] as string];
    }
    return [p.file_y, ...others];
  });
}
