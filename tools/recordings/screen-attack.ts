/**
 * Replay and print attacks rendered from real recordings, as a camera would see them: the recording
 * shown on a phone (bezel in view) or a tablet (filling the frame), or one frame of it printed on
 * photo paper (held flat, bent, or moved). A small physical model, in millimetres and linear light,
 * rather than filters tuned to a detector:
 *
 * - geometry: a 60° webcam; the medium is a plane (or a bent sheet) at a distance, tilted and
 *   shifted by a hand's slow tremor; each camera sample is a ray intersected with it;
 * - a screen **emits**: its own gamma (2.4 against the camera's 2.2), a black level from the room's
 *   light reflected by the glass, a specular glare spot that moves with the screen, and its pixel
 *   grid (RGB stripes) attenuated by the camera lens's MTF at the grid's frequency in camera pixels
 *   (a 400 ppi phone at 18 cm is finer than the lens resolves: no moiré; a 132 ppi tablet at 16 cm
 *   is near the camera's pitch: faint moiré, as the optics say, no more);
 * - a print **reflects** the room's light: ink limits its dynamic range (paper white 0.85, ink black
 *   0.04 in linear reflectance), paper fibres add a fixed texture, a bent sheet is shaded by the
 *   light's angle, a glossy sheet shows a weak glare;
 * - the camera: auto-exposure to a mid-grey mean, shot and read noise scaled by the gain, gamma 2.2,
 *   rendered at 2× and averaged over each output pixel (the sensor's area) where a screen's grid is
 *   near the sensor's pitch.
 *
 * Two rooms: `office` (bright) and `dim` (40 % of the light: more gain, more noise, a brighter-looking
 * screen against a darker room). Frames are made in memory and never written except by the caller.
 */
import type { FaceEngine, RgbaFrame } from '../../electron/core/face/types.js';
import { kioskCadence, recordingFrames, type RecordingOptions } from '../eval/presence/recording.js';
import { seeded } from '../harness/presence.js';

export const mediumKinds = ['replay-phone', 'replay-tablet', 'print-flat', 'print-curved', 'print-moving'] as const;
export type MediumKind = (typeof mediumKinds)[number];
export const lightings = ['office', 'dim'] as const;
export type Lighting = (typeof lightings)[number];

interface Medium {
  /** Active area (the picture), mm. */
  width: number;
  height: number;
  /** Body around the picture (phone bezel and case, print's white border), mm each side. */
  border: number;
  /** Distance from the camera, mm. */
  distance: number;
  /** The picture is the content zoomed this much about the face (the attacker fills the screen with the face). */
  zoom: number;
  emissive: boolean;
  /** Screen pixels per mm (pixel grid), screens only. */
  pxPerMm?: number;
  /** Bend radius, mm (a print bent about its vertical axis). */
  bendRadius?: number;
  /** Tremor amplitude (deg, mm), and a slow deliberate turn for the moving print. */
  tremorDeg: number;
  tremorMm: number;
  turnDeg?: number;
}

const MEDIA: Record<MediumKind, Medium> = {
  // A 6.1" 400 ppi phone held landscape 15 cm from the camera, the video filling its width; body in view.
  // Held steady (elbows on the counter): an attacker who wants the hold to pass keeps it still.
  'replay-phone': {
    width: 140,
    height: 65,
    border: 6,
    distance: 155,
    zoom: 1,
    emissive: true,
    pxPerMm: 15.7,
    tremorDeg: 1,
    tremorMm: 0.8,
  },
  // A 10" 132 ppi tablet held close enough to fill the frame (no edge in view).
  'replay-tablet': {
    width: 200,
    height: 150,
    border: 12,
    distance: 155,
    zoom: 1,
    emissive: true,
    pxPerMm: 5.2,
    tremorDeg: 1,
    tremorMm: 0.8,
  },
  'print-flat': {
    width: 280,
    height: 210,
    border: 8,
    distance: 450,
    zoom: 1.6,
    emissive: false,
    tremorDeg: 2,
    tremorMm: 3,
  },
  'print-curved': {
    width: 280,
    height: 210,
    border: 8,
    distance: 450,
    zoom: 1.6,
    emissive: false,
    bendRadius: 220,
    tremorDeg: 2,
    tremorMm: 3,
  },
  'print-moving': {
    width: 280,
    height: 210,
    border: 8,
    distance: 450,
    zoom: 1.6,
    emissive: false,
    tremorDeg: 3,
    tremorMm: 8,
    turnDeg: 28,
  },
};

const ROOM: Record<Lighting, { ambient: number; glare: number }> = {
  office: { ambient: 1, glare: 0.35 },
  dim: { ambient: 0.4, glare: 0.15 },
};

/** sRGB-ish 0–255 → linear. */
const LIN = Float32Array.from({ length: 256 }, (_, i) => (i / 255) ** 2.2);
const LIN_SCREEN = Float32Array.from({ length: 256 }, (_, i) => (i / 255) ** 2.4);
/** Linear 0–1 (4,096 steps) → the camera's 0–255 (gamma 2.2). */
const ENCODE = Uint8Array.from({ length: 4096 }, (_, i) => Math.round(255 * (i / 4095) ** (1 / 2.2)));

export interface MediumView {
  kind: MediumKind;
  lighting: Lighting;
  seed: number;
  /** Centre of the face in the content frame (px), to zoom about; default the frame's centre. */
  faceCentre?: [number, number];
}

type Vec = [number, number, number];
const rot = (yaw: number, pitch: number, roll: number): number[] => {
  const [a, b, c] = [yaw, pitch, roll].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const ry = [Math.cos(a), 0, Math.sin(a), 0, 1, 0, -Math.sin(a), 0, Math.cos(a)];
  const rx = [1, 0, 0, 0, Math.cos(b), -Math.sin(b), 0, Math.sin(b), Math.cos(b)];
  const rz = [Math.cos(c), -Math.sin(c), 0, Math.sin(c), Math.cos(c), 0, 0, 0, 1];
  const m = (p: number[], q: number[]): number[] =>
    Array.from({ length: 9 }, (_, k) => {
      const i = Math.floor(k / 3);
      const j = k % 3;
      return (
        (p[i * 3] as number) * (q[j] as number) +
        (p[i * 3 + 1] as number) * (q[3 + j] as number) +
        (p[i * 3 + 2] as number) * (q[6 + j] as number)
      );
    });
  return m(ry, m(rx, rz));
};
const col = (r: number[], j: number): Vec => [r[j] as number, r[3 + j] as number, r[6 + j] as number];
const dot = (p: Vec, q: Vec): number => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];

/** Tremor: a few slow sinusoids with random phases per axis (a hand, ~0.3–1.5 Hz). */
function handTremor(random: () => number): (axis: number, t: number) => number {
  const waves = Array.from({ length: 5 }, () =>
    Array.from({ length: 3 }, () => ({ f: 0.3 + random() * 1.2, p: random() * 2 * Math.PI })),
  );
  return (axis: number, t: number): number =>
    (waves[axis] ?? []).reduce((s, w) => s + Math.sin(2 * Math.PI * w.f * t + w.p), 0) / 2;
}

/** Lens blur σ ≈ 0.4 sample px: the grid's contrast after the lens at its frequency (cycles per sample px). */
function gridContrastOf(medium: (typeof MEDIA)[MediumKind], W: number): number {
  return medium.pxPerMm
    ? 0.5 *
        Math.exp(-2 * Math.PI ** 2 * 0.16 * (medium.pxPerMm / (W / (2 * medium.distance * Math.tan(Math.PI / 6)))) ** 2)
    : 0;
}

/** The content's linear light at (cu, cv), bilinear between its four pixels, per channel. */
function bilinear(d: Uint8Array | Uint8ClampedArray, cw: number, table: Float32Array, cu: number, cv: number): Vec {
  const x0 = Math.floor(cu);
  const y0 = Math.floor(cv);
  const fx = cu - x0;
  const fy = cv - y0;
  const i00 = (y0 * cw + x0) * 4;
  const i10 = i00 + cw * 4;
  const w00 = (1 - fx) * (1 - fy);
  const w01 = fx * (1 - fy);
  const w10 = (1 - fx) * fy;
  const w11 = fx * fy;
  const channel = (c: number): number =>
    (table[d[i00 + c] as number] as number) * w00 +
    (table[d[i00 + 4 + c] as number] as number) * w01 +
    (table[d[i10 + c] as number] as number) * w10 +
    (table[d[i10 + 4 + c] as number] as number) * w11;
  return [channel(0), channel(1), channel(2)];
}

/**
 * The camera's side of one frame: auto-exposure (`exposure`: the previous frame's gain, 0 at first),
 * the samples averaged per output pixel, shot and read noise, the camera's gamma.
 */
function cameraFrame(
  linear: Float32Array,
  sum: number,
  grid: { W: number; H: number; S: number },
  out: { width: number; height: number },
  exposure: number,
  random: () => number,
): { frame: RgbaFrame; exposure: number } {
  const { W, H, S } = grid;
  // Auto-exposure to a mid-grey mean (0.18 linear), smoothed over frames; gain sets the noise.
  const target = 0.18 / Math.max(1e-4, sum / (W * H));
  const exposed = exposure === 0 ? target : exposure * 0.7 + target * 0.3;
  const gain = exposed;
  const frame: RgbaFrame = { width: out.width, height: out.height, data: new Uint8Array(out.width * out.height * 4) };
  // Approximately normal, σ = 1 (a triangular variate, scaled).
  const noise = (): number => (random() + random() - 1) * 2.449;
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      for (let c = 0; c < 3; c++) {
        let acc = 0;
        for (let sy = 0; sy < S; sy++)
          for (let sx = 0; sx < S; sx++) acc += linear[((y * S + sy) * W + x * S + sx) * 3 + c] as number;
        let v = (acc / (S * S)) * gain;
        // Shot noise ∝ √(signal·gain), read noise ∝ gain (photon counts: 1.0 linear ≈ 2,000 e⁻ at gain 1).
        v += noise() * Math.sqrt((Math.max(0, v) * gain) / 2000) * 0.8 + noise() * 0.0009 * gain;
        v = Math.min(1, Math.max(0, v));
        frame.data[(y * out.width + x) * 4 + c] = ENCODE[Math.round(v * 4095)] as number;
      }
      frame.data[(y * out.width + x) * 4 + 3] = 255;
    }
  }
  return { frame, exposure: exposed };
}

/** A renderer for one presentation: call it with each content frame and its time (s). */
export function createMediumRenderer(
  view: MediumView,
  out: { width: number; height: number } = { width: 480, height: 360 },
) {
  const medium = MEDIA[view.kind];
  const room = ROOM[view.lighting];
  const random = seeded(view.seed);
  const tremor = handTremor(random);
  // Samples per output pixel per axis: 2 (the sensor's native pitch, as the pixel grid needs) for a
  // screen with a visible grid, else 1 (nothing finer than an output pixel to integrate).
  const S = medium.pxPerMm && medium.pxPerMm < 10 ? 2 : 1;
  const W = out.width * S;
  const H = out.height * S;
  const f = (0.5 * W) / Math.tan(Math.PI / 6); // 60° horizontal field of view
  const bodyW = medium.width / 2 + medium.border;
  const bodyH = medium.height / 2 + medium.border;
  // Paper fibres: a fixed texture in paper coordinates (0.5 mm cells), ±3 %.
  const fibre = Float32Array.from({ length: 1024 * 1024 }, () => (random() - 0.5) * 0.06);
  // Glare: a spot of the room's light reflected at a fixed place on the medium (moves with it).
  const glareAt: [number, number] = [(random() - 0.3) * medium.width * 0.4, (random() - 0.6) * medium.height * 0.4];
  const glareSigma = medium.width * (0.12 + random() * 0.08);
  const gridContrast = gridContrastOf(medium, W);
  let exposure = 0;
  const linear = new Float32Array(W * H * 3);

  return (content: RgbaFrame, t: number): RgbaFrame => {
    const yaw = medium.tremorDeg * tremor(0, t) + (medium.turnDeg ?? 0) * Math.sin((2 * Math.PI * t) / 4);
    const pitch = medium.tremorDeg * tremor(1, t);
    const roll = medium.tremorDeg * 0.5 * tremor(2, t);
    const r = rot(yaw, pitch, roll);
    const ex = col(r, 0);
    const ey = col(r, 1);
    const n = col(r, 2);
    const p0: Vec = [medium.tremorMm * tremor(3, t), medium.tremorMm * tremor(4, t), medium.distance];
    const np0 = dot(n, p0);
    const [fcx, fcy] = view.faceCentre ?? [content.width / 2, content.height / 2];
    // Content px per mm of the active area (the picture fills it at `zoom` about the face).
    const cpm = content.width / medium.zoom / medium.width;
    const light: Vec = [0.3, -0.5, -0.81]; // towards the light, for a bent print's shading
    let sum = 0;
    const [exx, exy, exz] = ex;
    const [eyx, eyy, eyz] = ey;
    const [nx, ny, nz] = n;
    const [px0, py0, pz0] = p0;
    const table = medium.emissive ? LIN_SCREEN : LIN;
    const d = content.data;
    const cw = content.width;
    const tint0 = 1;
    const tint1 = 0.98;
    const tint2 = 0.93;
    const fibreAt = (lx: number, ly: number): number =>
      fibre[((Math.floor((ly + 500) * 2) & 1023) << 10) | (Math.floor((lx + 500) * 2) & 1023)] as number;
    const glareK = medium.emissive ? room.glare : room.glare * 0.35;
    const inv2s2 = 1 / (2 * glareSigma * glareSigma);
    for (let y = 0; y < H; y++) {
      const ry = (y + 0.5 - H / 2) / f;
      for (let x = 0; x < W; x++) {
        const rx = (x + 0.5 - W / 2) / f;
        const o = (y * W + x) * 3;
        const nr = nx * rx + ny * ry + nz;
        let tHit = np0 / nr;
        let dx = rx * tHit - px0;
        let dy = ry * tHit - py0;
        let dz = tHit - pz0;
        let lx = dx * exx + dy * exy + dz * exz;
        let ly = dx * eyx + dy * eyy + dz * eyz;
        let shade = 1;
        if (medium.bendRadius) {
          // A sheet bent back about its vertical axis: refine the hit on the bent surface (3 steps).
          const rho = medium.bendRadius;
          for (let k = 0; k < 3; k++) {
            const sag = rho - Math.sqrt(Math.max(0, rho * rho - lx * lx));
            tHit = (np0 + sag) / nr;
            dx = rx * tHit - px0;
            dy = ry * tHit - py0;
            dz = tHit - pz0;
            lx = dx * exx + dy * exy + dz * exz;
            ly = dx * eyx + dy * eyy + dz * eyz;
          }
          const a = Math.asin(Math.max(-1, Math.min(1, lx / rho)));
          const ca = Math.cos(a);
          const sa = Math.sin(a);
          shade = Math.max(
            0.15,
            (-nx * ca + exx * sa) * light[0] + (-ny * ca + exy * sa) * light[1] + (-nz * ca + exz * sa) * light[2],
          );
          lx = rho * a; // arc length
        } else if (!medium.emissive) {
          shade = Math.max(0.15, -(nx * light[0] + ny * light[1] + nz * light[2]));
        }
        if (tHit <= 0 || Math.abs(lx) > bodyW || Math.abs(ly) > bodyH) {
          // The room behind: a wall with a soft gradient.
          const wall = room.ambient * (0.12 + 0.05 * (y / H) + 0.03 * (x / W));
          linear[o] = wall;
          linear[o + 1] = wall * 0.98;
          linear[o + 2] = wall * 0.92;
          sum += wall;
          continue;
        }
        const inPicture = Math.abs(lx) <= medium.width / 2 && Math.abs(ly) <= medium.height / 2;
        const glare = glareK * Math.exp(-((lx - glareAt[0]) ** 2 + (ly - glareAt[1]) ** 2) * inv2s2);
        let r0: number;
        let r1: number;
        let r2: number;
        if (!inPicture) {
          // Phone body / print border.
          const refl = medium.emissive ? 0.04 : 0.85 * (1 + fibreAt(lx, ly));
          r0 = r1 = room.ambient * refl * shade;
          r2 = r0 * 0.97;
        } else {
          const cu = Math.min(cw - 1.001, Math.max(0, fcx + lx * cpm));
          const cv = Math.min(content.height - 1.001, Math.max(0, fcy + ly * cpm));
          const [p0, p1, p2] = bilinear(d, cw, table, cu, cv);
          if (medium.emissive) {
            // Screen: emitted light (independent of the room) + the room reflected by the glass.
            const ppm = medium.pxPerMm ?? 0;
            const su = (lx + medium.width / 2) * ppm;
            const sv = (ly + medium.height / 2) * ppm;
            const black = 0.02 * room.ambient;
            if (gridContrast > 1e-4) {
              const rowMod = 1 + gridContrast * Math.cos(2 * Math.PI * sv);
              r0 = 0.8 * p0 * (1 + gridContrast * Math.cos(2 * Math.PI * su)) * rowMod + black;
              r1 = 0.8 * p1 * (1 + gridContrast * Math.cos(2 * Math.PI * (su - 1 / 3))) * rowMod + black;
              r2 = 0.8 * p2 * (1 + gridContrast * Math.cos(2 * Math.PI * (su - 2 / 3))) * rowMod + black;
            } else {
              r0 = 0.8 * p0 + black;
              r1 = 0.8 * p1 + black;
              r2 = 0.8 * p2 + black;
            }
          } else {
            // Ink on paper: reflectance between ink black and paper white, a slightly warm paper.
            const k = room.ambient * shade * (1 + fibreAt(lx, ly));
            r0 = k * (0.04 + 0.81 * p0) * tint0;
            r1 = k * (0.04 + 0.81 * p1) * tint1;
            r2 = k * (0.04 + 0.81 * p2) * tint2;
          }
        }
        linear[o] = r0 + glare;
        linear[o + 1] = r1 + glare;
        linear[o + 2] = r2 + glare * 0.97;
        sum += (r0 + r1 + r2) / 3 + glare;
      }
    }
    const shot = cameraFrame(linear, sum, { W, H, S }, out, exposure, random);
    exposure = shot.exposure;
    return shot.frame;
  };
}

/**
 * The frames of one replay or print attack made from a recording framed like the kiosk's camera
 * (`video`): a replay plays the whole recording on the screen; a print shows its first frontal frame
 * for `printSeconds`. The medium is placed so the face is where a patient's would be.
 */
export async function* mediumAttackFrames(
  engine: Pick<FaceEngine, 'analyze'>,
  video: string,
  view: Omit<MediumView, 'faceCentre'>,
  cadence: RecordingOptions = kioskCadence,
  printSeconds = 8,
): AsyncGenerator<RgbaFrame> {
  // The face to centre on (and, for a print, the frame printed): the first frontal face.
  let printed: RgbaFrame | undefined;
  let centre: [number, number] | undefined;
  for await (const frame of recordingFrames(video, cadence)) {
    const faces = (await engine.analyze(frame, { keep: true })).faces;
    const f = faces[0];
    if (faces.length === 1 && f && Math.abs(f.pose.yawDeg) <= 10) {
      printed = frame;
      centre = [f.box.x + f.box.width / 2, f.box.y + f.box.height / 2];
      break;
    }
  }
  if (!printed || !centre) throw new Error(`${video}: no frontal face to present`);
  const render = createMediumRenderer({ ...view, faceCentre: centre }, cadence);
  if (view.kind.startsWith('print')) {
    for (let i = 0; i < printSeconds * cadence.fps; i++) yield render(printed, i / cadence.fps);
    return;
  }
  let i = 0;
  for await (const frame of recordingFrames(video, cadence)) yield render(frame, i++ / cadence.fps);
}
