import type { DescriptorMetric } from './descriptor-distance.js';

/** How a model package's recogniser runs (its manifest's `runtime`). */
export const RUNTIMES = ['faceapi-tfjs', 'onnx', 'tfjs-graph'] as const;
export type ModelRuntime = (typeof RUNTIMES)[number];

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
  /** True when part of the face (box or landmarks) lies outside the frame: landmarks there are guesses. */
  truncated?: boolean;
  /**
   * Real-face probability (0–1) of the texture model (face/texture.ts) on this face; set when the
   * engine runs one and the frame shows exactly one face.
   */
  texture?: number;
}

export interface FrameAnalysis {
  width: number;
  height: number;
  faces: FaceAnalysis[];
  /** Engine time for this frame. */
  ms: number;
  /**
   * What the engine looked at: `frame`, the whole frame (every face in it is in `faces`); `around`,
   * only the square around the box the caller gave (`FrameOptions.around`), where it found exactly
   * one face well inside. A face elsewhere in the frame is not seen on an `around` frame. Absent: `frame`.
   */
  scope?: 'frame' | 'around';
}

export interface FaceDescription {
  /** The model's embedding (128 floats for the built-in model; the length is the manifest's embeddingSize); lives only in memory and is sealed at once. */
  descriptor: number[];
  face: FaceAnalysis;
  ms: number;
}

export type FaceBackend = 'tensorflow' | 'wasm';

export interface EngineStatus {
  backend: FaceBackend;
  /** `<package id>@<manifest hash prefix>`: envelopes say which model made a descriptor. */
  modelId: string;
  /** How this model's descriptors are compared (descriptorDistance in descriptor-distance.ts) and the distance under which they are the same person. */
  metric: DescriptorMetric;
  threshold: number;
  embeddingSize: number;
  /** The recognition model's runtime. */
  runtime: ModelRuntime;
  loadMs: number;
  tensors: number;
  /** The texture model package's id (`<id>@<manifest hash prefix>`) when the engine runs one. */
  textureModelId?: string;
}

/** Why a request was refused; stable strings callers may branch on. */
export type FaceErrorCode =
  | 'bad-frame' // the frame is not a valid RGBA frame (dimensions, length, type)
  | 'no-face' // describe: no face in the frame
  | 'several-faces' // describe: more than one face; the engine never picks one silently
  | 'timeout' // the worker did not answer in time (it is restarted)
  | 'worker-crashed' // the worker died during the request (it is restarted)
  | 'models' // a weight file is missing or does not match models/manifest.json
  | 'closed' // the engine was closed
  | 'failed';

/** Error thrown by the engine and its client; `code` is stable, `message` is readable and holds no PII. */
export class FaceEngineError extends Error {
  constructor(
    readonly code: FaceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FaceEngineError';
  }
}

export interface FaceEngineOptions {
  /** Folder holding the built-in model package (normally <project>/models). */
  modelsDir: string;
  /**
   * Another recognition model package (folder with manifest.json and its files). Its manifest must be
   * pinned in this build, or `manifestSha256` must name it (the kiosk config's face.model).
   */
  modelPackage?: { dir: string; manifestSha256?: string };
  /** 'auto': tfjs-node where it loads, else wasm. */
  backend?: 'auto' | FaceBackend;
  /** Per request; on timeout the worker is restarted. */
  requestTimeoutMs?: number;
  /**
   * The texture model package's folder (face/texture-package.ts): when given, the engine verifies
   * and loads it at start (refusing to start without it) and scores every analysed frame's one face.
   */
  texture?: { dir: string };
}

export interface FrameOptions {
  /**
   * By default the frame's buffer is transferred to the worker (no copy) and is detached afterwards.
   * Pass keep: true to have it copied instead, e.g. to describe the same frame later.
   */
  keep?: boolean;
  /**
   * analyze: where the caller tracks one face (its box in the previous frame). The engine looks only
   * in a square around it, at a smaller detector input, and falls back to the whole frame unless it
   * finds exactly one face well inside the square (`FrameAnalysis.scope` says which). A second face
   * elsewhere is not seen on such a frame: the caller must look at the whole frame every few frames
   * (presence does: presence/tracking.ts).
   */
  around?: Box;
  /** analyze: score the texture model on the frame's one face (default true when the engine runs it). */
  texture?: boolean;
}

/** The client of the face engine worker. */
export interface FaceEngine {
  analyze(frame: RgbaFrame, options?: FrameOptions): Promise<FrameAnalysis>;
  /** Rejects with FaceEngineError 'no-face' or 'several-faces' unless exactly one face is found. */
  describe(frame: RgbaFrame, options?: FrameOptions): Promise<FaceDescription>;
  /** restarts: workers replaced after a crash or timeout; detail: e.g. "wasm (SIMD, 1 thread)". */
  status(): Promise<EngineStatus & { restarts: number; detail: string }>;
  close(): Promise<void>;
}
