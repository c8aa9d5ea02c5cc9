// The face engine client's link to its worker thread: the request queue, one request in the worker
// at a time with its own timeout, and a crashed or hung worker replaced by a new one.
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { workerMessageSchema, type WorkerInit, type WorkerRequest } from './protocol.js';
import { FaceEngineError, type Box, type EngineStatus, type RgbaFrame } from './types.js';

export /** What the client posts; the worker re-validates it with requestSchema. */
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

export interface Pending {
  req: OutgoingRequest;
  transfer: ArrayBuffer[];
  resolve(value: unknown): void;
  reject(err: FaceEngineError): void;
}

/** The worker, its queue and what the client knows of it; only this module's functions change it. */
export interface WorkerLink {
  script: string;
  init: WorkerInit;
  timeoutMs: number;
  log: (line: string) => void;
  worker: Worker | null;
  ready: Promise<void> | null;
  current: (Pending & { timer: NodeJS.Timeout }) | null;
  // True while a request has left the queue but waits for the worker to be ready: without it a
  // second pump would post a second request and orphan the first one's answer.
  dispatching: boolean;
  queue: Pending[];
  restarts: number;
  closed: boolean;
  last: { status: EngineStatus; detail: string } | null;
}

export function startWorker(l: WorkerLink): Promise<void> {
  const w = spawnWorker(l.script, l.init);
  l.worker = w;
  return new Promise<void>((resolve, reject) => {
    let started = false;
    w.on('message', (raw: unknown) => {
      const parsed = workerMessageSchema.safeParse(raw);
      if (!parsed.success) return l.log('face: ignored a malformed message from the worker');
      const m = parsed.data;
      if (m.type === 'ready') {
        started = true;
        l.last = { status: m.status, detail: m.detail };
        l.log(`face: engine ready, backend ${m.detail}, models ${m.status.modelId}, ${Math.round(m.status.loadMs)} ms`);
        resolve();
      } else if (m.type === 'fatal') {
        reject(new FaceEngineError(m.error.code, m.error.message));
        void w.terminate();
      } else if (l.current && m.id === l.current.req.id) {
        const done = l.current;
        l.current = null;
        clearTimeout(done.timer);
        if (m.ok) done.resolve(m.value);
        else done.reject(new FaceEngineError(m.error.code, m.error.message));
        pump(l);
      }
    });
    w.on('error', (err) => l.log(`face: worker error: ${err.message}`));
    w.on('exit', (code) => {
      if (l.worker !== w) return; // replaced on purpose (timeout) or closed
      l.worker = null;
      l.ready = null;
      if (!started) {
        reject(new FaceEngineError('failed', `The face worker stopped while starting (exit code ${code}).`));
        return;
      }
      if (l.closed) return;
      l.restarts++;
      l.log(`face: worker exited (code ${code}); restarting`);
      if (l.current) {
        const lost = l.current;
        l.current = null;
        clearTimeout(lost.timer);
        lost.reject(
          new FaceEngineError(
            'worker-crashed',
            'The face engine stopped during the request; it has been restarted. Try again.',
          ),
        );
      }
      pump(l);
    });
  });
}

export function ensureStarted(l: WorkerLink): Promise<void> {
  if (!l.ready) {
    l.ready = startWorker(l);
    // A failed start is not cached: the next request tries again.
    l.ready.catch(() => {
      l.ready = null;
    });
  }
  return l.ready;
}

export function pump(l: WorkerLink): void {
  if (l.current || l.dispatching || l.closed) return;
  const next = l.queue.shift();
  if (!next) return;
  l.dispatching = true;
  ensureStarted(l).then(
    () => {
      l.dispatching = false;
      const w = l.worker;
      if (!w || l.closed) return next.reject(new FaceEngineError('closed', 'The face engine is closed.'));
      const timer = setTimeout(() => {
        if (l.current?.req.id !== next.req.id) return;
        l.current = null;
        l.restarts++;
        l.log(`face: request timed out after ${l.timeoutMs} ms; restarting the worker`);
        // Replace the hung worker; its exit event is ignored (worker !== w).
        l.worker = null;
        l.ready = null;
        void w.terminate();
        next.reject(
          new FaceEngineError(
            'timeout',
            `The face engine did not answer within ${l.timeoutMs} ms; it has been restarted.`,
          ),
        );
        pump(l);
      }, l.timeoutMs);
      l.current = { ...next, timer };
      try {
        w.postMessage(next.req, next.transfer);
      } catch (err) {
        clearTimeout(timer);
        l.current = null;
        next.reject(
          new FaceEngineError(
            'bad-frame',
            `The frame could not be sent to the face engine: ${err instanceof Error ? err.message : String(err)}`,
          ),
        );
        pump(l);
      }
    },
    (err: unknown) => {
      l.dispatching = false;
      next.reject(err instanceof FaceEngineError ? err : new FaceEngineError('failed', String(err)));
      pump(l);
    },
  );
}

export function call(l: WorkerLink, req: OutgoingRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
  if (l.closed) return Promise.reject(new FaceEngineError('closed', 'The face engine is closed.'));
  return new Promise((resolve, reject) => {
    l.queue.push({ req, transfer, resolve, reject });
    pump(l);
  });
}

/** Closes the engine: every waiting request is refused and the worker stopped. */
export async function closeLink(l: WorkerLink): Promise<void> {
  l.closed = true;
  for (const p of l.queue.splice(0)) p.reject(new FaceEngineError('closed', 'The face engine is closed.'));
  if (l.current) {
    clearTimeout(l.current.timer);
    l.current.reject(new FaceEngineError('closed', 'The face engine is closed.'));
    l.current = null;
  }
  const w = l.worker;
  l.worker = null;
  if (w) await w.terminate();
}
