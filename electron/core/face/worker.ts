/**
 * Face engine worker thread (entry of the main build → out/main/face-worker.js; from source it runs
 * as worker.ts under tsx). Loads the verified models once, then answers one request at a time.
 * Nothing a request sends can stop it serving: every failure becomes an error reply.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { validateFrame } from './frame.js';
import { createPipeline } from './pipeline.js';
import { requestSchema, type WireError, type WorkerMessage } from './protocol.js';
import { FaceEngineError } from './types.js';

const inputSize = z.number().int().min(96).max(800).multipleOf(32).optional();
const initSchema = z.object({
  modelsDir: z.string().min(1),
  backend: z.enum(['auto', 'tensorflow', 'wasm']),
  analyzeInputSize: inputSize,
  describeInputSize: inputSize,
  modelPackage: z
    .object({
      dir: z.string().min(1),
      manifestSha256: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/)
        .optional(),
    })
    .strict()
    .optional(),
  texture: z
    .object({ dir: z.string().min(1) })
    .strict()
    .optional(),
  stockKernels: z.boolean().optional(),
});

const toWire = (err: unknown): WireError =>
  err instanceof FaceEngineError
    ? { code: err.code, message: err.message }
    : { code: 'failed', message: `Face engine error: ${err instanceof Error ? err.message : String(err)}` };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('face worker must run in a worker thread');
  const send = (m: WorkerMessage): void => port.postMessage(m);
  let pipeline: Awaited<ReturnType<typeof createPipeline>>;
  try {
    const init = initSchema.parse(workerData);
    pipeline = await createPipeline(init.modelsDir, init.backend, {
      ...(init.analyzeInputSize ? { analyzeInputSize: init.analyzeInputSize } : {}),
      ...(init.describeInputSize ? { describeInputSize: init.describeInputSize } : {}),
      ...(init.modelPackage
        ? {
            modelPackage: {
              dir: init.modelPackage.dir,
              ...(init.modelPackage.manifestSha256 ? { manifestSha256: init.modelPackage.manifestSha256 } : {}),
            },
          }
        : {}),
      ...(init.texture ? { texture: init.texture } : {}),
      ...(init.stockKernels ? { stockKernels: true } : {}),
    });
  } catch (err) {
    send({ type: 'fatal', error: toWire(err) });
    return;
  }
  send({ type: 'ready', status: pipeline.status(), detail: pipeline.detail });

  port.on('message', async (raw: unknown) => {
    const parsed = requestSchema.safeParse(raw);
    const id =
      typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number'
        ? (raw as { id: number }).id
        : -1;
    if (!parsed.success) {
      send({
        type: 'reply',
        id,
        ok: false,
        error: {
          code: 'bad-frame',
          message:
            'The request to the face engine is malformed (expected a frame { width, height, data: Uint8Array }).',
        },
      });
      return;
    }
    const req = parsed.data;
    // The worker owns the frame's bytes once they arrive; they are wiped after use (raw frames are PII).
    const wipe = (): void => {
      if (req.op === 'analyze' || req.op === 'describe') req.frame.data.fill(0);
    };
    try {
      let value: unknown;
      if (req.op === 'analyze')
        value = await pipeline.analyze(validateFrame(req.frame), {
          ...(req.around ? { around: req.around } : {}),
          ...(req.texture !== undefined ? { texture: req.texture } : {}),
        });
      else if (req.op === 'describe') value = await pipeline.describe(validateFrame(req.frame));
      else if (req.op === 'status') value = pipeline.status();
      else {
        setImmediate(() => {
          throw new Error('crash requested');
        });
        return;
      }
      send({ type: 'reply', id: req.id, ok: true, value });
    } catch (err) {
      send({ type: 'reply', id: req.id, ok: false, error: toWire(err) });
    } finally {
      wipe();
    }
  });
}

void main();
