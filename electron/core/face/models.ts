/**
 * Reads the face engine's models and verifies every byte before anything is decoded, so what was
 * verified is exactly what is loaded (the bytes are kept in memory; no file is read twice). The
 * built-in package (models/) gives face-api's detector and landmark nets; the recognition model
 * comes from the active model package (the built-in one unless the configuration names another).
 * A missing, changed or unlisted file, or a manifest whose hash is not pinned, fails with its name.
 */
import { z } from 'zod';
import { openModelPackage, type ModelPackage } from './model-package.js';
import { FaceEngineError } from './types.js';

/** face-api nets every package uses to find faces and their landmarks, by file prefix. */
export const DETECTION_NETS = [
  'tiny_face_detector_model',
  'face_landmark_68_tiny_model',
  'face_landmark_68_model',
] as const;
export type DetectionNet = (typeof DETECTION_NETS)[number];

const weightSpecSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.enum(['float32', 'int32', 'bool', 'string', 'complex64']),
  quantization: z
    .object({
      dtype: z.enum(['uint8', 'uint16', 'float16']),
      scale: z.number().optional(),
      min: z.number().optional(),
    })
    .optional(),
});
const weightsManifestSchema = z
  .array(z.object({ paths: z.array(z.string().min(1)).min(1), weights: z.array(weightSpecSchema) }))
  .min(1);
export type WeightSpec = z.infer<typeof weightSpecSchema>;

/** A face-api net's verified bytes: its weight specs and the concatenated shards, ready for tf.io.decodeWeights. */
export interface VerifiedNet {
  specs: WeightSpec[];
  data: ArrayBuffer;
}

export interface ModelPackageLocation {
  dir: string;
  /** The manifest's SHA-256 from the configuration (needed for a package this build does not pin). */
  manifestSha256?: string;
}

export interface VerifiedModels {
  /** The built-in package (detector, landmarks and the default recognition net). */
  base: ModelPackage;
  /** The package whose recognition model makes the descriptors (may be `base`). */
  recognition: ModelPackage;
  detection: Map<DetectionNet, VerifiedNet>;
  /** faceapi-tfjs: the recognition net's weights; onnx: the graph's bytes; tfjs-graph: its topology and weights. */
  recognitionModel:
    | { kind: 'faceapi'; net: VerifiedNet }
    | { kind: 'onnx'; bytes: Uint8Array }
    | { kind: 'tfjs-graph'; graph: VerifiedGraph };
  /** Names the model in envelopes: `<id>@<manifest hash prefix>` of the recognition package. */
  modelId: string;
}

/** Reads a face-api weights manifest (`<name>-weights_manifest.json`) and its shards, all verified. */
export function readFaceApiNet(pkg: ModelPackage, specFile: string): VerifiedNet {
  const specBytes = pkg.readVerified(specFile);
  let specJson: unknown;
  try {
    specJson = JSON.parse(specBytes.toString('utf8'));
  } catch {
    specJson = null;
  }
  const groups = weightsManifestSchema.safeParse(specJson);
  if (!groups.success)
    throw new FaceEngineError('models', `Face model file ${specFile} is not a valid weights manifest.`);
  return concatShards(pkg, groups.data);
}

/** A tfjs graph model's verified parts: its topology (as converted) and its weights, ready for tf.io.fromMemory. */
export interface VerifiedGraph {
  modelTopology: object;
  weightSpecs: WeightSpec[];
  weightData: ArrayBuffer;
}

const graphModelSchema = z
  .object({
    format: z.literal('graph-model'),
    modelTopology: z.record(z.string(), z.unknown()),
    weightsManifest: weightsManifestSchema,
  })
  .passthrough();

/** Reads a tfjs graph-model JSON (`format: "graph-model"`) and the weight files it lists, all verified. */
export function readGraphModel(pkg: ModelPackage, file: string): VerifiedGraph {
  let json: unknown;
  try {
    json = JSON.parse(pkg.readVerified(file).toString('utf8'));
  } catch (err) {
    if (err instanceof FaceEngineError) throw err;
    json = null;
  }
  const parsed = graphModelSchema.safeParse(json);
  if (!parsed.success) throw new FaceEngineError('models', `Face model file ${file} is not a valid tfjs graph model.`);
  const net = concatShards(pkg, parsed.data.weightsManifest);
  return { modelTopology: parsed.data.modelTopology, weightSpecs: net.specs, weightData: net.data };
}

function concatShards(pkg: ModelPackage, groups: z.infer<typeof weightsManifestSchema>): VerifiedNet {
  const shards = groups.flatMap((g) => g.paths.map((p) => pkg.readVerified(p)));
  const data = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
  let offset = 0;
  for (const s of shards) {
    data.set(s, offset);
    offset += s.byteLength;
  }
  return { specs: groups.flatMap((g) => g.weights), data: data.buffer };
}

/** Opens and verifies the built-in package in modelsDir and the active recognition package. */
export function loadVerifiedModels(modelsDir: string, active?: ModelPackageLocation): VerifiedModels {
  const base = openModelPackage(modelsDir);
  const recognition = active
    ? openModelPackage(active.dir, active.manifestSha256 ? { manifestSha256: active.manifestSha256 } : {})
    : base;
  const detection = new Map<DetectionNet, VerifiedNet>();
  for (const name of DETECTION_NETS) detection.set(name, readFaceApiNet(base, `${name}-weights_manifest.json`));
  const file = recognition.manifest.recognition.file;
  const runtime = recognition.manifest.runtime;
  const recognitionModel: VerifiedModels['recognitionModel'] =
    runtime === 'faceapi-tfjs'
      ? { kind: 'faceapi', net: readFaceApiNet(recognition, file) }
      : runtime === 'tfjs-graph'
        ? { kind: 'tfjs-graph', graph: readGraphModel(recognition, file) }
        : { kind: 'onnx', bytes: new Uint8Array(recognition.readVerified(file)) };
  return { base, recognition, detection, recognitionModel, modelId: recognition.modelId };
}
