/**
 * Planar-motion test for the active challenge.
 *
 * A flat photo moved, tilted or rotated in front of the camera is a plane seen through a pinhole:
 * the image of every point on it moves by one 3×3 homography. A real head is not flat — the nose
 * sticks out of the plane of the eyes and mouth, and the jaw line is a silhouette that slides over
 * the head as it turns — so the landmarks of a head turn do not fit one homography. We fit the best
 * homography from the landmarks of a frontal reference frame to those of a turned frame and report
 * the residual, normalised by the size of the landmark cloud so it does not depend on distance.
 *
 * Fit: normalised DLT (Hartley) for a start, then Gauss–Newton on the geometric (transfer) error,
 * so that the residual is the smallest any plane could achieve and a real head is never judged
 * non-planar only because the algebraic fit was poor.
 */

import { solveLinear } from './linear-solve.js';

export type Point = readonly [number, number];
/** Row-major 3×3, h[8] normalised to 1 where possible. */
export type Homography = number[];

interface Normaliser {
  /** Maps a point into a frame with centroid 0 and mean distance √2. */
  t: Homography;
  points: Array<[number, number]>;
}

/** Mean of the points (NaN for none: callers check). */
function centroid(points: readonly Point[]): [number, number] {
  let cx = 0;
  let cy = 0;
  for (const [x, y] of points) {
    cx += x;
    cy += y;
  }
  return [cx / points.length, cy / points.length];
}

function normalise(points: readonly Point[]): Normaliser {
  const n = points.length;
  const [cx, cy] = centroid(points);
  let mean = 0;
  for (const [x, y] of points) mean += Math.hypot(x - cx, y - cy);
  mean /= n;
  const s = mean > 0 ? Math.SQRT2 / mean : 1;
  return {
    t: [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1],
    points: points.map(([x, y]) => [s * (x - cx), s * (y - cy)]),
  };
}

export function multiply(a: Homography, b: Homography): Homography {
  const r = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += (a[i * 3 + k] ?? 0) * (b[k * 3 + j] ?? 0);
      r[i * 3 + j] = sum;
    }
  return r;
}

export function invert(m: Homography): Homography {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0, i = 0] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (Math.abs(det) < 1e-300) throw new Error('homography is singular');
  const inv = [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d];
  return inv.map((v) => v / det);
}

export function apply(h: Homography, [x, y]: Point): [number, number] {
  const w = (h[6] ?? 0) * x + (h[7] ?? 0) * y + (h[8] ?? 1);
  return [((h[0] ?? 0) * x + (h[1] ?? 0) * y + (h[2] ?? 0)) / w, ((h[3] ?? 0) * x + (h[4] ?? 0) * y + (h[5] ?? 0)) / w];
}

/** Eigenvector of the smallest eigenvalue of a symmetric n×n matrix (cyclic Jacobi). */
function smallestEigenvector(m: number[][]): number[] {
  const n = m.length;
  const a = m.map((row) => row.slice());
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const at = (r: number[][], i: number, j: number): number => r[i]?.[j] ?? 0;
  const set = (r: number[][], i: number, j: number, x: number): void => {
    const row = r[i];
    if (row) row[j] = x;
  };
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += at(a, p, q) ** 2;
    if (off < 1e-24) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = at(a, p, q);
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (at(a, q, q) - at(a, p, p)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = at(a, k, p);
          const akq = at(a, k, q);
          set(a, k, p, c * akp - s * akq);
          set(a, k, q, s * akp + c * akq);
        }
        for (let k = 0; k < n; k++) {
          const apk = at(a, p, k);
          const aqk = at(a, q, k);
          set(a, p, k, c * apk - s * aqk);
          set(a, q, k, s * apk + c * aqk);
        }
        for (let k = 0; k < n; k++) {
          const vkp = at(v, k, p);
          const vkq = at(v, k, q);
          set(v, k, p, c * vkp - s * vkq);
          set(v, k, q, s * vkp + c * vkq);
        }
      }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (at(a, i, i) < at(a, best, best)) best = i;
  return v.map((row) => row[best] ?? 0);
}

/** Normalised DLT: the homography minimising the algebraic error, mapping `from` onto `to`. */
export function fitHomographyDlt(from: readonly Point[], to: readonly Point[]): Homography {
  if (from.length !== to.length || from.length < 4) throw new Error('a homography needs at least 4 point pairs');
  const nf = normalise(from);
  const nt = normalise(to);
  const ata = Array.from({ length: 9 }, () => new Array<number>(9).fill(0));
  const accumulate = (row: number[]): void => {
    for (let i = 0; i < 9; i++) {
      const ri = row[i] ?? 0;
      if (ri === 0) continue;
      const target = ata[i];
      if (!target) continue;
      for (let j = 0; j < 9; j++) target[j] = (target[j] ?? 0) + ri * (row[j] ?? 0);
    }
  };
  for (let k = 0; k < nf.points.length; k++) {
    const [x, y] = nf.points[k] ?? [0, 0];
    const [u, v] = nt.points[k] ?? [0, 0];
    accumulate([0, 0, 0, -x, -y, -1, v * x, v * y, v]);
    accumulate([x, y, 1, 0, 0, 0, -u * x, -u * y, -u]);
  }
  const hn = smallestEigenvector(ata);
  const h = multiply(invert(nt.t), multiply(hn, nf.t));
  const scale = h[8] ?? 0;
  return Math.abs(scale) > 1e-12 ? h.map((x) => x / scale) : h;
}

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
export function refineHomography(h0: Homography, from: readonly Point[], to: readonly Point[], iterations = 20): Homography {
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
