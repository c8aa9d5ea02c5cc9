import type { FaceAnalysis, FrameAnalysis } from '../../electron/core/face/types.js';

/**
 * Synthetic analyses for the presence policy: a rough 3-D 68-landmark head (unit face width,
 * x right, y down, z towards the camera) that can be turned and projected through a pinhole.
 * Only for the logic tests; the fixture tests use the real engine on real photos.
 */
export type Point3 = [number, number, number];

function head3d(): Point3[] {
  const pts: Point3[] = [];
  // Inner face: a shallow curved surface; the nose sticks out of it.
  const surface = (x: number, y: number, extra = 0): Point3 => [x, y, 0.05 - 0.6 * x * x + extra];
  for (let i = 0; i <= 16; i++) {
    // Jaw line from the right ear (image left) under the chin to the left ear; the ends lie far back.
    const phi = (Math.PI * i) / 16;
    pts.push([-0.48 * Math.cos(phi), 0.5 * Math.sin(phi) - 0.05, -0.05 - 0.45 * Math.cos(phi) ** 2]);
  }
  for (let i = 0; i < 5; i++) pts.push(surface(-0.38 + i * 0.075, -0.24 - 0.03 * Math.sin((Math.PI * i) / 4)));
  for (let i = 0; i < 5; i++) pts.push(surface(0.08 + i * 0.075, -0.24 - 0.03 * Math.sin((Math.PI * (4 - i)) / 4)));
  for (let i = 0; i < 4; i++) pts.push([0, -0.15 + i * 0.09, 0.05 + i * 0.09]);
  for (let i = 0; i < 5; i++) pts.push(surface(-0.1 + i * 0.05, 0.17, i === 2 ? 0.2 : 0.12));
  const eye = (cx: number, outerLeft: boolean): Point3[] => {
    const o = outerLeft ? -1 : 1;
    const xs = [cx + 0.075 * o, cx + 0.025 * o, cx - 0.025 * o, cx - 0.075 * o, cx - 0.025 * o, cx + 0.025 * o];
    const ys = [-0.1, -0.125, -0.125, -0.1, -0.08, -0.08];
    const p = xs.map((x, k) => surface(x, ys[k] ?? 0));
    return outerLeft ? p : [p[3], p[2], p[1], p[0], p[5], p[4]].map((q) => q ?? surface(0, 0));
  };
  pts.push(...eye(-0.2, true), ...eye(0.2, false));
  for (let i = 0; i < 12; i++) {
    const a = Math.PI - (2 * Math.PI * i) / 12;
    pts.push(surface(0.18 * Math.cos(a), 0.31 - 0.05 * Math.sin(a)));
  }
  for (let i = 0; i < 8; i++) {
    const a = Math.PI - (2 * Math.PI * i) / 8;
    pts.push(surface(0.12 * Math.cos(a), 0.31 - 0.02 * Math.sin(a)));
  }
  return pts;
}

export const syntheticHead: readonly Point3[] = head3d();

export interface ViewOptions {
  /** Person's own left is positive (face/types.ts convention). */
  yawDeg?: number;
  pitchDeg?: number;
  /** Make every point flat (z = 0): a photo of the face. */
  flat?: boolean;
  /** Face width in pixels and where its centre is. */
  faceWidthPx?: number;
  centre?: [number, number];
  /** Camera distance in face widths. */
  distance?: number;
  /** Gaussian landmark noise, in pixels. */
  noisePx?: number;
  random?: () => number;
}

/** Projects the synthetic head (turned about a vertical axis behind the face, as a neck does). */
export function viewHead(options: ViewOptions = {}): Array<[number, number]> {
  const yaw = ((options.yawDeg ?? 0) * Math.PI) / 180;
  const pitch = ((options.pitchDeg ?? 0) * Math.PI) / 180;
  const w = options.faceWidthPx ?? 200;
  const [cx, cy] = options.centre ?? [320, 240];
  const d = options.distance ?? 3.3;
  const pivot = options.flat ? 0 : -0.5;
  const rnd = options.random ?? Math.random;
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  return syntheticHead.map(([x, y, z0]) => {
    const z = (options.flat ? 0 : z0) - pivot;
    // Turning to the person's left moves the nose towards image right (+x) under this convention.
    const x1 = x * Math.cos(yaw) + z * Math.sin(yaw);
    const z1 = -x * Math.sin(yaw) + z * Math.cos(yaw);
    const y2 = y * Math.cos(pitch) - z1 * Math.sin(pitch);
    const z2 = y * Math.sin(pitch) + z1 * Math.cos(pitch) + pivot;
    const s = (w * d) / (d - z2);
    const noise = options.noisePx ?? 0;
    return [cx + x1 * s + noise * gauss(), cy + y2 * s + noise * gauss()];
  });
}

/** A seeded generator so the synthetic noise is the same on every run. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaceOptions extends ViewOptions {
  frame?: [number, number];
  sharpness?: number;
  brightness?: number;
  score?: number;
}

/** A one-face analysis as the engine would answer it, built from the synthetic head. */
export function syntheticFace(options: FaceOptions = {}): FaceAnalysis {
  const [fw, fh] = options.frame ?? [640, 480];
  const landmarks = viewHead(options);
  const xs = landmarks.map((p) => p[0]);
  const ys = landmarks.map((p) => p[1]);
  const box = {
    x: Math.min(...xs),
    y: Math.min(...ys),
    width: Math.max(...xs) - Math.min(...xs),
    height: Math.max(...ys) - Math.min(...ys),
  };
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return {
    box,
    score: options.score ?? 0.95,
    landmarks,
    pose: { yawDeg: options.yawDeg ?? 0, pitchDeg: options.pitchDeg ?? 0, rollDeg: 0 },
    quality: {
      faceWidthRatio: box.width / fw,
      centreOffset: Math.hypot((cx - fw / 2) / (fw / 2), (cy - fh / 2) / (fh / 2)),
      sharpness: options.sharpness ?? 100,
      brightness: options.brightness ?? 120,
    },
  };
}

export function frameOf(faces: FaceAnalysis[], frame: [number, number] = [640, 480]): FrameAnalysis {
  return { width: frame[0], height: frame[1], faces, ms: 20 };
}
