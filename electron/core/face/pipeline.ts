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
import { faceQuality, poseFromLandmarks, trackedSquare, wellInside } from './geometry.js';
import { cropToFrameTransform, estimateSimilarity, fivePoints, type Point } from './alignment.js';
import {
  loadVerifiedModels,
  type DetectionNet,
  type ModelPackageLocation,
  type VerifiedGraph,
  type VerifiedNet,
} from './models.js';
import type { Recognition } from './model-package.js';
import { createOnnxRecognizer, type OnnxRecognizer } from './onnx-runtime.js';
import { openTexturePackage } from './texture-package.js';
import { registerFastConcat } from './wasm-kernels.js';
import { createTextureScorer, type TextureScorer } from './texture.js';
import {
  FaceEngineError,
  type EngineStatus,
  type Box,
  type FaceAnalysis,
  type FaceBackend,
  type FaceDescription,
  type FrameAnalysis,
  type RgbaFrame,
} from './types.js';

type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');
type Tf = FaceApi['tf'];
type Tensor3D = ReturnType<Tf['tensor3d']>;
type WithLandmarks = Awaited<ReturnType<ReturnType<FaceApi['detectAllFaces']>['withFaceLandmarks']>>[number];

// Named so it cannot clash with the require shim electron-vite injects into ESM bundles.
const nodeRequire = createRequire(import.meta.url);

/** Detector input size (px, multiple of 32) for live analysis and for describe. */
export const ANALYZE_INPUT_SIZE = 224;
export const DESCRIBE_INPUT_SIZE = 224;
/**
 * describe looks again at this size when the first pass finds no face: a frame where the face is
 * small (a photo, a patient standing back) costs one more pass instead of failing.
 */
export const DESCRIBE_RETRY_INPUT_SIZE = 416;
/** Border added on each side (fraction of the frame) for describe's last try on tight face crops. */
export const CROP_PAD = 0.3;
/**
 * Detector input for the square around a tracked face (2.2× the face, so the face fills about 45 %
 * of it): measured on the fixture recordings at the kiosk's 480×360, no face missed that the whole
 * frame at 224 found (128 missed 12 %).
 */
export const TRACK_INPUT_SIZE = 160;
/** Detections under this score are not faces. */
export const MIN_SCORE = 0.5;

export interface AnalyzeOptions {
  /** The tracked face's box (frame pixels): look in the square around it first. */
  around?: Box;
  /** Score the texture model on the one face (default true). */
  texture?: boolean;
}

export interface Pipeline {
  analyze(frame: RgbaFrame, options?: AnalyzeOptions): Promise<FrameAnalysis>;
  describe(frame: RgbaFrame): Promise<FaceDescription>;
  status(): EngineStatus;
}

type TfCore = typeof import('@tensorflow/tfjs');

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

/** The `tfjs-graph` runtime: a tfjs graph model (verified bytes, loaded from memory) on the engine's own tfjs backend. */
async function loadGraph(core: TfCore, parts: VerifiedGraph, recognition: Recognition, modelId: string) {
  const norm = recognition.normalisation;
  if (!norm)
    throw new FaceEngineError(
      'models',
      `The face model package ${modelId} (tfjs-graph) has no normalisation in its manifest.`,
    );
  let model: import('@tensorflow/tfjs').GraphModel;
  try {
    model = await core.loadGraphModel(
      core.io.fromMemory({
        modelTopology: parts.modelTopology,
        weightSpecs: parts.weightSpecs as import('@tensorflow/tfjs').io.WeightsManifestEntry[],
        weightData: parts.weightData,
        format: 'graph-model',
      }),
    );
  } catch (err) {
    throw new FaceEngineError(
      'models',
      `The face model package ${modelId} could not be opened as a tfjs graph model: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  // Per input channel of the net (after the channel order), as the onnx runtime reads them.
  const mean = core.tensor1d(norm.mean);
  const std = core.tensor1d(norm.std);
  return {
    /** `crop`: the aligned [1, S, S, 3] RGB crop, floats 0–255; the manifest's normalisation, then the net. */
    async describe(crop: import('@tensorflow/tfjs').Tensor): Promise<number[]> {
      const output = core.tidy(() => {
        let x = norm.channels === 'bgr' ? core.reverse(crop, -1) : crop;
        x = core.div(core.sub(x, mean), std);
        if (norm.layout === 'nchw') x = core.transpose(x, [0, 3, 1, 2]);
        const out = model.execute(x);
        return Array.isArray(out) ? (out[0] as import('@tensorflow/tfjs').Tensor) : out;
      });
      try {
        return Array.from(await output.data(), Number);
      } finally {
        output.dispose();
      }
    },
  };
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
  const graph =
    verified.recognitionModel.kind === 'tfjs-graph'
      ? await loadGraph(core, verified.recognitionModel.graph, recognition, verified.modelId)
      : null;

  const analyzeOptions = new faceapi.TinyFaceDetectorOptions({
    inputSize: sizes.analyzeInputSize ?? ANALYZE_INPUT_SIZE,
    scoreThreshold: MIN_SCORE,
  });
  const describeOptions = new faceapi.TinyFaceDetectorOptions({
    inputSize: sizes.describeInputSize ?? DESCRIBE_INPUT_SIZE,
    scoreThreshold: MIN_SCORE,
  });
  const trackOptions = new faceapi.TinyFaceDetectorOptions({
    inputSize: TRACK_INPUT_SIZE,
    scoreThreshold: MIN_SCORE,
  });
  const retryOptions = new faceapi.TinyFaceDetectorOptions({
    inputSize: DESCRIBE_RETRY_INPUT_SIZE,
    scoreThreshold: MIN_SCORE,
  });

  const wipeAfterDispose = new WeakMap<Tensor3D, Float32Array>();
  const release = (t: Tensor3D): void => {
    t.dispose();
    wipeAfterDispose.get(t)?.fill(0);
  };

  /**
   * RGBA bytes → float RGB tensor [h, w, 3] in one pass (tfjs has no RGBA input in Node); of the
   * whole frame, or only of `region` (integer pixels inside the frame). On wasm the pixels are copied
   * into the wasm heap as the tensor is made, so one scratch array serves every frame (wiped at once):
   * no 2 MB allocation per frame for the garbage collector to chase.
   */
  let scratch = new Float32Array(0);
  const toTensor = (frame: RgbaFrame, region?: Box): Tensor3D => {
    const { data } = frame;
    const x0 = region?.x ?? 0;
    const y0 = region?.y ?? 0;
    const width = region?.width ?? frame.width;
    const height = region?.height ?? frame.height;
    const size = width * height * 3;
    if (backend === 'wasm' && scratch.length < size) scratch = new Float32Array(size);
    const rgb = backend === 'wasm' ? scratch.subarray(0, size) : new Float32Array(size);
    for (let y = 0, j = 0; y < height; y++) {
      for (let i = ((y0 + y) * frame.width + x0) * 4, end = i + width * 4; i < end; i += 4, j += 3) {
        rgb[j] = data[i] as number;
        rgb[j + 1] = data[i + 1] as number;
        rgb[j + 2] = data[i + 2] as number;
      }
    }
    const tensor = tf.tensor3d(rgb, [height, width, 3], 'float32');
    // wasm has copied the pixels; tfjs-node may read the array lazily, so it is wiped once the tensor is disposed.
    if (backend === 'wasm') rgb.fill(0);
    else wipeAfterDispose.set(tensor, rgb);
    return tensor;
  };

  /** `shift`: where the frame's origin lies in the tensor the results came from (padding). */
  const toFace = (
    frame: RgbaFrame,
    r: WithLandmarks,
    refined?: WithLandmarks['landmarks'],
    shift = { x: 0, y: 0 },
  ): FaceAnalysis => {
    const b = r.detection.box;
    const box = { x: b.x - shift.x, y: b.y - shift.y, width: b.width, height: b.height };
    const landmarks = (refined ?? r.landmarks).positions.map((p): [number, number] => [p.x - shift.x, p.y - shift.y]);
    const truncated =
      box.x < 0 ||
      box.y < 0 ||
      box.x + box.width > frame.width ||
      box.y + box.height > frame.height ||
      landmarks.some(([x, y]) => x < 0 || y < 0 || x >= frame.width || y >= frame.height);
    return {
      box,
      score: r.detection.score,
      landmarks,
      pose: poseFromLandmarks(landmarks),
      quality: faceQuality(frame, box),
      truncated,
    };
  };

  const detect = async (input: Tensor3D, tiny: boolean, options: InstanceType<FaceApi['TinyFaceDetectorOptions']>) =>
    faceapi.detectAllFaces(input, options).withFaceLandmarks(tiny);

  /** The faces in the square around a tracked face, when it shows exactly one well inside it; else null. */
  const analyzeAround = async (frame: RgbaFrame, around: Box): Promise<FaceAnalysis | null> => {
    const square = trackedSquare(frame, around);
    if (!square) return null;
    const input = toTensor(frame, square);
    try {
      const results = await detect(input, true, trackOptions);
      if (results.length !== 1) return null;
      // Back to frame pixels: toFace subtracts the shift.
      const face = toFace(frame, results[0] as WithLandmarks, undefined, { x: -square.x, y: -square.y });
      return wellInside(frame, square, face.box, Math.max(2, square.width * 0.02)) ? face : null;
    } finally {
      release(input);
    }
  };

  const analyze = async (frame: RgbaFrame, options: AnalyzeOptions = {}): Promise<FrameAnalysis> => {
    const t0 = performance.now();
    let scope: FrameAnalysis['scope'] = 'frame';
    let faces: FaceAnalysis[];
    const tracked = options.around ? await analyzeAround(frame, options.around) : null;
    if (tracked) {
      scope = 'around';
      faces = [tracked];
    } else {
      const input = toTensor(frame);
      try {
        const results = await detect(input, true, analyzeOptions);
        faces = results
          .map((r) => toFace(frame, r))
          .sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
      } finally {
        release(input);
      }
    }
    // The texture model on the one face (a frame with several faces fails presence anyway).
    const only = faces.length === 1 ? faces[0] : undefined;
    if (texture && only && options.texture !== false) only.texture = await texture.score(frame, only.box);
    return { width: frame.width, height: frame.height, faces, ms: performance.now() - t0, scope };
  };

  /**
   * A second landmark pass on the box the first landmarks give: at a small detector size the
   * detection box is loose, and the landmarks (hence the aligned crop) inherit that. Re-running the
   * landmark net on the landmark-derived box makes the crop independent of the detector's input
   * size (measured: a wider gap between same and different people on the fixture pairs).
   */
  const refineLandmarks = async (
    input: Tensor3D,
    frame: { width: number; height: number },
    found: WithLandmarks,
  ): Promise<WithLandmarks['landmarks']> => {
    const b = found.alignedRect.box.clipAtImageBorders(frame.width, frame.height);
    if (b.width < 8 || b.height < 8) return found.landmarks;
    const rect = new faceapi.Rect(b.x, b.y, b.width, b.height);
    const crops = await faceapi.extractFaceTensors(input, [rect]);
    try {
      const lm = (await faceapi.nets.faceLandmark68Net.detectLandmarks(
        crops[0] as Tensor3D,
      )) as unknown as WithLandmarks['landmarks'];
      return lm.shiftBy<WithLandmarks['landmarks']>(b.x, b.y);
    } finally {
      for (const c of crops) c.dispose();
    }
  };

  /** The face warped onto the model's template: a [1, S, S, 3] float tensor of 0–255 pixels (bilinear, black outside the frame). */
  const alignedCrop = (
    source: Tensor3D,
    landmarks: WithLandmarks['landmarks'],
    template: readonly Point[],
    side: number,
  ) => {
    const points = fivePoints(landmarks.positions.map((p): [number, number] => [p.x, p.y]));
    const transform = cropToFrameTransform(estimateSimilarity(points, template));
    return core.tidy(() =>
      core.image.transform(
        (source as unknown as import('@tensorflow/tfjs').Tensor3D).expandDims(0) as import('@tensorflow/tfjs').Tensor4D,
        core.tensor2d([transform], [1, 8]),
        'bilinear',
        'constant',
        0,
        [side, side],
      ),
    );
  };

  /** The descriptor of one face, as the active model package says: its alignment, input and runtime. */
  const recognise = async (source: Tensor3D, landmarks: WithLandmarks['landmarks']): Promise<number[]> => {
    const alignment = recognition.alignment;
    if (onnx) {
      if (alignment.method !== 'similarity')
        throw new FaceEngineError(
          'models',
          `The model ${verified.modelId} needs a similarity alignment template in its manifest.`,
        );
      const crop = alignedCrop(source, landmarks, alignment.template, recognition.inputSize);
      let pixels: Float32Array;
      try {
        pixels = (await crop.data()) as Float32Array;
      } finally {
        crop.dispose();
      }
      try {
        return await onnx.describe(pixels);
      } finally {
        pixels.fill(0);
      }
    }
    if (graph) {
      if (alignment.method !== 'similarity')
        throw new FaceEngineError(
          'models',
          `The model ${verified.modelId} needs a similarity alignment template in its manifest.`,
        );
      const crop = alignedCrop(source, landmarks, alignment.template, recognition.inputSize);
      try {
        return await graph.describe(crop);
      } finally {
        crop.dispose();
      }
    }
    if (alignment.method === 'faceapi-box') {
      // face-api's own alignment (dlib reference points, an axis-aligned box), on this face only.
      const aligned = landmarks.align(null, { useDlibAlignment: true });
      const crops = await faceapi.extractFaceTensors(source, [aligned]);
      try {
        return Array.from(
          (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(crops[0] as Tensor3D)) as Float32Array,
        );
      } finally {
        for (const c of crops) c.dispose();
      }
    }
    const crop4 = alignedCrop(source, landmarks, alignment.template, recognition.inputSize);
    const crop = core.squeeze(crop4, [0]) as unknown as Tensor3D;
    crop4.dispose();
    try {
      return Array.from((await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(crop)) as Float32Array);
    } finally {
      crop.dispose();
    }
  };

  const describe = async (frame: RgbaFrame): Promise<FaceDescription> => {
    const t0 = performance.now();
    const input = toTensor(frame);
    let padded: Tensor3D | null = null;
    try {
      let source = input;
      let shift = { x: 0, y: 0 };
      let results = await detect(input, false, describeOptions);
      if (results.length === 0 && describeOptions.inputSize < DESCRIBE_RETRY_INPUT_SIZE)
        results = await detect(input, false, retryOptions);
      if (results.length === 0) {
        // Last try, for a face that fills the frame edge to edge (a tight crop): the detector needs
        // some context around a face, so the frame is framed with a grey border.
        shift = { x: Math.round(frame.width * CROP_PAD), y: Math.round(frame.height * CROP_PAD) };
        padded = core.pad(
          input as unknown as import('@tensorflow/tfjs').Tensor3D,
          [
            [shift.y, shift.y],
            [shift.x, shift.x],
            [0, 0],
          ],
          128,
        ) as unknown as Tensor3D;
        source = padded;
        results = await detect(padded, false, describeOptions);
      }
      if (results.length === 0) throw new FaceEngineError('no-face', 'No face was found in the frame.');
      if (results.length > 1)
        throw new FaceEngineError(
          'several-faces',
          `${results.length} faces were found in the frame; exactly one is needed.`,
        );
      const found = results[0] as WithLandmarks;
      const size = { width: frame.width + 2 * shift.x, height: frame.height + 2 * shift.y };
      const landmarks = await refineLandmarks(source, size, found);
      const descriptor = await recognise(source, landmarks);
      if (descriptor.length !== recognition.embeddingSize) {
        throw new FaceEngineError(
          'models',
          `The model ${verified.modelId} gave a descriptor of ${descriptor.length} numbers; its manifest says ${recognition.embeddingSize}.`,
        );
      }
      return { descriptor, face: toFace(frame, found, landmarks, shift), ms: performance.now() - t0 };
    } finally {
      padded?.dispose();
      release(input);
    }
  };

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
