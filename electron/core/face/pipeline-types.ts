// The face-api and tfjs types the pipeline's parts share (types only: pipeline.ts loads the modules).
import type { Box } from './types.js';

export type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');
export type Tf = FaceApi['tf'];
export type TfCore = typeof import('@tensorflow/tfjs');
export type Tensor3D = ReturnType<Tf['tensor3d']>;
export type WithLandmarks = Awaited<ReturnType<ReturnType<FaceApi['detectAllFaces']>['withFaceLandmarks']>>[number];
export type DetectorOptions = InstanceType<FaceApi['TinyFaceDetectorOptions']>;

export interface AnalyzeOptions {
  /** The tracked face's box (frame pixels): look in the square around it first. */
  around?: Box;
  /** Score the texture model on the one face (default true). */
  texture?: boolean;
}
