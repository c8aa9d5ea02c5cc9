/**
 * Face alignment as recognition nets are trained: a least-squares similarity transform (rotation,
 * uniform scale, translation; no shear) from five landmarks of the face to a model's template
 * (Umeyama 1991, closed form in 2-D), used to warp the face into the model's input crop.
 *
 * The five points come from the 68-point landmarks: the centre of each eye (mean of its six
 * points), the nose tip (30) and the mouth corners (48, 54), in the order of the ArcFace template.
 */

/** An image point in pixels, (x, y); the one Point of core (presence's homographies use it too). */
export type Point = readonly [number, number];

/** The standard 112×112 ArcFace / InsightFace template: left eye, right eye, nose tip, left and right mouth corner (image left first). */
export const ARCFACE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * face-api's own 150×150 chip (its `useDlibAlignment` box) as a 5-point template: the box is square,
 * centred at (0.5, 0.43) of its side on the centroid of the eye centres and the mouth centre, with an
 * eye-to-mouth distance of 0.45 of its side. The ArcFace template mapped by the similarity that puts
 * its eye and mouth centres there gives the other points, so a face warped onto this template looks
 * like face-api's crop of an upright face, with the roll taken out.
 */
export const FACEAPI_CHIP_150: readonly Point[] = (() => {
  const side = 150;
  const [le, re, , lm, rm] = ARCFACE_112 as [Point, Point, Point, Point, Point];
  const eyeMid: Point = [(le[0] + re[0]) / 2, (le[1] + re[1]) / 2];
  const mouthMid: Point = [(lm[0] + rm[0]) / 2, (lm[1] + rm[1]) / 2];
  const eyeToMouth = Math.hypot((re[0] - le[0]) / 2, mouthMid[1] - eyeMid[1]);
  const scale = (0.45 * side) / eyeToMouth;
  const h = (mouthMid[1] - eyeMid[1]) * scale;
  // Centroid of (left eye, right eye, mouth centre) at 0.43 of the side: eye line one third of h above it.
  const eyeY = 0.43 * side - h / 3;
  return ARCFACE_112.map(([x, y]): Point => [(x - eyeMid[0]) * scale + side / 2, (y - eyeMid[1]) * scale + eyeY]);
})();

/** The five alignment points from 68 landmarks (iBUG 300-W order); image-left eye first. */
export function fivePoints(landmarks: ReadonlyArray<readonly [number, number]>): Point[] {
  if (landmarks.length !== 68) throw new Error(`fivePoints needs 68 landmarks, got ${landmarks.length}`);
  const mean = (from: number, to: number): Point => {
    let x = 0;
    let y = 0;
    for (let i = from; i <= to; i++) {
      x += (landmarks[i] as readonly [number, number])[0];
      y += (landmarks[i] as readonly [number, number])[1];
    }
    const n = to - from + 1;
    return [x / n, y / n];
  };
  const at = (i: number): Point => [
    (landmarks[i] as readonly [number, number])[0],
    (landmarks[i] as readonly [number, number])[1],
  ];
  return [mean(36, 41), mean(42, 47), at(30), at(48), at(54)];
}

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty (a = s·cos θ, b = s·sin θ). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** The least-squares similarity mapping `from` onto `to` (Umeyama, 2-D, reflection excluded). */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  const n = from.length;
  if (n < 2 || to.length !== n)
    throw new Error('estimateSimilarity needs two equally long lists of at least two points');
  let mx = 0;
  let my = 0;
  let ux = 0;
  let uy = 0;
  for (let i = 0; i < n; i++) {
    mx += (from[i] as Point)[0] / n;
    my += (from[i] as Point)[1] / n;
    ux += (to[i] as Point)[0] / n;
    uy += (to[i] as Point)[1] / n;
  }
  // In 2-D the optimal rotation and scale have a closed form: with centred points p (from) and q (to),
  // a = Σ(p·q) / Σ|p|², b = Σ(p×q) / Σ|p|² (this is Umeyama's solution; the determinant is always +1).
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = (from[i] as Point)[0] - mx;
    const py = (from[i] as Point)[1] - my;
    const qx = (to[i] as Point)[0] - ux;
    const qy = (to[i] as Point)[1] - uy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm < 1e-9) throw new Error('estimateSimilarity: the source points coincide');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: ux - (a * mx - b * my), ty: uy - (b * mx + a * my) };
}

export function applySimilarity(t: Similarity, [x, y]: Point): Point {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/**
 * The 8 numbers tf.image.transform takes for an output (crop) → input (frame) projective map
 * [a0, a1, a2, b0, b1, b2, c0, c1]: input (x, y) = (a0·x' + a1·y' + a2, b0·x' + b1·y' + b2) for the
 * crop pixel (x', y'). `frameToCrop` is the similarity that aligns the face.
 */
export function cropToFrameTransform(
  frameToCrop: Similarity,
): [number, number, number, number, number, number, number, number] {
  const inv = invertSimilarity(frameToCrop);
  return [inv.a, -inv.b, inv.tx, inv.b, inv.a, inv.ty, 0, 0];
}
