import { describe, expect, it } from 'vitest';
import { apply, fitHomographyDlt, planarFit, type Homography } from '../../electron/core/presence/homography.js';
import { seeded, viewHead } from '../support/presence.js';

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
    expect(() => fitHomographyDlt([[0, 0], [1, 0], [0, 1]], [[0, 0], [1, 0], [0, 1]])).toThrow(/at least 4/);
  });
});
