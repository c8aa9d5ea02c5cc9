/**
 * The face pipeline itself (runs inside the worker thread): tfjs backend set-up, verified model
 * loading and the analyze/describe passes. Every tensor made here is disposed before returning.
 *
 * Speed choices (measured in `npm run bench`, see docs/face-engine.md):
 *  - analyze: tiny face detector at 224 px + tiny 68-point landmarks per face; pose and quality in
 *    plain JS. Given the box of a tracked face (`around`), only the square around it is converted
 *    and searched, at 160 px (half the detector's work; the same landmarks within 0.02 face widths,
 *    docs/presence.md "Cost"); the whole frame when that square does not show exactly one face
 *    well inside it.
 *  - describe: the same 224 px detection (retried at 416 px, then with a border, only when nothing
 *    is found; no SSD), full 68-point landmarks refined once on their own box, the dlib-aligned
 *    crop, then the recognition net once, on the one face only.
 */
import { createRequire } from 'node:module';
import { wasmDir, type BackendPreference } from './backend.js';
import { createAnalyzer } from './analyze-frame.js';
import { createDescriber } from './describe-face.js';
import {
  ANALYZE_INPUT_SIZE,
  DESCRIBE_INPUT_SIZE,
  DESCRIBE_RETRY_INPUT_SIZE,
  MIN_SCORE,
  TRACK_INPUT_SIZE,
} from './detector-sizes.js';
import { createFrameTensors } from './frame-tensor.js';
import { loadVerifiedModels, type DetectionNet, type ModelPackageLocation, type VerifiedNet } from './models.js';
import type { Recognition } from './model-package.js';
import { createOnnxRecognizer, type OnnxRecognizer } from './onnx-runtime.js';
import type { AnalyzeOptions, FaceApi, Tf, TfCore } from './pipeline-types.js';
import { createRecogniser, loadGraph } from './recognise-face.js';
import { openTexturePackage } from './texture-package.js';
import { registerFastConcat } from './wasm-kernels.js';
import { createTextureScorer, type TextureScorer } from './texture.js';
import {
  FaceEngineError,
  type EngineStatus,
  type FaceBackend,
  type FaceDescription,
  type FrameAnalysis,
  type RgbaFrame,
} from './types.js';

export {
  ANALYZE_INPUT_SIZE,
  DESCRIBE_INPUT_SIZE,
  DESCRIBE_RETRY_INPUT_SIZE,
  CROP_PAD,
  TRACK_INPUT_SIZE,
  MIN_SCORE,
} from './detector-sizes.js';
export type { AnalyzeOptions } from './pipeline-types.js';

// Named so it cannot clash with the require shim electron-vite injects into ESM bundles.
const nodeRequire = createRequire(import.meta.url);

export interface Pipeline {
  analyze(frame: RgbaFrame, options?: AnalyzeOptions): Promise<FrameAnalysis>;
  describe(frame: RgbaFrame): Promise<FaceDescription>;
  status(): EngineStatus;
}

async function setUpBackend(
  tf: TfCore,
  preference: BackendPreference,
  stockKernels = false,
): Promise<{ backend: FaceBackend; detail: string }> {
  let nativeError = '';
  if (preference !== 'wasm') {
    try {
      // Registers the 'tensorflow' backend on the same @tensorflow/tfjs instance face-api uses.
      nodeRequire('@tensorflow/tfjs-node');
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        return { backend: 'tensorflow', detail: 'tfjs-node (native libtensorflow)' };
      }
      nativeError = 'backend did not initialise';
    } catch (err) {
      nativeError = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    }
    if (preference === 'tensorflow')
      throw new FaceEngineError('failed', `The tfjs-node backend was requested but does not load: ${nativeError}`);
  }
  const wasm = nodeRequire('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmDir());
  // Node has no cross-origin isolation for wasm threads; the single-threaded SIMD binary is used.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new FaceEngineError('failed', 'The wasm backend did not initialise.');
  await tf.ready();
  // The stock wasm Concat costs ~9 ms a frame in face-api's input normalisation (wasm-kernels.ts).
  if (!stockKernels) registerFastConcat(tf);
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return {
    backend: 'wasm',
    detail: `wasm (${simd ? 'SIMD' : 'no SIMD'}, 1 thread)${nativeError && preference === 'auto' ? '; tfjs-node unavailable' : ''}`,
  };
}

/** Sets up the backend, verifies and loads the models, warms up; throws FaceEngineError on any failure. */
export interface PipelineOptions {
  analyzeInputSize?: number;
  describeInputSize?: number;
  /** The recognition model package (default: the built-in one in modelsDir). */
  modelPackage?: ModelPackageLocation;
  /** The texture model package's folder; when given it must verify and load, or the engine does not start. */
  texture?: { dir: string };
  /** Keep tfjs's stock wasm kernels (wasm-kernels.ts replaces Concat): only to measure the difference. */
  stockKernels?: boolean;
}

/** face-api's nets from the verified weights: detector and landmarks, and its recognition net when the package uses it. */
function loadFaceApiNets(
  faceapi: FaceApi,
  verified: ReturnType<typeof loadVerifiedModels>,
  recognition: Recognition,
): void {
  const tf = faceapi.tf;
  type WeightMap = ReturnType<Tf['io']['decodeWeights']>;
  const decode = (
    net: { loadFromWeightMap(map: WeightMap): void },
    model: VerifiedNet | undefined,
    name: string,
  ): void => {
    if (!model) throw new FaceEngineError('models', `Face model ${name} was not loaded.`);
    net.loadFromWeightMap(tf.io.decodeWeights(model.data, model.specs as Parameters<Tf['io']['decodeWeights']>[1]));
  };
  const load = (net: { loadFromWeightMap(map: WeightMap): void }, name: DetectionNet): void =>
    decode(net, verified.detection.get(name), name);
  load(faceapi.nets.tinyFaceDetector, 'tiny_face_detector_model');
  load(faceapi.nets.faceLandmark68TinyNet, 'face_landmark_68_tiny_model');
  load(faceapi.nets.faceLandmark68Net, 'face_landmark_68_model');
  if (verified.recognitionModel.kind === 'faceapi')
    decode(faceapi.nets.faceRecognitionNet, verified.recognitionModel.net, recognition.file);
}

/** The tiny detector's options for each pass: live analysis, describe, the tracked square, describe's retry. */
function detectorOptions(faceapi: FaceApi, sizes: PipelineOptions) {
  const analyze = new faceapi.TinyFaceDetectorOptions({
    inputSize: sizes.analyzeInputSize ?? ANALYZE_INPUT_SIZE,
    scoreThreshold: MIN_SCORE,
  });
  const describe = new faceapi.TinyFaceDetectorOptions({
    inputSize: sizes.describeInputSize ?? DESCRIBE_INPUT_SIZE,
    scoreThreshold: MIN_SCORE,
  });
  const track = new faceapi.TinyFaceDetectorOptions({
    inputSize: TRACK_INPUT_SIZE,
    scoreThreshold: MIN_SCORE,
  });
  const retry = new faceapi.TinyFaceDetectorOptions({
    inputSize: DESCRIBE_RETRY_INPUT_SIZE,
    scoreThreshold: MIN_SCORE,
  });
  return { analyze, describe, track, retry };
}

export async function createPipeline(
  modelsDir: string,
  preference: BackendPreference,
  sizes: PipelineOptions = {},
): Promise<Pipeline & { detail: string }> {
  const started = performance.now();
  // Verify before touching tfjs, so a tampered file fails fast and by name.
  const verified = loadVerifiedModels(modelsDir, sizes.modelPackage);
  const recognition = verified.recognition.manifest.recognition;
  // A native runtime is loaded before tfjs, so a kiosk where it does not load says so at start.
  let onnx: OnnxRecognizer | null = null;
  if (verified.recognitionModel.kind === 'onnx')
    onnx = await createOnnxRecognizer(verified.recognitionModel.bytes, recognition, verified.modelId);
  const texturePackage = sizes.texture ? openTexturePackage(sizes.texture.dir) : null;
  const texture: TextureScorer | null = texturePackage
    ? await createTextureScorer(texturePackage.nets, texturePackage.modelId)
    : null;
  const faceapi = nodeRequire('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  // face-api's own tfjs namespace: the same @tensorflow/tfjs instance its nets run on.
  const tf = faceapi.tf;
  // The full tfjs API (backends, flags, memory) of that same instance: node resolves one module.
  const core = nodeRequire('@tensorflow/tfjs') as TfCore;
  const { backend, detail } = await setUpBackend(core, preference, sizes.stockKernels === true);

  loadFaceApiNets(faceapi, verified, recognition);
  const graph =
    verified.recognitionModel.kind === 'tfjs-graph'
      ? await loadGraph(core, verified.recognitionModel.graph, recognition, verified.modelId)
      : null;

  const options = detectorOptions(faceapi, sizes);
  const frames = createFrameTensors(tf, backend);
  const analyze = createAnalyzer({
    faceapi,
    frames,
    texture,
    analyzeOptions: options.analyze,
    trackOptions: options.track,
  });
  const recognise = createRecogniser({ faceapi, core, recognition, modelId: verified.modelId, onnx, graph });
  const describe = createDescriber({
    faceapi,
    core,
    frames,
    describeOptions: options.describe,
    retryOptions: options.retry,
    recognise,
    recognition,
    modelId: verified.modelId,
  });

  // Warm-up: the first pass through each net compiles kernels and allocates; do it before serving.
  const blank: RgbaFrame = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 4).fill(128) };
  await analyze(blank);
  await describe(blank).catch(() => undefined);
  const loadMs = performance.now() - started;

  return {
    analyze,
    describe,
    detail,
    status: () => ({
      backend,
      modelId: verified.modelId,
      metric: recognition.metric,
      threshold: recognition.threshold,
      embeddingSize: recognition.embeddingSize,
      runtime: verified.recognition.manifest.runtime,
      loadMs,
      tensors: core.memory().numTensors,
      ...(texturePackage ? { textureModelId: texturePackage.modelId } : {}),
    }),
  };
}
