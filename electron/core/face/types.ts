/**
 * What the face engine takes and answers. Shared by the worker, its client, the presence policy,
 * the renderer (type-only) and the tools. Coordinates are pixels of the frame given.
 */

/** A raw RGBA frame as the camera gave it; never written anywhere. */
export interface RgbaFrame {
  width: number;
  height: number;
  /** width * height * 4 bytes, row-major RGBA. */
  data: Uint8Array | Uint8ClampedArray;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Head pose in degrees: yaw > 0 is the person's head turned to their left (image right). */
export interface Pose {
  yawDeg: number;
  pitchDeg: number;
  rollDeg: number;
}

export interface Quality {
  /** Face box width / frame width. */
  faceWidthRatio: number;
  /** Distance of the face centre from the frame centre, as a fraction of the half-frame (0 = centred). */
  centreOffset: number;
  /** Variance of the Laplacian over the face region (higher is sharper). */
  sharpness: number;
  /** Mean luma over the face region, 0–255. */
  brightness: number;
}

export interface FaceAnalysis {
  box: Box;
  score: number;
  /** 68 points, [x, y] in pixels. */
  landmarks: Array<[number, number]>;
  pose: Pose;
  quality: Quality;
}

export interface FrameAnalysis {
  width: number;
  height: number;
  faces: FaceAnalysis[];
  /** Engine time for this frame. */
  ms: number;
}

export interface FaceDescription {
  /** 128 floats; lives only in memory and is sealed at once. */
  descriptor: number[];
  face: FaceAnalysis;
  ms: number;
}

export type FaceBackend = 'tensorflow' | 'wasm';

export interface EngineStatus {
  backend: FaceBackend;
  /** Identifies the weights (hash prefix of the manifest) so envelopes say which model made them. */
  modelId: string;
  loadMs: number;
  tensors: number;
}
