/**
 * Face engine benchmark: per-frame live analysis and capture → descriptor latency on 640×480
 * frames made from the fixture photos, cold start, and RSS and tensor count around 1,000 frames.
 * Latencies are measured at the client (round trip through the worker), as the kiosk sees them.
 */
import { join } from 'node:path';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { fixture, projectRoot } from '../harness/fixtures.js';
import { copyFrame, loadRgba } from '../harness/images.js';
import { percentile } from '../percentile.js';

export interface FaceBenchOptions {
  frames?: number;
  describes?: number;
  analyzeInputSize?: number;
  describeInputSize?: number;
  backend?: 'auto' | 'wasm' | 'tensorflow';
  progress?: (line: string) => void;
  /** Also re-measure the plain face-api baselines in this process (tools/bench/baseline.ts). */
  baseline?: boolean;
}

export interface FaceBenchResult {
  backend: string;
  backend_detail: string;
  analyze_p50_ms: number;
  analyze_p95_ms: number;
  describe_p50_ms: number;
  describe_p95_ms: number;
  cold_start_ms: number;
  frames: number;
  rss_before_mb: number;
  rss_after_mb: number;
  rss_growth_pct: number;
  tensors_before: number;
  tensors_after: number;
  tensors_leaked: number;
  analyze_engine_p50_ms: number;
  analyze_cpu_ms: number;
  describe_cpu_ms: number;
  [key: string]: number | string;
}

const round = (v: number, d = 1): number => Math.round(v * 10 ** d) / 10 ** d;
const mb = (): number => process.memoryUsage().rss / 1024 / 1024;

/** Frames a kiosk might send: one person at various sizes, a crowd, an empty scene. */
const FRAME_FILES = [
  'photos/obama_480p.jpg',
  'photos/alex_lacamoire_1.png',
  'photos/rose_leslie_2.jpg',
  'photos/biden_2.jpg',
  'hard/two_people.jpg',
  'hard/no_face_white.png',
];
const DESCRIBE_FILES = [
  'photos/obama_480p.jpg',
  'photos/alex_lacamoire_1.png',
  'photos/rose_leslie_2.jpg',
  'photos/biden_2.jpg',
  'photos/lin_manuel_miranda_1.png',
];

export async function runFaceBench(options: FaceBenchOptions = {}): Promise<FaceBenchResult> {
  const frames = options.frames ?? 1000;
  const describes = options.describes ?? 60;
  const progress = options.progress ?? (() => undefined);
  const size = { width: 640, height: 480 };
  const liveFrames: RgbaFrame[] = await Promise.all(FRAME_FILES.map((f) => loadRgba(fixture(f), size)));
  const stillFrames: RgbaFrame[] = await Promise.all(DESCRIBE_FILES.map((f) => loadRgba(fixture(f), size)));

  const t0 = performance.now();
  const engine = await createFaceEngine({
    modelsDir: join(projectRoot, 'models'),
    backend: options.backend ?? 'auto',
    requestTimeoutMs: 60_000,
    ...(options.analyzeInputSize ? { analyzeInputSize: options.analyzeInputSize } : {}),
    ...(options.describeInputSize ? { describeInputSize: options.describeInputSize } : {}),
    log: (l) => progress(l),
  });
  const coldStart = performance.now() - t0;
  try {
    // Warm every frame shape once (kernels are set up per input shape), then measure.
    for (const f of liveFrames) await engine.analyze(copyFrame(f));
    for (const f of stillFrames.slice(0, 2)) await engine.describe(copyFrame(f));
    const before = await engine.status();
    const rssBefore = mb();

    const analyzeMs: number[] = [];
    const engineMs: number[] = [];
    // CPU time of the whole process (all threads) per frame: steadier than wall time on a shared machine.
    const cpuMs = (): number => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const analyzeCpu0 = cpuMs();
    for (let i = 0; i < frames; i++) {
      const frame = copyFrame(liveFrames[i % liveFrames.length] as RgbaFrame);
      const s = performance.now();
      const a = await engine.analyze(frame);
      analyzeMs.push(performance.now() - s);
      engineMs.push(a.ms);
      if ((i + 1) % 100 === 0) progress(`analyze ${i + 1}/${frames}: p50 ${round(percentile(analyzeMs, 50))} ms`);
    }
    const analyzeCpu = (cpuMs() - analyzeCpu0) / frames;
    const describeMs: number[] = [];
    const describeCpu0 = cpuMs();
    for (let i = 0; i < describes; i++) {
      const frame = copyFrame(stillFrames[i % stillFrames.length] as RgbaFrame);
      const s = performance.now();
      await engine.describe(frame);
      describeMs.push(performance.now() - s);
    }
    const describeCpu = (cpuMs() - describeCpu0) / describes;
    progress(`describe ${describes}: p50 ${round(percentile(describeMs, 50))} ms`);
    const after = await engine.status();
    const rssAfter = mb();
    return {
      backend: after.backend,
      backend_detail: after.detail,
      analyze_p50_ms: round(percentile(analyzeMs, 50)),
      analyze_p95_ms: round(percentile(analyzeMs, 95)),
      /** Inside the worker only; the difference to analyze_p50_ms is the thread hop and the frame copy. */
      analyze_engine_p50_ms: round(percentile(engineMs, 50)),
      analyze_cpu_ms: round(analyzeCpu),
      describe_p50_ms: round(percentile(describeMs, 50)),
      describe_p95_ms: round(percentile(describeMs, 95)),
      describe_cpu_ms: round(describeCpu),
      cold_start_ms: Math.round(coldStart),
      frames,
      rss_before_mb: round(rssBefore),
      rss_after_mb: round(rssAfter),
      rss_growth_pct: round(((rssAfter - rssBefore) / rssBefore) * 100, 2),
      tensors_before: before.tensors,
      tensors_after: after.tensors,
      tensors_leaked: after.tensors - before.tensors,
    };
  } finally {
    await engine.close();
  }
}

export interface ModelPackageBench {
  model_id: string;
  runtime: string;
  describe_p50_ms: number;
  describe_p95_ms: number;
  describe_cpu_ms: number;
  cold_start_ms: number;
  /** Process RSS while this model's engine is up, minus before it started (worker, runtime, weights). */
  rss_model_mb: number;
}

/**
 * describe speed and memory of one recognition model package (the same frames as runFaceBench), so
 * models can be compared in one run: `npm run bench -- --model-package DIR[:SHA256]`.
 */
export async function runModelDescribeBench(
  pkg: { dir?: string; manifestSha256?: string },
  options: Pick<FaceBenchOptions, 'describes' | 'backend' | 'progress'> = {},
): Promise<ModelPackageBench> {
  const describes = options.describes ?? 60;
  const stillFrames = await describeFrames();
  const rss0 = mb();
  const t0 = performance.now();
  const engine = await createFaceEngine({
    modelsDir: join(projectRoot, 'models'),
    backend: options.backend ?? 'auto',
    requestTimeoutMs: 60_000,
    ...(pkg.dir
      ? { modelPackage: { dir: pkg.dir, ...(pkg.manifestSha256 ? { manifestSha256: pkg.manifestSha256 } : {}) } }
      : {}),
    log: (l) => options.progress?.(l),
  });
  const coldStart = performance.now() - t0;
  try {
    for (const f of stillFrames.slice(0, 2)) await engine.describe(copyFrame(f));
    const ms: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < describes; i++) {
      const s = performance.now();
      await engine.describe(copyFrame(stillFrames[i % stillFrames.length] as RgbaFrame));
      ms.push(performance.now() - s);
    }
    const c = process.cpuUsage(c0);
    const status = await engine.status();
    return {
      model_id: status.modelId,
      runtime: status.runtime,
      describe_p50_ms: round(percentile(ms, 50)),
      describe_p95_ms: round(percentile(ms, 95)),
      describe_cpu_ms: round((c.user + c.system) / 1000 / describes),
      cold_start_ms: Math.round(coldStart),
      rss_model_mb: round(mb() - rss0),
    };
  } finally {
    await engine.close();
  }
}

/** The still frames describe is measured on (for the in-run baseline). */
export async function describeFrames(): Promise<RgbaFrame[]> {
  return Promise.all(DESCRIBE_FILES.map((f) => loadRgba(fixture(f), { width: 640, height: 480 })));
}
