// The pipeline's describe pass: the one face of a still frame (looked for again larger, then with a
// border, when nothing is found), its landmarks refined, and its descriptor.
import { CROP_PAD, DESCRIBE_RETRY_INPUT_SIZE } from './detector-sizes.js';
import { detectFaces, toFace } from './face-detection.js';
import type { FrameTensors } from './frame-tensor.js';
import type { Recognition } from './model-package.js';
import type { DetectorOptions, FaceApi, Tensor3D, TfCore, WithLandmarks } from './pipeline-types.js';
import { FaceEngineError, type FaceDescription, type RgbaFrame } from './types.js';

/**
 * A second landmark pass on the box the first landmarks give: at a small detector size the
 * detection box is loose, and the landmarks (hence the aligned crop) inherit that. Re-running the
 * landmark net on the landmark-derived box makes the crop independent of the detector's input
 * size (measured: a wider gap between same and different people on the fixture pairs).
 */
const refineLandmarks = async (
  faceapi: FaceApi,
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

export interface DescriberParts {
  faceapi: FaceApi;
  core: TfCore;
  frames: FrameTensors;
  /** The first detection's options, and the larger retry's. */
  describeOptions: DetectorOptions;
  retryOptions: DetectorOptions;
  recognise: (source: Tensor3D, landmarks: WithLandmarks['landmarks']) => Promise<number[]>;
  recognition: Recognition;
  modelId: string;
}

export function createDescriber(parts: DescriberParts) {
  const { faceapi, core, frames, describeOptions, retryOptions, recognise, recognition, modelId } = parts;
  const { toTensor, release } = frames;
  return async (frame: RgbaFrame): Promise<FaceDescription> => {
    const t0 = performance.now();
    const input = toTensor(frame);
    let padded: Tensor3D | null = null;
    try {
      let source = input;
      let shift = { x: 0, y: 0 };
      let results = await detectFaces(faceapi, input, false, describeOptions);
      if (results.length === 0 && describeOptions.inputSize < DESCRIBE_RETRY_INPUT_SIZE)
        results = await detectFaces(faceapi, input, false, retryOptions);
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
        results = await detectFaces(faceapi, padded, false, describeOptions);
      }
      if (results.length === 0) throw new FaceEngineError('no-face', 'No face was found in the frame.');
      if (results.length > 1)
        throw new FaceEngineError(
          'several-faces',
          `${results.length} faces were found in the frame; exactly one is needed.`,
        );
      const found = results[0] as WithLandmarks;
      const size = { width: frame.width + 2 * shift.x, height: frame.height + 2 * shift.y };
      const landmarks = await refineLandmarks(faceapi, source, size, found);
      const descriptor = await recognise(source, landmarks);
      if (descriptor.length !== recognition.embeddingSize) {
        throw new FaceEngineError(
          'models',
          `The model ${modelId} gave a descriptor of ${descriptor.length} numbers; its manifest says ${recognition.embeddingSize}.`,
        );
      }
      return { descriptor, face: toFace(frame, found, landmarks, shift), ms: performance.now() - t0 };
    } finally {
      padded?.dispose();
      release(input);
    }
  };
}
