/**
 * Pose and quality measures computed from the 68 landmarks and the frame's pixels: plain
 * arithmetic, no tensors, so they are cheap and unit-testable on their own.
 */
import type { Box, Pose, Quality, RgbaFrame } from './types.js';

type Pt = [number, number];

const mean = (pts: Pt[]): Pt => {
  let x = 0;
  let y = 0;
  for (const p of pts) {
    x += p[0];
    y += p[1];
  }
  return [x / pts.length, y / pts.length];
};
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
const deg = (rad: number): number => (rad * 180) / Math.PI;

/**
 * Nose-tip depth relative to half the face width (jaw contour), and the nose's vertical position
 * between eye line and chin on a frontal face. Averages of the iBUG 68-point layout on the fixture
 * photos; they turn the landmark ratios into angles.
 */
const NOSE_DEPTH = 0.6;
const NEUTRAL_NOSE_HEIGHT = 0.32;
const NOSE_PITCH_GAIN = 0.55;

/**
 * Head pose from the 2-D landmarks (weak-perspective model):
 * roll from the eye line; yaw from where the nose tip sits between the jaw contour's ends once the
 * roll is removed (the tip is in front of the jaw, so it shifts with sin(yaw)); pitch likewise from
 * its height between eye line and chin. yaw > 0: head turned to the person's left (image right);
 * pitch > 0: chin up; roll > 0: head tilted clockwise as seen in the image.
 */
export function poseFromLandmarks(landmarks: Pt[]): Pose {
  if (landmarks.length !== 68) throw new Error(`pose needs 68 landmarks, got ${landmarks.length}`);
  const at = (i: number): Pt => landmarks[i] as Pt;
  const eyeL = mean(landmarks.slice(36, 42));
  const eyeR = mean(landmarks.slice(42, 48));
  const roll = Math.atan2(eyeR[1] - eyeL[1], eyeR[0] - eyeL[0]);
  const origin = mean([eyeL, eyeR]);
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  // De-rolled coordinates relative to the eye midpoint.
  const upright = (p: Pt): Pt => {
    const dx = p[0] - origin[0];
    const dy = p[1] - origin[1];
    return [dx * cos - dy * sin, dx * sin + dy * cos];
  };
  // Four symmetric pairs of the jaw contour (0↔16 … 3↔13) and three nose points: averaging damps
  // the landmark nets' jitter (on mirrored fixture photos the yaw error halves against 0↔16 alone).
  let jawMid = 0;
  let halfWidth = 0;
  for (let k = 0; k < 4; k++) {
    const l = upright(at(k));
    const r = upright(at(16 - k));
    jawMid += (l[0] + r[0]) / 8;
    halfWidth += (r[0] - l[0]) / 8;
  }
  const noseX = (upright(at(29))[0] + upright(at(30))[0] + upright(at(33))[0]) / 3;
  const nose = upright(at(30));
  const chin = upright(at(8));
  const yaw = halfWidth > 0 ? Math.asin(clamp((noseX - jawMid) / (halfWidth * NOSE_DEPTH), -1, 1)) : 0;
  const faceHeight = chin[1];
  const pitch =
    faceHeight > 0 ? Math.asin(clamp((NEUTRAL_NOSE_HEIGHT - nose[1] / faceHeight) / NOSE_PITCH_GAIN, -1, 1)) : 0;
  return { yawDeg: round1(deg(yaw)), pitchDeg: round1(deg(pitch)), rollDeg: round1(deg(roll)) };
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Side of the square looked at around a tracked face, in multiples of the face box's larger side. */
export const TRACK_SQUARE_SCALE = 2.2;

/**
 * The square (integer frame pixels) the engine looks at around a tracked face box: `scale`× the
 * box's larger side about its centre, at most the frame's shorter side, moved to lie inside the
 * frame. Null when the box is not a usable box.
 */
export function trackedSquare(
  frame: { width: number; height: number },
  box: Box,
  scale = TRACK_SQUARE_SCALE,
): Box | null {
  const { x, y, width, height } = box;
  if (![x, y, width, height].every(Number.isFinite) || width < 1 || height < 1) return null;
  const side = Math.max(1, Math.min(Math.round(Math.max(width, height) * scale), frame.width, frame.height));
  const x0 = clamp(Math.round(x + width / 2 - side / 2), 0, frame.width - side);
  const y0 = clamp(Math.round(y + height / 2 - side / 2), 0, frame.height - side);
  return { x: x0, y: y0, width: side, height: side };
}

/**
 * True when `box` lies inside `square` with a margin on every side the square cut from the frame (a
 * side on the frame's own edge needs none): a face touching a cut side may go on outside it.
 */
export function wellInside(frame: { width: number; height: number }, square: Box, box: Box, margin: number): boolean {
  const left = square.x > 0 ? square.x + margin : -Infinity;
  const top = square.y > 0 ? square.y + margin : -Infinity;
  const right = square.x + square.width < frame.width ? square.x + square.width - margin : Infinity;
  const bottom = square.y + square.height < frame.height ? square.y + square.height - margin : Infinity;
  return box.x >= left && box.y >= top && box.x + box.width <= right && box.y + box.height <= bottom;
}

/** Clips a box to the frame; null when nothing of it is inside. */
export function clipBox(box: Box, width: number, height: number): Box | null {
  const x0 = clamp(Math.floor(box.x), 0, width);
  const y0 = clamp(Math.floor(box.y), 0, height);
  const x1 = clamp(Math.ceil(box.x + box.width), 0, width);
  const y1 = clamp(Math.ceil(box.y + box.height), 0, height);
  return x1 - x0 >= 1 && y1 - y0 >= 1 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

/**
 * Quality of one face in the frame. Sharpness is the variance of the 4-neighbour Laplacian of luma
 * (BT.601) over the face box at the frame's own resolution; brightness is the mean luma there.
 */
export function faceQuality(frame: RgbaFrame, box: Box): Quality {
  const { width, height, data } = frame;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const dx = (cx - width / 2) / (width / 2);
  const dy = (cy - height / 2) / (height / 2);
  const quality: Quality = {
    faceWidthRatio: box.width / width,
    centreOffset: Math.hypot(dx, dy),
    sharpness: 0,
    brightness: 0,
  };
  const r = clipBox(box, width, height);
  if (!r) return quality;
  const luma = new Float32Array(r.width * r.height);
  let sum = 0;
  for (let y = 0; y < r.height; y++) {
    let i = ((r.y + y) * width + r.x) * 4;
    let o = y * r.width;
    for (let x = 0; x < r.width; x++, i += 4, o++) {
      const l = 0.299 * (data[i] as number) + 0.587 * (data[i + 1] as number) + 0.114 * (data[i + 2] as number);
      luma[o] = l;
      sum += l;
    }
  }
  quality.brightness = sum / luma.length;
  if (r.width >= 3 && r.height >= 3) {
    let s = 0;
    let s2 = 0;
    let n = 0;
    for (let y = 1; y < r.height - 1; y++) {
      for (let x = 1; x < r.width - 1; x++) {
        const o = y * r.width + x;
        const lap =
          (luma[o - 1] as number) +
          (luma[o + 1] as number) +
          (luma[o - r.width] as number) +
          (luma[o + r.width] as number) -
          4 * (luma[o] as number);
        s += lap;
        s2 += lap * lap;
        n++;
      }
    }
    const m = s / n;
    quality.sharpness = s2 / n - m * m;
  }
  return quality;
}
