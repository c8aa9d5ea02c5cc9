/** Messages between the engine client and its worker thread (both sides validate what they receive). */
import { z } from 'zod';
import { RUNTIMES } from './types.js';
import type { EngineStatus, FaceErrorCode } from './types.js';

const frameShape = z.object({
  width: z.unknown(),
  height: z.unknown(),
  // Checked in detail by validateFrame; here only that it came through as bytes.
  data: z.union([z.instanceof(Uint8Array), z.instanceof(Uint8ClampedArray)]),
});

const boxShape = z
  .object({ x: z.number().finite(), y: z.number().finite(), width: z.number().finite(), height: z.number().finite() })
  .strict();

export const requestSchema = z.discriminatedUnion('op', [
  z.object({
    id: z.number().int(),
    op: z.literal('analyze'),
    frame: frameShape,
    around: boxShape.optional(),
    texture: z.boolean().optional(),
  }),
  z.object({ id: z.number().int(), op: z.literal('describe'), frame: frameShape }),
  z.object({ id: z.number().int(), op: z.literal('status') }),
  /** Makes the worker die with an uncaught error: lets tests prove the client restarts it. */
  z.object({ id: z.number().int(), op: z.literal('crash') }),
]);
export type WorkerRequest = z.infer<typeof requestSchema>;

export interface WireError {
  code: FaceErrorCode;
  message: string;
}

export type WorkerMessage =
  | { type: 'ready'; status: EngineStatus; detail: string }
  | { type: 'fatal'; error: WireError }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: WireError };

const wireError = z.object({
  code: z.enum(['bad-frame', 'no-face', 'several-faces', 'timeout', 'worker-crashed', 'models', 'closed', 'failed']),
  message: z.string(),
});
export const workerMessageSchema = z.union([
  z.object({
    type: z.literal('ready'),
    status: z.object({
      backend: z.enum(['tensorflow', 'wasm']),
      modelId: z.string(),
      metric: z.enum(['euclidean', 'cosine']),
      threshold: z.number(),
      embeddingSize: z.number().int(),
      runtime: z.enum(RUNTIMES),
      loadMs: z.number(),
      tensors: z.number(),
      textureModelId: z.string().optional(),
    }),
    detail: z.string(),
  }),
  z.object({ type: z.literal('fatal'), error: wireError }),
  z.object({ type: z.literal('reply'), id: z.number(), ok: z.literal(true), value: z.unknown() }),
  z.object({ type: z.literal('reply'), id: z.number(), ok: z.literal(false), error: wireError }),
]);

export interface WorkerInit {
  modelsDir: string;
  backend: 'auto' | 'tensorflow' | 'wasm';
  /** Detector input sizes (multiples of 32); defaults in pipeline.ts. For benchmarks and calibration. */
  analyzeInputSize?: number;
  describeInputSize?: number;
  modelPackage?: { dir: string; manifestSha256?: string };
  texture?: { dir: string };
  /** Keep tfjs's stock wasm kernels (face/wasm-kernels.ts): only to measure the difference. */
  stockKernels?: boolean;
}
