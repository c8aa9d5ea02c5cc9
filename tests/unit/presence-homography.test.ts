import { describe, expect, it } from 'vitest';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { apply, fitHomographyDlt, type Homography, type Point } from '../../electron/core/presence/homography.js';
import { planarFit } from '../../tools/harness/planar-fit.js';
import { photometricPlanarFit, toGray } from '../../electron/core/presence/photometric.js';
import { seeded, viewHead } from '../../tools/harness/presence.js';
import { planeHomography, warpFrame } from '../../tools/harness/warp.js';

const grid = (): Array<[number, number]> => {
  const pts: Array<[number, number]> = [];
  for (let i = 0; i < 9; i++) for (let j = 0; j < 8; j++) pts.push([100 + i * 37, 80 + j * 41]);
  return pts;
};

describe('homography fit (planar-motion test)', () => {
  it('recovers a known perspective homography exactly from clean points', () => {
    const h: Homography = [1.1, 0.05, 12, -0.03, 0.95, -7, 0.0004, -0.0002, 1];
    const from = grid();
    const to = from.map((p) => apply(h, p));
    const fitted = fitHomographyDlt(from, to);
    fitted.forEach((v, i) => expect(v).toBeCloseTo(h[i] ?? 0, 6));
    expect(planarFit(from, to).residual).toBeLessThan(1e-6);
  });

  it('keeps the residual at the noise level when a plane moves with noisy points', () => {
    const rnd = seeded(7);
    const h: Homography = [0.9, 0.1, 30, -0.05, 1.02, 4, -0.0006, 0.0003, 1];
    const from = grid();
    const to = from.map((p) => {
      const [x, y] = apply(h, p);
      return [x + (rnd() - 0.5) * 2, y + (rnd() - 0.5) * 2] as [number, number];
    });
    const fit = planarFit(from, to);
    // Uniform noise of ±1 px has an RMS of about 0.58 px per axis, 0.82 px in 2-D; the fit absorbs a little.
    expect(fit.rmsPx).toBeGreaterThan(0.5);
    expect(fit.rmsPx).toBeLessThan(0.85);
  });

  it('tells a flat face turned 25° from a 3-D head turned 25°', () => {
    const flatFrom = viewHead({ flat: true });
    const flatTo = viewHead({ flat: true, yawDeg: 25 });
    const headFrom = viewHead();
    const headTo = viewHead({ yawDeg: 25 });
    const flat = planarFit(flatFrom, flatTo).residual;
    const head = planarFit(headFrom, headTo).residual;
    expect(flat).toBeLessThan(1e-6);
    expect(head).toBeGreaterThan(0.03);
  });

  it('refuses fewer than four point pairs', () => {
    expect(() =>
      fitHomographyDlt(
        [
          [0, 0],
          [1, 0],
          [0, 1],
        ],
        [
          [0, 0],
          [1, 0],
          [0, 1],
        ],
      ),
    ).toThrow(/at least 4/);
  });
});

describe('pixel planar test (photometric alignment)', () => {
  /** A smooth random texture (sum of blobs), so alignment has gradients everywhere. */
  function texture(width: number, height: number, seed: number): RgbaFrame {
    const rnd = seeded(seed);
    const blobs = Array.from(
      { length: 60 },
      () => [rnd() * width, rnd() * height, 6 + rnd() * 20, rnd() * 255 - 128] as const,
    );
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        let v = 128;
        for (const [bx, by, r, a] of blobs) v += a * Math.exp(-((x - bx) ** 2 + (y - by) ** 2) / (2 * r * r));
        const o = (y * width + x) * 4;
        data[o] = data[o + 1] = data[o + 2] = Math.max(0, Math.min(255, Math.round(v)));
        data[o + 3] = 255;
      }
    return { width, height, data };
  }
  const box = { x: 220, y: 140, width: 200, height: 200 };
  const square: Point[] = [
    [220, 140],
    [420, 140],
    [420, 340],
    [220, 340],
  ];

  it('aligns a textured plane seen under a perspective homography, starting from a rough guess', () => {
    const scene = texture(640, 480, 3);
    const h = planeHomography(640, 480, { yawDeg: 35, pitchDeg: 10, distance: 1.3 });
    const moved = warpFrame(scene, h);
    // Start from a guess a few pixels off, as a landmark fit would be.
    const rough = fitHomographyDlt(
      square,
      square.map((p) => apply(h, p)).map(([x, y], i) => [x + (i % 2 ? 4 : -3), y + 3] as Point),
    );
    const fit = photometricPlanarFit(toGray(scene), box, toGray(moved), rough);
    expect(fit.residual).toBeLessThan(0.01);
  });

  it('leaves a large residual when part of the patch moves on its own (depth parallax)', () => {
    const scene = texture(640, 480, 3);
    const h = planeHomography(640, 480, { yawDeg: 20 });
    const moved = warpFrame(scene, h);
    // Paste a different texture over the middle of the face box in the second view: the "nose" that no plane explains.
    const other = texture(640, 480, 8);
    for (let y = 200; y < 300; y++)
      for (let x = 280; x < 380; x++) {
        const o = (y * 640 + x) * 4;
        for (let c = 0; c < 3; c++) moved.data[o + c] = other.data[o + c] ?? 0;
      }
    const guess = fitHomographyDlt(
      square,
      square.map((p) => apply(h, p)),
    );
    expect(photometricPlanarFit(toGray(scene), box, toGray(moved), guess).residual).toBeGreaterThan(0.03);
  });
});
