/**
 * 3×3 homographies: the normalised DLT fit (Hartley) and the algebra the kiosk's planar test needs.
 *
 * A flat photo moved, tilted or rotated in front of the camera is a plane seen through a pinhole:
 * the image of every point on it moves by one homography. The kiosk's planar test
 * (photometric.ts) fits one from the landmarks of the held frame to those of the turned frame and
 * asks whether it explains the face's PIXELS. (A landmark-only residual with a Gauss–Newton refit
 * was measured first and is kept for tests and tools in tools/harness/planar-fit.ts.)
 */

export type { Point } from '../face/alignment.js';
import type { Point } from '../face/alignment.js';
/** Row-major 3×3, h[8] normalised to 1 where possible. */
export type Homography = number[];

export interface Normaliser {
  /** Maps a point into a frame with centroid 0 and mean distance √2. */
  t: Homography;
  points: Array<[number, number]>;
}

/** Mean of the points (NaN for none: callers check). */
export function centroid(points: readonly Point[]): [number, number] {
  let cx = 0;
  let cy = 0;
  for (const [x, y] of points) {
    cx += x;
    cy += y;
  }
  return [cx / points.length, cy / points.length];
}

export function normalise(points: readonly Point[]): Normaliser {
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
  const inv = [
    A,
    -(b * i - c * h),
    b * f - c * e,
    B,
    a * i - c * g,
    -(a * f - c * d),
    C,
    -(a * h - b * g),
    a * e - b * d,
  ];
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
