/**
 * The `onnx` runtime of model packages: onnxruntime-node (an optional node-api module; in the
 * Electron build it is unpacked from the asar, electron-builder.yml). Where it is not installed or
 * does not load, a package that needs it stops the engine with a message saying so; the built-in
 * package does not need it.
 */
import { createRequire } from 'node:module';
import type { Recognition } from './model-package.js';
import { FaceEngineError, type FaceErrorCode } from './types.js';

// Named so it cannot clash with the require shim electron-vite injects into ESM bundles.
const nodeRequire = createRequire(import.meta.url);

export interface OrtTensor {
  data: ArrayLike<number>;
}
export interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensor>>;
}
export interface Ort {
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

/**
 * onnxruntime-node, or a FaceEngineError saying who needs it (`what`, e.g. "The texture model X")
 * and what to do. The one place the kiosk loads it: recognition packages and the texture model.
 */
export function requireOrt(what: string, remedy: string, code: FaceErrorCode): Ort {
  try {
    return nodeRequire('onnxruntime-node') as Ort;
  } catch (err) {
    const why = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    throw new FaceEngineError(code, `${what} needs onnxruntime-node, which does not load here (${why}). ${remedy}`);
  }
}

/** One CPU session of an ONNX graph, one thread: the kiosk's CPU is shared with the live analysis loop. */
export async function openOrtSession(ort: Ort, model: Uint8Array, what: string): Promise<OrtSession> {
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new FaceEngineError(
      'models',
      `${what} could not be opened by onnxruntime: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export interface OnnxRecognizer {
  /** `pixels`: the aligned crop, S×S×3 RGB floats 0–255 (row-major, as tfjs gives them). */
  describe(pixels: Float32Array): Promise<number[]>;
}

export async function createOnnxRecognizer(
  model: Uint8Array,
  recognition: Recognition,
  modelId: string,
): Promise<OnnxRecognizer> {
  const ort = requireOrt(
    `The face model package ${modelId}`,
    'Install it (npm install onnxruntime-node) or remove face.model from the configuration to use the built-in model.',
    'failed',
  );
  const norm = recognition.normalisation;
  if (!norm)
    throw new FaceEngineError(
      'models',
      `The face model package ${modelId} (onnx) has no normalisation in its manifest.`,
    );
  const session = await openOrtSession(ort, model, `The face model package ${modelId}`);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (!inputName || !outputName)
    throw new FaceEngineError('models', `The face model package ${modelId} has no input or output.`);
  const side = recognition.inputSize;
  const plane = side * side;
  const order = norm.channels === 'rgb' ? [0, 1, 2] : [2, 1, 0];

  const describe = async (pixels: Float32Array): Promise<number[]> => {
    if (pixels.length !== plane * 3)
      throw new FaceEngineError('failed', `The aligned crop has ${pixels.length} values, not ${plane * 3}.`);
    const input = new Float32Array(plane * 3);
    for (let c = 0; c < 3; c++) {
      const from = order[c] as number;
      const mean = norm.mean[c] as number;
      const std = norm.std[c] as number;
      for (let i = 0; i < plane; i++) {
        const v = ((pixels[i * 3 + from] as number) - mean) / std;
        if (norm.layout === 'nchw') input[c * plane + i] = v;
        else input[i * 3 + c] = v;
      }
    }
    const dims = norm.layout === 'nchw' ? [1, 3, side, side] : [1, side, side, 3];
    try {
      const out = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
      const data = out[outputName]?.data;
      if (!data) throw new FaceEngineError('failed', `The face model package ${modelId} gave no output.`);
      return Array.from(data, Number);
    } finally {
      input.fill(0);
    }
  };
  // Warm-up: the first run allocates and optimises.
  await describe(new Float32Array(plane * 3).fill(128));
  return { describe };
}
