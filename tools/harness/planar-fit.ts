/**
 * The landmark-only planar fit: the best homography from one landmark set to another (normalised
 * DLT, then Gauss–Newton on the transfer error) and its residual, normalised by the size of the
 * landmark cloud. The kiosk judges pixels instead (electron/core/presence/photometric.ts); tests and
 * tools/eval/liveness.ts still measure this one.
 */
import {
  apply,
  centroid,
  fitHomographyDlt,
  invert,
  multiply,
  normalise,
  type Homography,
  type Point,
} from '../../electron/core/presence/homography.js';
import { solveLinear } from '../../electron/core/presence/linear-solve.js';

function sumSquaredError(h: Homography, from: readonly Point[], to: readonly Point[]): number {
  let sse = 0;
  for (let k = 0; k < from.length; k++) {
    const [px, py] = apply(h, from[k] ?? [0, 0]);
    const [tx, ty] = to[k] ?? [0, 0];
    sse += (px - tx) ** 2 + (py - ty) ** 2;
  }
  return sse;
}

/**
 * Refines a homography on the geometric error (Levenberg–Marquardt on the 8 free entries, h[8]=1),
 * in a normalised frame so the step sizes are well scaled.
 */
export function refineHomography(
  h0: Homography,
  from: readonly Point[],
  to: readonly Point[],
  iterations = 20,
): Homography {
  const nf = normalise(from);
  const nt = normalise(to);
  let h = multiply(nt.t, multiply(h0, invert(nf.t)));
  const s = h[8] ?? 1;
  if (Math.abs(s) > 1e-12) h = h.map((x) => x / s);
  let lambda = 1e-3;
  let err = sumSquaredError(h, nf.points, nt.points);
  for (let it = 0; it < iterations; it++) {
    const jtj = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    const jtr = new Array<number>(8).fill(0);
    for (let k = 0; k < nf.points.length; k++) {
      const [x, y] = nf.points[k] ?? [0, 0];
      const [tx, ty] = nt.points[k] ?? [0, 0];
      const w = (h[6] ?? 0) * x + (h[7] ?? 0) * y + 1;
      const px = ((h[0] ?? 0) * x + (h[1] ?? 0) * y + (h[2] ?? 0)) / w;
      const py = ((h[3] ?? 0) * x + (h[4] ?? 0) * y + (h[5] ?? 0)) / w;
      const jx = [x / w, y / w, 1 / w, 0, 0, 0, (-px * x) / w, (-px * y) / w];
      const jy = [0, 0, 0, x / w, y / w, 1 / w, (-py * x) / w, (-py * y) / w];
      const rx = px - tx;
      const ry = py - ty;
      for (let i = 0; i < 8; i++) {
        jtr[i] = (jtr[i] ?? 0) + (jx[i] ?? 0) * rx + (jy[i] ?? 0) * ry;
        const row = jtj[i];
        if (!row) continue;
        for (let j = 0; j < 8; j++) row[j] = (row[j] ?? 0) + (jx[i] ?? 0) * (jx[j] ?? 0) + (jy[i] ?? 0) * (jy[j] ?? 0);
      }
    }
    let accepted = false;
    let gain = 0;
    for (let attempt = 0; attempt < 8 && !accepted; attempt++) {
      const damped = jtj.map((row, i) => row.map((v, j) => (i === j ? v * (1 + lambda) + 1e-12 : v)));
      const step = solveLinear(
        damped,
        jtr.map((v) => -v),
        1e-15,
      );
      if (!step) break;
      const candidate = [...step.map((d, i) => (h[i] ?? 0) + d), 1];
      const cErr = sumSquaredError(candidate, nf.points, nt.points);
      if (cErr < err) {
        gain = err - cErr;
        h = candidate;
        err = cErr;
        lambda = Math.max(lambda / 10, 1e-9);
        accepted = true;
      } else lambda *= 10;
    }
    // Stop when no step helps or the gain is negligible.
    if (!accepted || gain <= 1e-12 * Math.max(err, 1e-12)) break;
  }
  const back = multiply(invert(nt.t), multiply(h, nf.t));
  const b8 = back[8] ?? 1;
  return Math.abs(b8) > 1e-12 ? back.map((x) => x / b8) : back;
}

/** Root-mean-square distance of the points from their centroid: the size of the landmark cloud. */
export function spread(points: readonly Point[]): number {
  const n = points.length;
  if (n === 0) return 0;
  const [cx, cy] = centroid(points);
  let ss = 0;
  for (const [x, y] of points) ss += (x - cx) ** 2 + (y - cy) ** 2;
  return Math.sqrt(ss / n);
}

export interface PlanarFit {
  homography: Homography;
  /** RMS transfer error of the best homography, in pixels of `to`. */
  rmsPx: number;
  /** rmsPx divided by the spread of `to`: about 0 for a plane, larger for a 3-D head turn. */
  residual: number;
}

/** Fits the best homography mapping `from` onto `to` and reports how well a plane explains the motion. */
export function planarFit(from: readonly Point[], to: readonly Point[]): PlanarFit {
  const homography = refineHomography(fitHomographyDlt(from, to), from, to);
  const rmsPx = Math.sqrt(sumSquaredError(homography, from, to) / from.length);
  const size = spread(to);
  return { homography, rmsPx, residual: size > 0 ? rmsPx / size : Number.POSITIVE_INFINITY };
}
