/**
 * Pixel-based planar test (why it exists: docs/presence.md, "The planar test").
 *
 * The 68 landmarks come from a network with a strong prior on face shape: shown a flat photo
 * rotated 40–60°, it places the points as if a 3-D head had turned, so the landmark motion of a
 * tilted print does NOT fit a homography well (measured). Pixels have no prior: every pixel of a
 * flat print moves by one homography. So we align the face patch of the held (reference) frame to
 * the turned frame with the best homography (Lucas–Kanade, Gauss–Newton on 8 parameters, coarse to
 * fine, started from the landmark fit) and measure what is left: 1 − NCC of the aligned patches.
 * A print leaves only noise; a head turn leaves the nose, cheeks and ears, which no plane explains.
 */
import type { Box, RgbaFrame } from '../face/types.js';
import { apply, fitHomographyDlt, invert, multiply, type Homography, type Point } from './homography.js';
import { solveLinear } from './linear-solve.js';

/** Luma of a frame, as floats. */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
}

export function toGray(frame: RgbaFrame): GrayImage {
  const { width, height, data } = frame;
  const out = new Float32Array(width * height);
  for (let i = 0, j = 0; i < out.length; i++, j += 4) {
    out[i] = 0.299 * (data[j] ?? 0) + 0.587 * (data[j + 1] ?? 0) + 0.114 * (data[j + 2] ?? 0);
  }
  return { width, height, data: out };
}

/**
 * Separable box blur (radius r), run twice: close enough to a Gaussian for a pyramid. The running
 * sums go along each row and down each column in the same order as a plain per-pixel loop; the
 * column pass keeps one sum per column and walks the rows in memory order (cache-friendly), and
 * each pass is its own small function, so the JIT optimises it whole on the kiosk's first pass.
 */
export function blur(img: GrayImage, r: number): GrayImage {
  if (r < 1) return img;
  const { width: w, height: h } = img;
  const tmp = new Float32Array(w * h);
  const acc = new Float64Array(w);
  let src = img.data;
  for (let pass = 0; pass < 2; pass++) {
    blurRows(src, tmp, w, h, r);
    const out = new Float32Array(w * h);
    blurColumns(tmp, out, acc, w, h, r);
    src = out;
  }
  return { width: w, height: h, data: src };
}

function blurRows(src: Float32Array, dst: Float32Array, w: number, h: number, r: number): void {
  const n = 2 * r + 1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let a = 0;
    for (let x = -r; x <= r; x++) a += src[row + (x < 0 ? 0 : x > w - 1 ? w - 1 : x)]!;
    for (let x = 0; x < w; x++) {
      dst[row + x] = a / n;
      const add = x + r + 1;
      const drop = x - r;
      a += src[row + (add > w - 1 ? w - 1 : add)]! - src[row + (drop < 0 ? 0 : drop)]!;
    }
  }
}

function blurColumns(src: Float32Array, dst: Float32Array, acc: Float64Array, w: number, h: number, r: number): void {
  const n = 2 * r + 1;
  acc.fill(0);
  for (let y = -r; y <= r; y++) {
    const row = (y < 0 ? 0 : y > h - 1 ? h - 1 : y) * w;
    for (let x = 0; x < w; x++) acc[x]! += src[row + x]!;
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const add = y + r + 1;
    const drop = y - r;
    const addRow = (add > h - 1 ? h - 1 : add) * w;
    const dropRow = (drop < 0 ? 0 : drop) * w;
    for (let x = 0; x < w; x++) {
      dst[row + x] = acc[x]! / n;
      acc[x]! += src[addRow + x]! - src[dropRow + x]!;
    }
  }
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

export interface PhotometricFit {
  /** 1 − normalised cross-correlation of the face patches after the best homography: ≈0 for a plane. */
  residual: number;
  homography: Homography;
}

const GRID = 48;
/** The patch grid in normalised coordinates u,v ∈ [-1, 1], row by row (the same for every fit). */
const gridU = new Float64Array(GRID * GRID);
const gridV = new Float64Array(GRID * GRID);
for (let j = 0; j < GRID; j++)
  for (let i = 0; i < GRID; i++) {
    gridU[j * GRID + i] = -1 + (2 * (i + 0.5)) / GRID;
    gridV[j * GRID + i] = -1 + (2 * (j + 0.5)) / GRID;
  }

/**
 * The blurred pyramid levels of one luma image, kept as long as the image itself is: the held
 * frame is the reference of both samples of a turn (the first frame past the threshold and the
 * furthest turn), so its levels are blurred once.
 */
const pyramid = new WeakMap<GrayImage, Map<number, GrayImage>>();
function blurred(img: GrayImage, r: number): GrayImage {
  if (r < 1) return img;
  let levels = pyramid.get(img);
  if (!levels) pyramid.set(img, (levels = new Map()));
  let out = levels.get(r);
  if (!out) levels.set(r, (out = blur(img, r)));
  return out;
}

/** The parameters of one Gauss–Newton step: 8 homography entries (h9 = 1), gain and bias. */
const PARAMS = 10;

/** Scratch for one fit: the template, the normal equations and one Jacobian row. */
interface FitScratch {
  template: Float32Array;
  jtj: Float64Array;
  jtr: Float64Array;
  row: Float64Array;
}

/**
 * Closed-form gain and bias of the patch under the warp `p` (so the iteration only solves the
 * geometry): model gain·I(W(x)) + bias ≈ T(x).
 */
function gainBias(cur: GrayImage, template: Float32Array, p: Homography): { gain: number; bias: number } {
  const [p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0, p8 = 1] = p;
  let sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0,
    m = 0;
  for (let k = 0; k < template.length; k++) {
    const u = gridU[k]!;
    const v = gridV[k]!;
    const w = p6 * u + p7 * v + p8;
    const iv = sample(cur, (p0 * u + p1 * v + p2) / w, (p3 * u + p4 * v + p5) / w);
    const t = template[k]!;
    if (Number.isNaN(iv) || Number.isNaN(t)) continue;
    m++;
    sx += iv;
    sy += t;
    sxx += iv * iv;
    sxy += iv * t;
  }
  let gain = 1;
  let bias = 0;
  const varI = sxx - (sx * sx) / Math.max(1, m);
  if (m > 16 && varI > 1e-6) {
    gain = (sxy - (sx * sy) / m) / varI;
    bias = (sy - gain * sx) / m;
  }
  return { gain, bias };
}

/**
 * The normal equations (upper triangle of JᵀJ, and Jᵀr) of one Gauss–Newton step at the warp `p`;
 * answers how many grid points were inside the image.
 */
function normalEquations(cur: GrayImage, p: Homography, gain: number, bias: number, s: FitScratch): number {
  const { template, jtj, jtr, row } = s;
  const n = PARAMS;
  const [p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0] = p;
  jtj.fill(0);
  jtr.fill(0);
  let used = 0;
  for (let k = 0; k < template.length; k++) {
    const t = template[k]!;
    const u = gridU[k]!;
    const v = gridV[k]!;
    const a = p0 * u + p1 * v + p2;
    const b = p3 * u + p4 * v + p5;
    const w = p6 * u + p7 * v + 1;
    const x = a / w;
    const y = b / w;
    const iv = sample(cur, x, y);
    if (Number.isNaN(iv) || Number.isNaN(t)) continue;
    const gx = (sample(cur, x + 1, y) - sample(cur, x - 1, y)) / 2;
    const gy = (sample(cur, x, y + 1) - sample(cur, x, y - 1)) / 2;
    if (Number.isNaN(gx) || Number.isNaN(gy)) continue;
    used++;
    // gx·∂x/∂p + gy·∂y/∂p for the 8 homography entries; the zero terms are kept so that each
    // entry is computed exactly as in the plain per-point form.
    row[0] = gain * (gx * (u / w) + gy * 0);
    row[1] = gain * (gx * (v / w) + gy * 0);
    row[2] = gain * (gx * (1 / w) + gy * 0);
    row[3] = gain * (gx * 0 + gy * (u / w));
    row[4] = gain * (gx * 0 + gy * (v / w));
    row[5] = gain * (gx * 0 + gy * (1 / w));
    row[6] = gain * (gx * ((-x * u) / w) + gy * ((-y * u) / w));
    row[7] = gain * (gx * ((-x * v) / w) + gy * ((-y * v) / w));
    row[8] = iv;
    row[9] = 1;
    const res = gain * iv + bias - t;
    for (let q = 0; q < n; q++) {
      const rq = row[q]!;
      jtr[q]! += rq * res;
      // JᵀJ is symmetric: the upper triangle here, mirrored in levenbergStep.
      for (let z = q; z < n; z++) jtj[q * n + z]! += rq * row[z]!;
    }
  }
  return used;
}

/** The damped step of the normal equations (Levenberg damping keeps a step from throwing the patch off the face). */
function levenbergStep(s: FitScratch): number[] | null {
  const n = PARAMS;
  const { jtj, jtr } = s;
  const normal: number[][] = [];
  for (let q = 0; q < n; q++) {
    const line = new Array<number>(n);
    for (let z = 0; z < n; z++) line[z] = z >= q ? jtj[q * n + z]! : jtj[z * n + q]!;
    line[q] = line[q]! * 1.01 + 1e-9;
    normal.push(line);
  }
  return solveLinear(
    normal,
    Array.from(jtr, (v) => -v),
    1e-12,
  );
}

/**
 * Aligns the face patch (`box` of `reference`) onto `current` with the best homography, starting
 * from `initial` (reference → current pixels, e.g. the landmark fit), and reports what is left.
 * Gain and offset changes (auto-exposure) do not count: the residual is correlation-based and the
 * Gauss–Newton model includes a gain and a bias.
 *
 * It runs on core's main thread while the patient, back at frontal, waits for the pass: the inner
 * loops allocate nothing (typed arrays, the normal equations' upper triangle) and sit in small
 * functions the JIT optimises early; the arithmetic, and so the residual, is the same as the
 * plain per-point form's (tests/unit/presence-homography.test.ts).
 */
export function photometricPlanarFit(
  reference: GrayImage,
  box: Box,
  current: GrayImage,
  initial: Homography,
): PhotometricFit {
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
  const count = gridU.length;
  // Where each grid point falls in the reference (toPixels is affine: w = 1).
  const refX = new Float64Array(count);
  const refY = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const u = gridU[k]!;
    const v = gridV[k]!;
    refX[k] = (hw * u + 0 * v + cx) / (0 * u + 0 * v + 1);
    refY[k] = (0 * u + hh * v + cy) / (0 * u + 0 * v + 1);
  }
  const scratch: FitScratch = {
    template: new Float32Array(count),
    jtj: new Float64Array(PARAMS * PARAMS),
    jtr: new Float64Array(PARAMS),
    row: new Float64Array(PARAMS),
  };

  const faceScale = Math.max(box.width, box.height);
  for (const level of [0.08, 0.04, 0.02, 0]) {
    const r = Math.round(level * faceScale);
    const ref = blurred(reference, r);
    const cur = blur(current, r);
    for (let k = 0; k < count; k++) scratch.template[k] = sample(ref, refX[k]!, refY[k]!);
    for (let it = 0; it < 12; it++) {
      const { gain, bias } = gainBias(cur, scratch.template, p);
      if (normalEquations(cur, p, gain, bias, scratch) < 64) break;
      const step = levenbergStep(scratch);
      if (!step) break;
      const next = p.slice();
      for (let q = 0; q < 8; q++) next[q] = (next[q] ?? 0) + (step[q] ?? 0);
      p = next;
      const moved = Math.hypot(step[2] ?? 0, step[5] ?? 0);
      if (moved < 0.01) break;
    }
  }

  const templateFull = new Float32Array(count);
  const warped = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    const u = gridU[k]!;
    const v = gridV[k]!;
    const [x, y] = apply(toPixels, [u, v]);
    templateFull[k] = sample(reference, x, y);
    const [cx2, cy2] = apply(p, [u, v]);
    warped[k] = sample(current, cx2, cy2);
  }
  return { residual: 1 - ncc(templateFull, warped), homography: multiply(p, invert(toPixels)) };
}

/** The landmark homography (reference → current) used to start the alignment. */
export function landmarkHomography(from: readonly Point[], to: readonly Point[]): Homography {
  return fitHomographyDlt(from, to);
}
