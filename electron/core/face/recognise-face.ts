// The recognition pass: the descriptor of one face, by the active model package's alignment, input
// and runtime (face-api's own net, an ONNX model or a tfjs graph model).
import { cropToFrameTransform, estimateSimilarity, fivePoints, type Point } from './alignment.js';
import type { VerifiedGraph } from './models.js';
import type { Recognition } from './model-package.js';
import type { OnnxRecognizer } from './onnx-runtime.js';
import type { FaceApi, Tensor3D, TfCore, WithLandmarks } from './pipeline-types.js';
import { FaceEngineError } from './types.js';

/** The `tfjs-graph` runtime: a tfjs graph model (verified bytes, loaded from memory) on the engine's own tfjs backend. */
export async function loadGraph(core: TfCore, parts: VerifiedGraph, recognition: Recognition, modelId: string) {
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

/** The face warped onto the model's template: a [1, S, S, 3] float tensor of 0–255 pixels (bilinear, black outside the frame). */
const alignedCrop = (
  core: TfCore,
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

/** The loaded recognition runtime: face-api's net (always loaded), or the package's ONNX or graph model. */
export interface RecogniserParts {
  faceapi: FaceApi;
  core: TfCore;
  recognition: Recognition;
  modelId: string;
  onnx: OnnxRecognizer | null;
  graph: Awaited<ReturnType<typeof loadGraph>> | null;
}

/** The descriptor of one face, as the active model package says: its alignment, input and runtime. */
export function createRecogniser(parts: RecogniserParts) {
  const { faceapi, core, recognition, modelId, onnx, graph } = parts;
  return async (source: Tensor3D, landmarks: WithLandmarks['landmarks']): Promise<number[]> => {
    const alignment = recognition.alignment;
    if (onnx) {
      if (alignment.method !== 'similarity')
        throw new FaceEngineError(
          'models',
          `The model ${modelId} needs a similarity alignment template in its manifest.`,
        );
      const crop = alignedCrop(core, source, landmarks, alignment.template, recognition.inputSize);
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
          `The model ${modelId} needs a similarity alignment template in its manifest.`,
        );
      const crop = alignedCrop(core, source, landmarks, alignment.template, recognition.inputSize);
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
    const crop4 = alignedCrop(core, source, landmarks, alignment.template, recognition.inputSize);
    const crop = core.squeeze(crop4, [0]) as unknown as Tensor3D;
    crop4.dispose();
    try {
      return Array.from((await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(crop)) as Float32Array);
    } finally {
      crop.dispose();
    }
  };
}
