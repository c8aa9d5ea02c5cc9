import { describe, expect, it } from 'vitest';
import {
  applySimilarity,
  ARCFACE_112,
  cropToFrameTransform,
  estimateSimilarity,
  FACEAPI_CHIP_150,
  fivePoints,
  type Point,
} from '../../electron/core/face/alignment.js';
import { descriptorDistance } from '../../electron/core/face/descriptor-distance.js';

/** A synthetic face: 68 landmarks whose five alignment points are `five` (eyes as rings of six points around their centres). */
function landmarksWithFivePoints(five: readonly Point[]): Array<[number, number]> {
  const lm: Array<[number, number]> = Array.from({ length: 68 }, () => [0, 0]);
  const [le, re, nose, lm48, lm54] = five as [Point, Point, Point, Point, Point];
  for (let k = 0; k < 6; k++) {
    const a = (k / 6) * 2 * Math.PI;
    lm[36 + k] = [le[0] + 3 * Math.cos(a), le[1] + 1.5 * Math.sin(a)];
    lm[42 + k] = [re[0] + 3 * Math.cos(a), re[1] + 1.5 * Math.sin(a)];
  }
  lm[30] = [nose[0], nose[1]];
  lm[48] = [lm48[0], lm48[1]];
  lm[54] = [lm54[0], lm54[1]];
  return lm;
}

describe('5-point similarity alignment', () => {
  it('maps the five points of a rotated, scaled and shifted face exactly onto the ArcFace template', () => {
    // The template seen by a camera: rotated 23°, 2.7× larger, moved; the landmarks are that face's.
    const theta = (23 * Math.PI) / 180;
    const seen = { a: 2.7 * Math.cos(theta), b: 2.7 * Math.sin(theta), tx: 210, ty: 95 };
    const face = ARCFACE_112.map((p) => applySimilarity(seen, p));
    const points = fivePoints(landmarksWithFivePoints(face));
    const t = estimateSimilarity(points, ARCFACE_112);
    points.forEach((p, i) => {
      const [x, y] = applySimilarity(t, p);
      expect(x).toBeCloseTo((ARCFACE_112[i] as Point)[0], 6);
      expect(y).toBeCloseTo((ARCFACE_112[i] as Point)[1], 6);
    });
    // The roll is taken out: the recovered rotation is −23°, the scale 1 / 2.7.
    expect((Math.atan2(t.b, t.a) * 180) / Math.PI).toBeCloseTo(-23, 6);
    expect(Math.hypot(t.a, t.b)).toBeCloseTo(1 / 2.7, 6);
  });

  it('is a least-squares fit without shear: noisy points land within the noise, the shape is not distorted', () => {
    const noisy = ARCFACE_112.map(([x, y], i): Point => [
      x * 1.9 + 40 + (i % 2 ? 1 : -1),
      y * 1.9 + 17 + (i % 3 ? -1 : 1),
    ]);
    const t = estimateSimilarity(noisy, ARCFACE_112);
    for (const [i, p] of noisy.entries()) {
      const [x, y] = applySimilarity(t, p);
      expect(Math.hypot(x - (ARCFACE_112[i] as Point)[0], y - (ARCFACE_112[i] as Point)[1])).toBeLessThan(1);
    }
  });

  it('gives tf.image.transform the crop → frame map (the inverse of the alignment)', () => {
    const t = estimateSimilarity(
      ARCFACE_112.map(([x, y]): Point => [3 * x + 10, 3 * y - 4]),
      ARCFACE_112,
    );
    const [a0, a1, a2, b0, b1, b2] = cropToFrameTransform(t);
    const [cx, cy] = ARCFACE_112[2] as Point; // the nose tip in the crop
    expect(a0 * cx + a1 * cy + a2).toBeCloseTo(3 * cx + 10, 6);
    expect(b0 * cx + b1 * cy + b2).toBeCloseTo(3 * cy - 4, 6);
  });

  it("puts face-api's chip template where face-api's own box puts eyes and mouth (centroid at 0.5, 0.43; eye-to-mouth 0.45 of 150 px)", () => {
    const [le, re, , ml, mr] = FACEAPI_CHIP_150 as [Point, Point, Point, Point, Point];
    const mouth: Point = [(ml[0] + mr[0]) / 2, (ml[1] + mr[1]) / 2];
    expect((le[0] + re[0] + mouth[0]) / 3).toBeCloseTo(75, 0);
    expect((le[1] + re[1] + mouth[1]) / 3).toBeCloseTo(64.5, 0);
    expect(
      (Math.hypot(mouth[0] - le[0], mouth[1] - le[1]) + Math.hypot(mouth[0] - re[0], mouth[1] - re[1])) / 2,
    ).toBeCloseTo(67.5, 0);
  });
});

describe('descriptorDistance', () => {
  it('measures Euclidean and cosine distance and refuses descriptors of different models', () => {
    expect(descriptorDistance([0, 3], [4, 0], 'euclidean')).toBe(5);
    expect(descriptorDistance([1, 0], [5, 0], 'cosine')).toBeCloseTo(0, 12);
    expect(descriptorDistance([1, 0], [0, 2], 'cosine')).toBeCloseTo(1, 12);
    expect(() => descriptorDistance(new Array(128).fill(0.1), new Array(512).fill(0.1), 'cosine')).toThrow(
      /different lengths/,
    );
  });
});
