import { describe, expect, it } from 'vitest';
import { growthCurves, type Person } from '../../tools/eval/faces/growth.js';
import { mulberry32 } from '../../upstream/faults.js';
import { oddPhoto, onePersonBound } from '../../upstream/reference-photos.js';

/** Synthetic people: a centre per person and photos scattered around it (seeded), one group, one gender. */
function people(n: number, photos: number, spread: number): Person[] {
  const r = mulberry32(19);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: n }, (_, p) => {
    const centre = Array.from({ length: 32 }, () => gauss() * 0.1);
    return {
      id: `p${p}`,
      group: 'g',
      gender: 'F',
      descriptors: Array.from({ length: photos }, () => centre.map((c) => c + gauss() * spread)),
    };
  });
}

describe('reference growth, replayed', () => {
  const opts = { metric: 'euclidean' as const, visits: [0, 1, 2, 4], max: 4, targetFar: [0.01] };

  it('verified visits that join lower the FRR at the same FAR; a bound nothing passes changes nothing', () => {
    const { rows } = growthCurves(people(12, 10, 0.1), { ...opts, bounds: [10, 0] });
    const frr = (bound: number, visits: number) =>
      rows.find((r) => r.bound === bound && r.visits === visits)!.targets[0]!.frr!;
    expect(frr(10, 4)).toBeLessThan(frr(10, 0));
    expect(rows.find((r) => r.bound === 10 && r.visits === 4)!.joined).toBe(4);
    for (const v of [1, 2, 4]) expect(frr(0, v)).toBe(frr(0, 0));
    expect(rows.find((r) => r.bound === 0 && r.visits === 4)!.joined).toBe(0);
  });

  it('an impostor joins a reference under a loose bound and not under a strict one', () => {
    const { poisoning } = growthCurves(people(8, 8, 0.05), { ...opts, bounds: [10, 0.2] });
    const loose = poisoning.find((p) => p.bound === 10)!;
    const strict = poisoning.find((p) => p.bound === 0.2)!;
    expect(loose.couplesWithAJoin).toBe(1);
    expect(loose.meanJoined).toBe(4);
    expect(strict.couplesWithAJoin).toBe(0);
    expect(strict.joinRate).toBe(0);
  });
});

describe('enrolment from ID photos: one person per IIN', () => {
  const [a, b] = people(2, 4, 0.02);
  const names = ['id-card.jpg', 'passport.jpg', 'driving-licence.jpg', 'old-passport.jpg'];

  it('accepts photos of one person and names the photo of someone else', () => {
    expect(oddPhoto(names, a!.descriptors, 'euclidean', 0.44)).toBeUndefined();
    expect(
      oddPhoto(
        names,
        [a!.descriptors[0]!, a!.descriptors[1]!, b!.descriptors[0]!, a!.descriptors[2]!],
        'euclidean',
        0.44,
      ),
    ).toEqual(['driving-licence.jpg']);
  });

  it('with two photos that disagree, or two people two photos each, names them all (no majority tells which is wrong)', () => {
    expect(oddPhoto(names.slice(0, 2), [a!.descriptors[0]!, b!.descriptors[0]!], 'euclidean', 0.44)).toEqual([
      'id-card.jpg',
      'passport.jpg',
    ]);
    expect(
      oddPhoto(
        names,
        [a!.descriptors[0]!, b!.descriptors[0]!, a!.descriptors[1]!, b!.descriptors[1]!],
        'euclidean',
        0.44,
      ),
    ).toEqual(names);
  });
});

describe('the one-person bound', () => {
  it('is the measured 0.50 for the built-in model and the match threshold for a model not measured', () => {
    expect(onePersonBound({ modelId: 'faceapi-dlib128@470afa833860', threshold: 0.44 })).toBe(0.5);
    expect(onePersonBound({ modelId: 'clinic-model@abc', threshold: 0.3 })).toBe(0.3);
  });
});
