/**
 * The pixel-based planar fit in its plain per-point form, as first written (electron/core/presence/
 * photometric.ts before it was made fast): one small array per grid point and per Jacobian row,
 * the full normal equations, every pyramid level blurred afresh. Kept only so tests can show that
 * the kiosk's fast form computes the very same residual and homography on real frames.
 */
import type { Box } from '../../electron/core/face/types.js';
import type { GrayImage } from '../../electron/core/presence/photometric.js';
import { apply, invert, multiply, type Homography } from '../../electron/core/presence/homography.js';
import { solveLinear } from '../../electron/core/presence/linear-solve.js';

/** Separable box blur (radius r), run twice: close enough to a Gaussian for a pyramid. */
function blur(img: GrayImage, r: number): GrayImage {
  if (r < 1) return img;
  const { width: w, height: h } = img;
  let src = img.data;
  for (let pass = 0; pass < 2; pass++) {
    const tmp = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      let acc = 0;
      const row = y * w;
      for (let x = -r; x <= r; x++) acc += src[row + Math.min(w - 1, Math.max(0, x))] ?? 0;
      for (let x = 0; x < w; x++) {
        tmp[row + x] = acc / (2 * r + 1);
        acc += (src[row + Math.min(w - 1, x + r + 1)] ?? 0) - (src[row + Math.max(0, x - r)] ?? 0);
      }
    }
    const out = new Float32Array(w * h);
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let y = -r; y <= r; y++) acc += tmp[Math.min(h - 1, Math.max(0, y)) * w + x] ?? 0;
      for (let y = 0; y < h; y++) {
        out[y * w + x] = acc / (2 * r + 1);
        acc += (tmp[Math.min(h - 1, y + r + 1) * w + x] ?? 0) - (tmp[Math.max(0, y - r) * w + x] ?? 0);
      }
    }
    src = out;
  }
  return { width: w, height: h, data: src };
}

function sample(img: GrayImage, x: number, y: number): number {
  if (x < 0 || y < 0 || x > img.width - 1 || y > img.height - 1) return Number.NaN;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, img.width - 1);
  const y1 = Math.min(y0 + 1, img.height - 1);
  const fx = x - x0;
  const fy = y - y0;
  const d = img.data;
  const w = img.width;
  return (
    (d[y0 * w + x0] ?? 0) * (1 - fx) * (1 - fy) +
    (d[y0 * w + x1] ?? 0) * fx * (1 - fy) +
    (d[y1 * w + x0] ?? 0) * (1 - fx) * fy +
    (d[y1 * w + x1] ?? 0) * fx * fy
  );
}

/** Pearson correlation of two equally long sample lists, skipping NaN (outside the image). */
function ncc(a: Float32Array, b: Float32Array): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? Number.NaN;
    const y = b[i] ?? Number.NaN;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    n++;
    sa += x;
    sb += y;
  }
  if (n < 16) return 0;
  const ma = sa / n;
  const mb = sb / n;
  let cab = 0;
  let caa = 0;
  let cbb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? Number.NaN;
    const y = b[i] ?? Number.NaN;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    cab += (x - ma) * (y - mb);
    caa += (x - ma) ** 2;
    cbb += (y - mb) ** 2;
  }
  return caa > 0 && cbb > 0 ? cab / Math.sqrt(caa * cbb) : 0;
}

interface PhotometricFitResult {
  /** 1 − normalised cross-correlation of the face patches after the best homography: ≈0 for a plane. */
  residual: number;
  homography: Homography;
}

const GRID = 48;

/**
 * Aligns the face patch (`box` of `reference`) onto `current` with the best homography, starting
 * from `initial` (reference → current pixels, e.g. the landmark fit), and reports what is left.
 * Gain and offset changes (auto-exposure) do not count: the residual is correlation-based and the
 * Gauss–Newton model includes a gain and a bias.
 */
export function referencePhotometricPlanarFit(
  reference: GrayImage,
  box: Box,
  current: GrayImage,
  initial: Homography,
): PhotometricFitResult {
  // Patch grid in normalised coordinates u,v ∈ [-1, 1] over the face box (slightly inset: the box edges are background).
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const hw = (box.width / 2) * 0.9;
  const hh = (box.height / 2) * 0.9;
  const toPixels: Homography = [hw, 0, cx, 0, hh, cy, 0, 0, 1];
  // p: normalised patch coordinates → current pixels.
  let p = multiply(initial, toPixels);
  const s0 = p[8] ?? 1;
  p = p.map((x) => x / s0);
  const grid: Array<[number, number]> = [];
  for (let j = 0; j < GRID; j++)
    for (let i = 0; i < GRID; i++) grid.push([-1 + (2 * (i + 0.5)) / GRID, -1 + (2 * (j + 0.5)) / GRID]);

  const faceScale = Math.max(box.width, box.height);
  for (const level of [0.08, 0.04, 0.02, 0]) {
    const r = Math.round(level * faceScale);
    const ref = blur(reference, r);
    const cur = blur(current, r);
    const template = new Float32Array(grid.length);
    grid.forEach(([u, v], k) => {
      const [x, y] = apply(toPixels, [u, v]);
      template[k] = sample(ref, x, y);
    });
    for (let it = 0; it < 12; it++) {
      // Parameters: 8 homography entries (h9 = 1) + gain + bias; model: gain·I(W(x)) + bias ≈ T(x).
      const n = 10;
      const jtj = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      const jtr = new Array<number>(n).fill(0);
      let gain = 1;
      let bias = 0;
      {
        // Closed-form gain/bias for the current warp, so the iteration only solves the geometry well.
        let sx = 0,
          sy = 0,
          sxx = 0,
          sxy = 0,
          m = 0;
        grid.forEach(([u, v], k) => {
          const [x, y] = apply(p, [u, v]);
          const iv = sample(cur, x, y);
          const t = template[k] ?? Number.NaN;
          if (Number.isNaN(iv) || Number.isNaN(t)) return;
          m++;
          sx += iv;
          sy += t;
          sxx += iv * iv;
          sxy += iv * t;
        });
        const varI = sxx - (sx * sx) / Math.max(1, m);
        if (m > 16 && varI > 1e-6) {
          gain = (sxy - (sx * sy) / m) / varI;
          bias = (sy - gain * sx) / m;
        }
      }
      let used = 0;
      grid.forEach(([u, v], k) => {
        const t = template[k] ?? Number.NaN;
        const a = (p[0] ?? 0) * u + (p[1] ?? 0) * v + (p[2] ?? 0);
        const b = (p[3] ?? 0) * u + (p[4] ?? 0) * v + (p[5] ?? 0);
        const w = (p[6] ?? 0) * u + (p[7] ?? 0) * v + 1;
        const x = a / w;
        const y = b / w;
        const iv = sample(cur, x, y);
        if (Number.isNaN(iv) || Number.isNaN(t)) return;
        const gx = (sample(cur, x + 1, y) - sample(cur, x - 1, y)) / 2;
        const gy = (sample(cur, x, y + 1) - sample(cur, x, y - 1)) / 2;
        if (Number.isNaN(gx) || Number.isNaN(gy)) return;
        used++;
        const dxdp = [u / w, v / w, 1 / w, 0, 0, 0, (-x * u) / w, (-x * v) / w];
        const dydp = [0, 0, 0, u / w, v / w, 1 / w, (-y * u) / w, (-y * v) / w];
        const row = new Array<number>(n);
        for (let q = 0; q < 8; q++) row[q] = gain * (gx * (dxdp[q] ?? 0) + gy * (dydp[q] ?? 0));
        row[8] = iv;
        row[9] = 1;
        const res = gain * iv + bias - t;
        for (let q = 0; q < n; q++) {
          jtr[q] = (jtr[q] ?? 0) + (row[q] ?? 0) * res;
          const jr = jtj[q];
          if (!jr) continue;
          for (let z = 0; z < n; z++) jr[z] = (jr[z] ?? 0) + (row[q] ?? 0) * (row[z] ?? 0);
        }
      });
      if (used < 64) break;
      // Levenberg damping keeps a step from throwing the patch off the face.
      for (let q = 0; q < n; q++) {
        const jr = jtj[q];
        if (jr) jr[q] = (jr[q] ?? 0) * 1.01 + 1e-9;
      }
      const step = solveLinear(
        jtj,
        jtr.map((v) => -v),
        1e-12,
      );
      if (!step) break;
      const next = p.slice();
      for (let q = 0; q < 8; q++) next[q] = (next[q] ?? 0) + (step[q] ?? 0);
      p = next;
      const moved = Math.hypot(step[2] ?? 0, step[5] ?? 0);
      if (moved < 0.01) break;
    }
  }

  const templateFull = new Float32Array(grid.length);
  const warped = new Float32Array(grid.length);
  grid.forEach(([u, v], k) => {
    const [x, y] = apply(toPixels, [u, v]);
    templateFull[k] = sample(reference, x, y);
    const [cx2, cy2] = apply(p, [u, v]);
    warped[k] = sample(current, cx2, cy2);
  });
  return { residual: 1 - ncc(templateFull, warped), homography: multiply(p, invert(toPixels)) };
}
