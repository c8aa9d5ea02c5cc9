// face-api's detector and landmarks on a tensor, and its results as the engine's FaceAnalysis.
import { faceQuality, poseFromLandmarks } from './geometry.js';
import type { DetectorOptions, FaceApi, Tensor3D, WithLandmarks } from './pipeline-types.js';
import type { FaceAnalysis, RgbaFrame } from './types.js';

export const detectFaces = async (faceapi: FaceApi, input: Tensor3D, tiny: boolean, options: DetectorOptions) =>
  faceapi.detectAllFaces(input, options).withFaceLandmarks(tiny);

/** `shift`: where the frame's origin lies in the tensor the results came from (padding). */
export const toFace = (
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
