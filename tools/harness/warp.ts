import { spawnSync } from 'node:child_process';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { invert, multiply, type Homography } from '../../electron/core/presence/homography.js';

/**
 * Synthesised spoofs for the presence tests: a printed photo held in front of the camera and
 * rotated or tilted. A flat print seen through a pinhole moves by a homography, so every view is
 * the fixture photo warped by one (inverse mapping with bilinear sampling). Decode fixtures with
 * tools/harness/images.ts.
 */

export interface PlaneView {
  /** Rotation of the print about its vertical axis (degrees); positive turns its right edge away. */
  yawDeg?: number;
  /** Rotation about its horizontal axis (degrees). */
  pitchDeg?: number;
  /** In-plane rotation (degrees). */
  rollDeg?: number;
  /** Camera focal length in pixels; a webcam with a ~60° field of view has about 0.87 × width. */
  focalPx?: number;
  /** Distance of the print from the camera, in focal lengths (1 = the print fills the frame). */
  distance?: number;
  /** Shift of the print in the image, pixels. */
  shift?: [number, number];
}

/**
 * The homography taking pixels of the flat print (the frame at rest) to the camera image when the
 * print is rotated about its centre: H = K [r1 r2 t] T, with T moving the centre to the origin.
 */
export function planeHomography(width: number, height: number, view: PlaneView): Homography {
  const rad = Math.PI / 180;
  const f = view.focalPx ?? 0.87 * width;
  const d = (view.distance ?? 1) * f;
  const cx = width / 2;
  const cy = height / 2;
  const [a, b, c] = [(view.yawDeg ?? 0) * rad, (view.pitchDeg ?? 0) * rad, (view.rollDeg ?? 0) * rad];
  const ry = [Math.cos(a), 0, Math.sin(a), 0, 1, 0, -Math.sin(a), 0, Math.cos(a)];
  const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
  const rz = [Math.cos(c), -Math.sin(c), 0, Math.sin(c), Math.cos(c), 0, 0, 0, 1];
  const r = multiply(ry, multiply(rx, rz));
  // Scale the print so that at rest (no rotation) it maps onto the frame 1:1 at distance d.
  const s = d / f;
  const [sx, sy] = view.shift ?? [0, 0];
  const rt = [
    (r[0] ?? 0) * s,
    (r[1] ?? 0) * s,
    0,
    (r[3] ?? 0) * s,
    (r[4] ?? 0) * s,
    0,
    (r[6] ?? 0) * s,
    (r[7] ?? 0) * s,
    d,
  ];
  const k = [f, 0, cx + sx, 0, f, cy + sy, 0, 0, 1];
  const t = [1, 0, -cx, 0, 1, -cy, 0, 0, 1];
  return multiply(k, multiply(rt, t));
}

/** Bilinear sample of channel `ch` at (u, v), which must lie inside the frame. */
export function sampleRgba(frame: RgbaFrame, u: number, v: number, ch: number): number {
  const x0 = Math.floor(u);
  const y0 = Math.floor(v);
  const x1 = Math.min(x0 + 1, frame.width - 1);
  const y1 = Math.min(y0 + 1, frame.height - 1);
  const fx = u - x0;
  const fy = v - y0;
  const p = (xx: number, yy: number): number => frame.data[(yy * frame.width + xx) * 4 + ch] ?? 0;
  return Math.round(
    p(x0, y0) * (1 - fx) * (1 - fy) + p(x1, y0) * fx * (1 - fy) + p(x0, y1) * (1 - fx) * fy + p(x1, y1) * fx * fy,
  );
}

/** Renders the print under `srcToDst` by inverse mapping with bilinear sampling; outside is a grey wall. */
export function warpFrame(src: RgbaFrame, srcToDst: Homography, background = 96): RgbaFrame {
  const { width, height } = src;
  const inv = invert(srcToDst);
  const out = new Uint8Array(width * height * 4);
  const [h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0, h7 = 0, h8 = 1] = inv;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = h6 * x + h7 * y + h8;
      const u = (h0 * x + h1 * y + h2) / w;
      const v = (h3 * x + h4 * y + h5) / w;
      const o = (y * width + x) * 4;
      if (w <= 0 || u < 0 || v < 0 || u > width - 1 || v > height - 1) {
        out[o] = out[o + 1] = out[o + 2] = background;
        out[o + 3] = 255;
        continue;
      }
      for (let ch = 0; ch < 4; ch++) out[o + ch] = sampleRgba(src, u, v, ch);
    }
  }
  return { width, height, data: out };
}

/** Adds seeded sensor noise (±amplitude per channel) so repeated frames are not bit-identical. */
export function addNoise(frame: RgbaFrame, amplitude: number, random: () => number): RgbaFrame {
  const out = new Uint8Array(frame.data);
  for (let i = 0; i < out.length; i++) {
    if (i % 4 === 3) continue;
    out[i] = Math.max(0, Math.min(255, (out[i] ?? 0) + Math.round((random() * 2 - 1) * amplitude)));
  }
  return { width: frame.width, height: frame.height, data: out };
}

/**
 * A camera-like frame (`width`×`height`) cut from a photo so that the face `box` (pixels of the
 * photo) is centred (or at `centre`) and `faceWidthRatio` of the frame wide: the patient standing
 * where the kiosk wants them, or a photo held where someone else's face is. Parts outside the photo
 * are grey.
 */
export async function frameAroundFace(
  photo: RgbaFrame,
  box: { x: number; y: number; width: number; height: number },
  options: { width?: number; height?: number; faceWidthRatio?: number; centre?: [number, number] } = {},
): Promise<RgbaFrame> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const scale = ((options.faceWidthRatio ?? 0.35) * width) / box.width;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // Where the face centre lands in the frame (default: the middle).
  const [tx, ty] = options.centre ?? [width / 2, height / 2];
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = cx + (x - tx) / scale;
      const v = cy + (y - ty) / scale;
      const o = (y * width + x) * 4;
      out[o + 3] = 255;
      if (u < 0 || v < 0 || u > photo.width - 1 || v > photo.height - 1) {
        out[o] = out[o + 1] = out[o + 2] = 128;
        continue;
      }
      for (let ch = 0; ch < 3; ch++) out[o + ch] = sampleRgba(photo, u, v, ch);
    }
  }
  return { width, height, data: out };
}

/**
 * Frames `from`..`to` (inclusive, 0-based) of a video as RGBA, decoded by ffmpeg; `filter` is an
 * ffmpeg video filter applied first (e.g. a fixed crop and scale, like a tighter camera).
 */
export function videoFrames(
  file: string,
  from: number,
  to: number,
  size: { width: number; height: number },
  filter?: string,
): RgbaFrame[] {
  const select = `select='between(n\\,${from}\\,${to})'`;
  const vf = [filter, select].filter(Boolean).join(',');
  const result = spawnSync(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-vf', vf, '-vsync', '0', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'],
    {
      maxBuffer: 1 << 30,
    },
  );
  if (result.status !== 0) throw new Error(`ffmpeg could not decode ${file}: ${result.stderr.toString().trim()}`);
  const bytes = size.width * size.height * 4;
  const out: RgbaFrame[] = [];
  for (let o = 0; o + bytes <= result.stdout.length; o += bytes) {
    out.push({ width: size.width, height: size.height, data: new Uint8Array(result.stdout.subarray(o, o + bytes)) });
  }
  return out;
}
