/**
 * Client of the face engine worker thread. Runs from TypeScript source (tsx: tests, kioskctl, the
 * browser host) and from the built bundle (out/main, Electron). Frames are transferred, not copied,
 * unless the caller keeps them. One request is in the worker at a time, each with its own timeout;
 * a worker that crashes or hangs is replaced and the next request is served by the new one.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { validateFrame } from './frame.js';
import { workerMessageSchema, type WorkerInit, type WorkerRequest } from './protocol.js';
import {
  FaceEngineError,
  type Box,
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

/** What the client posts; the worker re-validates it with requestSchema. */
interface OutgoingRequest {
  id: number;
  op: WorkerRequest['op'];
  frame?: RgbaFrame;
  around?: Box;
  texture?: boolean;
}

/**
 * A .ts worker gets tsx's loader registered inside the thread before its entry is imported
 * (`execArgv: ['--import', 'tsx']` does not reach a worker's entry module on Node 20).
 */
export function spawnWorker(script: string, init: WorkerInit): Worker {
  if (!script.endsWith('.ts')) return new Worker(script, { workerData: init });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entry = pathToFileURL(script).href;
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: init });
}

interface Pending {
  req: OutgoingRequest;
  transfer: ArrayBuffer[];
  resolve(value: unknown): void;
  reject(err: FaceEngineError): void;
}

/** Starts the worker, waits until the models are verified, loaded and warmed up. */
export async function createFaceEngine(options: FaceEngineClientOptions): Promise<FaceEngineClient> {
  const init: WorkerInit = {
    modelsDir: options.modelsDir,
    backend: options.backend ?? 'auto',
    ...(options.analyzeInputSize ? { analyzeInputSize: options.analyzeInputSize } : {}),
    ...(options.describeInputSize ? { describeInputSize: options.describeInputSize } : {}),
    ...(options.modelPackage ? { modelPackage: options.modelPackage } : {}),
    ...(options.texture ? { texture: options.texture } : {}),
    ...(options.stockKernels ? { stockKernels: true } : {}),
  };
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const script = options.workerPath ?? resolveWorker();

  let worker: Worker | null = null;
  let ready: Promise<void> | null = null;
  let current: (Pending & { timer: NodeJS.Timeout }) | null = null;
  // True while a request has left the queue but waits for the worker to be ready: without it a
  // second pump would post a second request and orphan the first one's answer.
  let dispatching = false;
  const queue: Pending[] = [];
  let nextId = 1;
  let restarts = 0;
  let closed = false;
  let last: { status: EngineStatus; detail: string } | null = null;

  const start = (): Promise<void> => {
    const w = spawnWorker(script, init);
    worker = w;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      w.on('message', (raw: unknown) => {
        const parsed = workerMessageSchema.safeParse(raw);
        if (!parsed.success) return log('face: ignored a malformed message from the worker');
        const m = parsed.data;
        if (m.type === 'ready') {
          started = true;
          last = { status: m.status, detail: m.detail };
          log(`face: engine ready, backend ${m.detail}, models ${m.status.modelId}, ${Math.round(m.status.loadMs)} ms`);
          resolve();
        } else if (m.type === 'fatal') {
          reject(new FaceEngineError(m.error.code, m.error.message));
          void w.terminate();
        } else if (current && m.id === current.req.id) {
          const done = current;
          current = null;
          clearTimeout(done.timer);
          if (m.ok) done.resolve(m.value);
          else done.reject(new FaceEngineError(m.error.code, m.error.message));
          pump();
        }
      });
      w.on('error', (err) => log(`face: worker error: ${err.message}`));
      w.on('exit', (code) => {
        if (worker !== w) return; // replaced on purpose (timeout) or closed
        worker = null;
        ready = null;
        if (!started) {
          reject(new FaceEngineError('failed', `The face worker stopped while starting (exit code ${code}).`));
          return;
        }
        if (closed) return;
        restarts++;
        log(`face: worker exited (code ${code}); restarting`);
        if (current) {
          const lost = current;
          current = null;
          clearTimeout(lost.timer);
          lost.reject(
            new FaceEngineError(
              'worker-crashed',
              'The face engine stopped during the request; it has been restarted. Try again.',
            ),
          );
        }
        pump();
      });
    });
  };

  const ensureStarted = (): Promise<void> => {
    if (!ready) {
      ready = start();
      // A failed start is not cached: the next request tries again.
      ready.catch(() => {
        ready = null;
      });
    }
    return ready;
  };

  const pump = (): void => {
    if (current || dispatching || closed) return;
    const next = queue.shift();
    if (!next) return;
    dispatching = true;
    ensureStarted().then(
      () => {
        dispatching = false;
        const w = worker;
        if (!w || closed) return next.reject(new FaceEngineError('closed', 'The face engine is closed.'));
        const timer = setTimeout(() => {
          if (current?.req.id !== next.req.id) return;
          current = null;
          restarts++;
          log(`face: request timed out after ${timeoutMs} ms; restarting the worker`);
          // Replace the hung worker; its exit event is ignored (worker !== w).
          worker = null;
          ready = null;
          void w.terminate();
          next.reject(
            new FaceEngineError(
              'timeout',
              `The face engine did not answer within ${timeoutMs} ms; it has been restarted.`,
            ),
          );
          pump();
        }, timeoutMs);
        current = { ...next, timer };
        try {
          w.postMessage(next.req, next.transfer);
        } catch (err) {
          clearTimeout(timer);
          current = null;
          next.reject(
            new FaceEngineError(
              'bad-frame',
              `The frame could not be sent to the face engine: ${err instanceof Error ? err.message : String(err)}`,
            ),
          );
          pump();
        }
      },
      (err: unknown) => {
        dispatching = false;
        next.reject(err instanceof FaceEngineError ? err : new FaceEngineError('failed', String(err)));
        pump();
      },
    );
  };

  const call = (req: OutgoingRequest, transfer: ArrayBuffer[] = []): Promise<unknown> => {
    if (closed) return Promise.reject(new FaceEngineError('closed', 'The face engine is closed.'));
    return new Promise((resolve, reject) => {
      queue.push({ req, transfer, resolve, reject });
      pump();
    });
  };

  /** Validates here (fail fast, nothing posted) and hands the bytes over without a copy when allowed. */
  const framed = (frame: RgbaFrame, opts?: FrameOptions): { frame: RgbaFrame; transfer: ArrayBuffer[] } => {
    const f = validateFrame(frame);
    const whole =
      f.data.byteOffset === 0 && f.data.byteLength === f.data.buffer.byteLength && f.data.buffer instanceof ArrayBuffer;
    if (!opts?.keep && whole) return { frame: f, transfer: [f.data.buffer as ArrayBuffer] };
    // A view into a larger or shared buffer, or a frame the caller keeps: copy just its bytes.
    return { frame: { width: f.width, height: f.height, data: new Uint8Array(f.data) }, transfer: [] };
  };

  await ensureStarted();

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
      return (await call(req, transfer)) as FrameAnalysis;
    },
    async describe(frame, opts) {
      const { frame: f, transfer } = framed(frame, opts);
      return (await call({ id: nextId++, op: 'describe', frame: f }, transfer)) as FaceDescription;
    },
    async status() {
      const status = (await call({ id: nextId++, op: 'status' })) as EngineStatus;
      return { ...status, restarts, detail: last?.detail ?? '' };
    },
    async crashForTest() {
      await call({ id: nextId++, op: 'crash' }).catch(() => undefined);
    },
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new FaceEngineError('closed', 'The face engine is closed.'));
      if (current) {
        clearTimeout(current.timer);
        current.reject(new FaceEngineError('closed', 'The face engine is closed.'));
        current = null;
      }
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
