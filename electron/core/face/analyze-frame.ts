// The pipeline's analyze pass: the faces of a live frame (around the tracked face when it can),
// each with landmarks, pose and quality, and the texture score of the one face.
import { trackedSquare, wellInside } from './geometry.js';
import { detectFaces, toFace } from './face-detection.js';
import type { FrameTensors } from './frame-tensor.js';
import type { AnalyzeOptions, DetectorOptions, FaceApi, WithLandmarks } from './pipeline-types.js';
import type { TextureScorer } from './texture.js';
import type { Box, FaceAnalysis, FrameAnalysis, RgbaFrame } from './types.js';

export interface AnalyzerParts {
  faceapi: FaceApi;
  frames: FrameTensors;
  texture: TextureScorer | null;
  /** The whole frame's detector options, and the tracked square's. */
  analyzeOptions: DetectorOptions;
  trackOptions: DetectorOptions;
}

export function createAnalyzer(parts: AnalyzerParts) {
  const { faceapi, frames, texture, analyzeOptions, trackOptions } = parts;
  const { toTensor, release } = frames;

  /** The faces in the square around a tracked face, when it shows exactly one well inside it; else null. */
  const analyzeAround = async (frame: RgbaFrame, around: Box): Promise<FaceAnalysis | null> => {
    const square = trackedSquare(frame, around);
    if (!square) return null;
    const input = toTensor(frame, square);
    try {
      const results = await detectFaces(faceapi, input, true, trackOptions);
      if (results.length !== 1) return null;
      // Back to frame pixels: toFace subtracts the shift.
      const face = toFace(frame, results[0] as WithLandmarks, undefined, { x: -square.x, y: -square.y });
      return wellInside(frame, square, face.box, Math.max(2, square.width * 0.02)) ? face : null;
    } finally {
      release(input);
    }
  };

  return async (frame: RgbaFrame, options: AnalyzeOptions = {}): Promise<FrameAnalysis> => {
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
        const results = await detectFaces(faceapi, input, true, analyzeOptions);
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
}
