/**
 * Client of the face engine worker thread. Runs from TypeScript source (tsx: tests, kioskctl, the
 * browser host) and from the built bundle (out/main, Electron). Frames are transferred, not copied,
 * unless the caller keeps them. One request is in the worker at a time, each with its own timeout;
 * a worker that crashes or hangs is replaced and the next request is served by the new one.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateFrame } from './frame.js';
import type { WorkerInit } from './protocol.js';
import { call, closeLink, ensureStarted, type OutgoingRequest, type WorkerLink } from './worker-link.js';
import {
  FaceEngineError,
  type EngineStatus,
  type FaceDescription,
  type FaceEngine,
  type FaceEngineOptions,
  type FrameAnalysis,
  type FrameOptions,
  type RgbaFrame,
} from './types.js';

export { detectBackend } from './backend.js';
export { descriptorDistance, type DescriptorMetric } from './descriptor-distance.js';
export { meanTemplate } from './template.js';
export { spawnWorker } from './worker-link.js';

export interface FaceEngineClientOptions extends FaceEngineOptions {
  /** Where engine events (backend chosen, restarts) are reported; default: stderr. */
  log?: (line: string) => void;
  /** Detector input sizes (px, multiples of 32); the defaults are the measured choice. */
  analyzeInputSize?: number;
  describeInputSize?: number;
  /** Keep tfjs's stock wasm kernels (wasm-kernels.ts): only to measure the difference. */
  stockKernels?: boolean;
  /** Override the worker script (normally found beside this module). */
  workerPath?: string;
}

export interface FullStatus extends EngineStatus {
  restarts: number;
  /** e.g. "wasm (SIMD, 1 thread)". */
  detail: string;
}

export interface FaceEngineClient extends FaceEngine {
  status(): Promise<FullStatus>;
  /** Makes the worker die with an uncaught error (tests of the restart path). */
  crashForTest(): Promise<void>;
}

/** The worker script: worker.ts beside this file under tsx, or face-worker.js in the built out/main. */
export function resolveWorker(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return join(dirname(here), 'worker.ts');
  for (const dir of [dirname(here), join(dirname(here), '..')]) {
    const candidate = join(dir, 'face-worker.js');
    if (existsSync(candidate)) return candidate;
  }
  throw new FaceEngineError(
    'failed',
    `The face worker (face-worker.js) was not found beside ${here}. Rebuild with "npm run build".`,
  );
}

/** What the worker is started with: the models and the options that change how it runs them. */
function workerInit(options: FaceEngineClientOptions): WorkerInit {
  return {
    modelsDir: options.modelsDir,
    backend: options.backend ?? 'auto',
    ...(options.analyzeInputSize ? { analyzeInputSize: options.analyzeInputSize } : {}),
    ...(options.describeInputSize ? { describeInputSize: options.describeInputSize } : {}),
    ...(options.modelPackage ? { modelPackage: options.modelPackage } : {}),
    ...(options.texture ? { texture: options.texture } : {}),
    ...(options.stockKernels ? { stockKernels: true } : {}),
  };
}

/** Validates here (fail fast, nothing posted) and hands the bytes over without a copy when allowed. */
function framed(frame: RgbaFrame, opts?: FrameOptions): { frame: RgbaFrame; transfer: ArrayBuffer[] } {
  const f = validateFrame(frame);
  const whole =
    f.data.byteOffset === 0 && f.data.byteLength === f.data.buffer.byteLength && f.data.buffer instanceof ArrayBuffer;
  if (!opts?.keep && whole) return { frame: f, transfer: [f.data.buffer as ArrayBuffer] };
  // A view into a larger or shared buffer, or a frame the caller keeps: copy just its bytes.
  return { frame: { width: f.width, height: f.height, data: new Uint8Array(f.data) }, transfer: [] };
}

/** Starts the worker, waits until the models are verified, loaded and warmed up. */
export async function createFaceEngine(options: FaceEngineClientOptions): Promise<FaceEngineClient> {
  const init = workerInit(options);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const script = options.workerPath ?? resolveWorker();

  const l: WorkerLink = {
    script,
    init,
    timeoutMs,
    log,
    worker: null,
    ready: null,
    current: null,
    dispatching: false,
    queue: [],
    restarts: 0,
    closed: false,
    last: null,
  };
  let nextId = 1;

  await ensureStarted(l);

  return {
    async analyze(frame, opts) {
      const { frame: f, transfer } = framed(frame, opts);
      const around = opts?.around;
      const req: OutgoingRequest = {
        id: nextId++,
        op: 'analyze',
        frame: f,
        ...(around ? { around: { x: around.x, y: around.y, width: around.width, height: around.height } } : {}),
        ...(opts?.texture !== undefined ? { texture: opts.texture } : {}),
      };
      return (await call(l, req, transfer)) as FrameAnalysis;
    },
    async describe(frame, opts) {
      const { frame: f, transfer } = framed(frame, opts);
      return (await call(l, { id: nextId++, op: 'describe', frame: f }, transfer)) as FaceDescription;
    },
    async status() {
      const status = (await call(l, { id: nextId++, op: 'status' })) as EngineStatus;
      return { ...status, restarts: l.restarts, detail: l.last?.detail ?? '' };
    },
    async crashForTest() {
      await call(l, { id: nextId++, op: 'crash' }).catch(() => undefined);
    },
    close: () => closeLink(l),
  };
}
