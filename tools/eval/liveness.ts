/**
 * Evaluates @vladmandic/human's two small presentation-attack models on what can be built offline:
 *   antispoof.json  (128×128 RGB in [0,1] → 1 value, "real" score; from kaggle anku420/fake-face-detection)
 *   liveness.json   ( 32×32 RGB in [0,1] → 2 values, [0] is "live"; from github leokwu/livenessnet)
 *
 * Real class: face crops from the fixture photos, the fixture crops and frames of the two fixture
 * videos (found by Kelu's own face engine; crop = detection box enlarged 1.4×, square, as human does).
 * Spoof classes, synthesised from every real crop (they imitate artefacts, they are not real attacks):
 *   print      lower contrast, warm paper cast, slight blur, grain, JPEG re-compression
 *   halftone   a rotated dot screen per channel, as offset printing does
 *   screen     RGB sub-pixel stripes, a low-frequency moiré beat and a gamma shift
 *   blur       Gaussian blur (σ = 2 px at 128 px)
 *   warp       the crop as a flat print turned 40° about its vertical axis
 *
 * Usage: npx tsx tools/eval/liveness.ts [--json] [--crop-scale=1.4] [--planar]
 * Prints per model and class the score distribution, the AUC of real vs. each spoof class and the
 * accuracy at a 0.5 threshold. Nothing is written; the figures go into docs/presence.md.
 *
 * With --planar it measures Kelu's own planar test instead (electron/core/presence/photometric.ts):
 * the pixel residual of flat prints rotated in front of the camera (synthesised warps of fixture
 * photos), of a still photo with jitter, and of the real head turns in hamilton_clip.mp4, by how far
 * the head turned; and the landmark-only residual of the same pairs, which does not separate them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { wasmDir } from '../../electron/core/face/backend.js';
import { parseOptionsOrExit } from '../../electron/core/platform/cli-options.js';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import type { Box, RgbaFrame } from '../../electron/core/face/types.js';
import { fixture, projectRoot } from '../harness/fixtures.js';
import { loadRgba } from '../harness/images.js';
import { planarFit } from '../harness/planar-fit.js';
import { landmarkHomography, photometricPlanarFit, toGray } from '../../electron/core/presence/photometric.js';
import type { FaceAnalysis } from '../../electron/core/face/types.js';
import { addNoise, frameAroundFace, planeHomography, sampleRgba, videoFrames, warpFrame } from '../harness/warp.js';

const require = createRequire(import.meta.url);
type Tf = typeof import('@tensorflow/tfjs');
const tf = require('@tensorflow/tfjs') as Tf;
const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');

const options = parseOptionsOrExit(
  'liveness',
  process.argv.slice(2),
  z.object({
    json: z.boolean().default(false),
    planar: z.boolean().default(false),
    'crop-scale': z.coerce
      .number({ error: '--crop-scale must be a number' })
      .gt(0, '--crop-scale must be above 0')
      .default(1.4),
  }),
).values;
const json = options.json;
const log = (line: string): void => {
  if (!json) console.log(line);
};

const modelJsonSchema = z.object({
  modelTopology: z.unknown(),
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  signature: z.unknown().optional(),
  userDefinedMetadata: z.record(z.string(), z.unknown()).optional(),
  weightsManifest: z.array(z.object({ paths: z.array(z.string()), weights: z.array(z.unknown()) })),
});

/** A tfjs IO handler reading model.json and its weight shards from disk (no fetch, no network). */
function fileHandler(jsonPath: string): import('@tensorflow/tfjs').io.IOHandler {
  return {
    load: async () => {
      const model = modelJsonSchema.parse(JSON.parse(readFileSync(jsonPath, 'utf8')));
      const shards = model.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(jsonPath), p))));
      const all = Buffer.concat(shards);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.length);
      return {
        modelTopology: model.modelTopology as object,
        weightSpecs: model.weightsManifest.flatMap(
          (g) => g.weights,
        ) as import('@tensorflow/tfjs').io.WeightsManifestEntry[],
        weightData,
        ...(model.format ? { format: model.format } : {}),
        ...(model.generatedBy ? { generatedBy: model.generatedBy } : {}),
        ...(model.convertedBy ? { convertedBy: model.convertedBy } : {}),
        ...(model.signature ? { signature: model.signature as object } : {}),
        ...(model.userDefinedMetadata
          ? { userDefinedMetadata: model.userDefinedMetadata as Record<string, object> }
          : {}),
      };
    },
  };
}

interface Crop {
  source: string;
  /** 128×128 RGB, 0–255. */
  rgb: Uint8Array;
}

const SIZE = 128;

/** Square crop of `box` enlarged by `scale`, resized to 128×128 RGB (outside the frame: edge pixels). */
function cropFace(frame: RgbaFrame, box: Box, scale: number): Uint8Array {
  const side = Math.max(box.width, box.height) * scale;
  const x0 = box.x + box.width / 2 - side / 2;
  const y0 = box.y + box.height / 2 - side / 2;
  const out = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const u = Math.min(frame.width - 1, Math.max(0, x0 + ((x + 0.5) * side) / SIZE));
      const v = Math.min(frame.height - 1, Math.max(0, y0 + ((y + 0.5) * side) / SIZE));
      for (let c = 0; c < 3; c++) out[(y * SIZE + x) * 3 + c] = sampleRgba(frame, u, v, c);
    }
  }
  return out;
}

/** Seeded uniform numbers, so the synthesised spoofs are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
const raw = { raw: { width: SIZE, height: SIZE, channels: 3 as const } };

async function spoofPrint(rgb: Uint8Array, rnd: () => number): Promise<Uint8Array> {
  const paper = [246, 236, 214];
  const ink = [40, 36, 44];
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) {
    const c = i % 3;
    const t = (rgb[i] ?? 0) / 255;
    out[i] = clamp((ink[c] ?? 0) + t * ((paper[c] ?? 255) - (ink[c] ?? 0)) + (rnd() - 0.5) * 14);
  }
  const blurred = await sharp(Buffer.from(out), raw).blur(0.8).jpeg({ quality: 55 }).toBuffer();
  return new Uint8Array(await sharp(blurred).removeAlpha().raw().toBuffer());
}

function spoofHalftone(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length);
  const angles = [15, 75, 0].map((d) => (d * Math.PI) / 180);
  const period = 3.2;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      for (let c = 0; c < 3; c++) {
        const a = angles[c] ?? 0;
        const u = x * Math.cos(a) + y * Math.sin(a);
        const v = -x * Math.sin(a) + y * Math.cos(a);
        const screen = (Math.cos((2 * Math.PI * u) / period) * Math.cos((2 * Math.PI * v) / period) + 1) / 2;
        const i = (y * SIZE + x) * 3 + c;
        out[i] = (rgb[i] ?? 0) / 255 > screen ? 250 : 25;
      }
    }
  }
  return out;
}

function spoofScreen(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const beat = 0.85 + 0.15 * Math.cos((2 * Math.PI * (x * 0.9 + y * 0.4)) / 11);
      for (let c = 0; c < 3; c++) {
        const i = (y * SIZE + x) * 3 + c;
        const sub = x % 3 === c ? 1 : 0.72;
        out[i] = clamp(255 * Math.pow((rgb[i] ?? 0) / 255, 0.8) * sub * beat + 12);
      }
    }
  }
  return out;
}

async function spoofBlur(rgb: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(rgb), raw).blur(2).raw().toBuffer());
}

function spoofWarp(rgb: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(SIZE * SIZE * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i] ?? 0;
    rgba[j + 1] = rgb[i + 1] ?? 0;
    rgba[j + 2] = rgb[i + 2] ?? 0;
    rgba[j + 3] = 255;
  }
  const warped = warpFrame(
    { width: SIZE, height: SIZE, data: rgba },
    planeHomography(SIZE, SIZE, { yawDeg: 40, distance: 1.2 }),
    96,
  );
  const out = new Uint8Array(rgb.length);
  for (let i = 0, j = 0; i < out.length; i += 3, j += 4) {
    out[i] = warped.data[j] ?? 0;
    out[i + 1] = warped.data[j + 1] ?? 0;
    out[i + 2] = warped.data[j + 2] ?? 0;
  }
  return out;
}

/** Area under the ROC curve: P(score of a real crop > score of a spoof), ties count half. */
function auc(real: number[], spoof: number[]): number {
  let wins = 0;
  for (const r of real) for (const s of spoof) wins += r > s ? 1 : r === s ? 0.5 : 0;
  return real.length && spoof.length ? wins / (real.length * spoof.length) : Number.NaN;
}
const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.floor((s.length - 1) * q)))] ?? Number.NaN;
};
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

async function main(): Promise<void> {
  const cropScale = options['crop-scale'];
  wasm.setWasmPaths(wasmDir());
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  // The package's exports hide package.json; its main entry lives in dist/, the models beside it.
  const humanModels = join(dirname(require.resolve('@vladmandic/human')), '..', 'models');
  const antispoof = await tf.loadGraphModel(fileHandler(join(humanModels, 'antispoof.json')));
  const liveness = await tf.loadGraphModel(fileHandler(join(humanModels, 'liveness.json')));

  const engine = await createFaceEngine({
    modelsDir: join(projectRoot, 'models'),
    requestTimeoutMs: 60_000,
    log: () => {},
  });
  const crops: Crop[] = [];
  const addFrom = async (source: string, frame: RgbaFrame): Promise<void> => {
    const analysis = await engine.analyze(frame, { keep: true });
    if (analysis.faces.length !== 1) return;
    const face = analysis.faces[0];
    if (face) crops.push({ source, rgb: cropFace(frame, face.box, cropScale) });
  };
  for (const file of readdirSync(fixture('photos')).sort())
    await addFrom(`photos/${file}`, await loadRgba(fixture(`photos/${file}`)));
  for (const file of readdirSync(fixture('crops')).sort()) {
    // The crops are already tight 150×150 faces: crop them whole (the detector rarely fires on them).
    const frame = await loadRgba(fixture(`crops/${file}`));
    crops.push({
      source: `crops/${file}`,
      rgb: cropFace(frame, { x: 0, y: 0, width: frame.width, height: frame.height }, 1),
    });
  }
  const ham = videoFrames(fixture('video/hamilton_clip.mp4'), 92, 172, { width: 640, height: 360 });
  for (let i = 0; i < ham.length; i += 4) await addFrom(`video/hamilton_clip.mp4#${92 + i}`, ham[i] as RgbaFrame);
  const clip = videoFrames(fixture('video/face_clip.mp4'), 0, 4, { width: 820, height: 460 });
  for (const [i, f] of clip.entries()) await addFrom(`video/face_clip.mp4#${i}`, f);
  await engine.close();

  const rnd = seeded(42);
  const classes: Record<string, Uint8Array[]> = {
    real: crops.map((c) => c.rgb),
    print: [],
    halftone: [],
    screen: [],
    blur: [],
    warp: [],
  };
  for (const c of crops) {
    classes.print?.push(await spoofPrint(c.rgb, rnd));
    classes.halftone?.push(spoofHalftone(c.rgb));
    classes.screen?.push(spoofScreen(c.rgb));
    classes.blur?.push(await spoofBlur(c.rgb));
    classes.warp?.push(spoofWarp(c.rgb));
  }

  const score = async (rgb: Uint8Array): Promise<{ antispoof: number; liveness: number }> => {
    const [a, l] = tf.tidy(() => {
      const img = tf.tensor4d(
        Float32Array.from(rgb, (v) => v / 255),
        [1, SIZE, SIZE, 3],
      );
      const outA = antispoof.execute(tf.image.resizeBilinear(img, [128, 128])) as import('@tensorflow/tfjs').Tensor;
      const outL = liveness.execute(tf.image.resizeBilinear(img, [32, 32])) as import('@tensorflow/tfjs').Tensor;
      return [outA, outL];
    });
    const [av, lv] = await Promise.all([a.data(), l.data()]);
    tf.dispose([a, l]);
    return { antispoof: av[0] ?? Number.NaN, liveness: lv[0] ?? Number.NaN };
  };

  const scores: Record<string, { antispoof: number[]; liveness: number[] }> = {};
  for (const [name, list] of Object.entries(classes)) {
    const s = { antispoof: [] as number[], liveness: [] as number[] };
    for (const rgb of list) {
      const r = await score(rgb);
      s.antispoof.push(r.antispoof);
      s.liveness.push(r.liveness);
    }
    scores[name] = s;
  }

  const report = {
    cropScale,
    realCrops: crops.length,
    sources: {
      photos: crops.filter((c) => c.source.startsWith('photos/')).length,
      crops: crops.filter((c) => c.source.startsWith('crops/')).length,
      video: crops.filter((c) => c.source.startsWith('video/')).length,
    },
    models: Object.fromEntries(
      (['antispoof', 'liveness'] as const).map((model) => {
        const real = scores.real?.[model] ?? [];
        return [
          model,
          Object.fromEntries(
            Object.entries(scores).map(([name, s]) => {
              const xs = s[model];
              const base = {
                n: xs.length,
                p10: r3(quantile(xs, 0.1)),
                p50: r3(quantile(xs, 0.5)),
                p90: r3(quantile(xs, 0.9)),
              };
              if (name === 'real')
                return [name, { ...base, acceptedAt05: r3(xs.filter((x) => x >= 0.5).length / xs.length) }];
              return [
                name,
                {
                  ...base,
                  aucRealVsThis: r3(auc(real, xs)),
                  rejectedAt05: r3(xs.filter((x) => x < 0.5).length / xs.length),
                },
              ];
            }),
          ),
        ];
      }),
    ),
  };
  if (json) {
    console.log(JSON.stringify(report));
    return;
  }
  log(`real crops: ${report.realCrops} (${JSON.stringify(report.sources)}), crop scale ${cropScale}`);
  for (const [model, rows] of Object.entries(report.models)) {
    log(`\n${model}`);
    log('class      n    p10    p50    p90   AUC(real>this)  at 0.5');
    for (const [name, r] of Object.entries(rows)) {
      const row = r as {
        n: number;
        p10: number;
        p50: number;
        p90: number;
        aucRealVsThis?: number;
        acceptedAt05?: number;
        rejectedAt05?: number;
      };
      const at = r && 'acceptedAt05' in row ? `accepted ${row.acceptedAt05}` : `rejected ${row.rejectedAt05}`;
      log(
        `${name.padEnd(9)} ${String(row.n).padStart(3)}  ${row.p10.toFixed(3)}  ${row.p50.toFixed(3)}  ${row.p90.toFixed(3)}   ${row.aucRealVsThis?.toFixed(3) ?? '   -  '}          ${at}`,
      );
    }
  }
}

function summary(xs: number[]): { n: number; min: number; p10: number; p50: number; p90: number; max: number } {
  const r4 = (x: number): number => Math.round(x * 10_000) / 10_000;
  return {
    n: xs.length,
    min: r4(quantile(xs, 0)),
    p10: r4(quantile(xs, 0.1)),
    p50: r4(quantile(xs, 0.5)),
    p90: r4(quantile(xs, 0.9)),
    max: r4(quantile(xs, 1)),
  };
}

async function planar(): Promise<void> {
  const engine = await createFaceEngine({
    modelsDir: join(projectRoot, 'models'),
    requestTimeoutMs: 60_000,
    log: () => {},
  });
  const analyze = async (f: RgbaFrame): Promise<FaceAnalysis | undefined> => {
    const a = await engine.analyze(f, { keep: true });
    return a.faces.length === 1 ? a.faces[0] : undefined;
  };
  const rnd = seeded(9);
  const out: Record<string, { pixel: number[]; landmarks: number[] }> = {};
  const add = (key: string, pixel: number, landmarks: number): void => {
    const bucket = (out[key] ??= { pixel: [], landmarks: [] });
    bucket.pixel.push(pixel);
    bucket.landmarks.push(landmarks);
  };
  const ms: number[] = [];
  for (const photo of [
    'obama_1.jpg',
    'alex_lacamoire_2.jpg',
    'biden_2.jpg',
    'rose_leslie_2.jpg',
    'alex_lacamoire_3.jpg',
    'obama_2.jpg',
  ]) {
    const img = await loadRgba(fixture(`photos/${photo}`));
    const found = await analyze(img);
    if (!found) continue;
    const base = await frameAroundFace(img, found.box, { faceWidthRatio: 0.35 });
    const held = addNoise(base, 4, rnd);
    const ref = await analyze(held);
    if (!ref) continue;
    const g0 = toGray(held);
    const judge = async (frame: RgbaFrame, key: (dyaw: number) => string): Promise<void> => {
      const f = await analyze(frame);
      if (!f) return;
      const t0 = performance.now();
      const pixel = photometricPlanarFit(
        g0,
        ref.box,
        toGray(frame),
        landmarkHomography(ref.landmarks, f.landmarks),
      ).residual;
      ms.push(performance.now() - t0);
      add(key(Math.abs(f.pose.yawDeg - ref.pose.yawDeg)), pixel, planarFit(ref.landmarks, f.landmarks).residual);
    };
    for (let i = 0; i < 5; i++) {
      const shift: [number, number] = [(rnd() - 0.5) * 3, (rnd() - 0.5) * 3];
      await judge(addNoise(warpFrame(base, planeHomography(640, 480, { shift })), 5, rnd), () => 'still photo, jitter');
    }
    for (const distance of [1.2, 2.5]) {
      for (const pitchDeg of [0, 15]) {
        for (const yawDeg of [-60, -50, -40, -30, -20, 20, 30, 40, 50, 60]) {
          const view = { yawDeg, pitchDeg, rollDeg: pitchDeg ? 8 : 0, distance };
          await judge(addNoise(warpFrame(base, planeHomography(640, 480, view)), 4, rnd), (d) =>
            d >= 18 ? 'print, |Δyaw| ≥ 18' : 'print, |Δyaw| < 18',
          );
        }
      }
    }
  }
  // Real turns: every frontal frame (|yaw| ≤ 8) against every 3rd frame of the next 1.5 s.
  const frames = videoFrames(fixture('video/hamilton_clip.mp4'), 80, 215, { width: 640, height: 360 });
  const faces = [];
  for (const f of frames) faces.push(await analyze(f));
  for (let a = 0; a < frames.length; a++) {
    const ref = faces[a];
    if (!ref || Math.abs(ref.pose.yawDeg) > 8) continue;
    const g0 = toGray(frames[a] as RgbaFrame);
    for (let b = a + 3; b < Math.min(frames.length, a + 45); b += 3) {
      const f = faces[b];
      if (!f) continue;
      const d = Math.abs(f.pose.yawDeg - ref.pose.yawDeg);
      const key =
        d < 5
          ? 'real head, |Δyaw| < 5'
          : d < 18
            ? 'real head, |Δyaw| 5–18'
            : d < 30
              ? 'real head, |Δyaw| 18–30'
              : 'real head, |Δyaw| ≥ 30';
      const pixel = photometricPlanarFit(
        g0,
        ref.box,
        toGray(frames[b] as RgbaFrame),
        landmarkHomography(ref.landmarks, f.landmarks),
      ).residual;
      add(key, pixel, planarFit(ref.landmarks, f.landmarks).residual);
    }
  }
  await engine.close();
  const report = {
    pixelResidual: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, summary(v.pixel)])),
    landmarkResidual: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, summary(v.landmarks)])),
    fitMs: summary(ms),
  };
  if (json) {
    console.log(JSON.stringify(report));
    return;
  }
  for (const [title, rows] of [
    ['pixel residual (1 − NCC after the best homography)', report.pixelResidual],
    ['landmark residual (RMS / landmark spread)', report.landmarkResidual],
  ] as const) {
    log(`\n${title}`);
    log('pairs                         n      min      p10      p50      p90      max');
    for (const [k, r] of Object.entries(rows)) {
      log(
        `${k.padEnd(27)} ${String(r.n).padStart(4)}  ${[r.min, r.p10, r.p50, r.p90, r.max].map((x) => x.toFixed(4).padStart(7)).join('  ')}`,
      );
    }
  }
  log(`\nfit time (ms): p50 ${report.fitMs.p50.toFixed(0)}, max ${report.fitMs.max.toFixed(0)}`);
}

(options.planar ? planar() : main()).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
