/**
 * Reads face-api weights from models/ and verifies every byte against the committed SHA-256
 * manifest before anything is decoded, so what was verified is exactly what is loaded (the bytes are
 * kept in memory; the file is never read twice). A missing or changed file fails with its name.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { FaceEngineError } from './types.js';

/** The networks the engine loads, by face-api file prefix. */
export const MODEL_NAMES = ['tiny_face_detector_model', 'face_landmark_68_tiny_model', 'face_landmark_68_model', 'face_recognition_model'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const manifestSchema = z.object({
  files: z.array(z.object({ file: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/), package: z.string().optional() })).min(1),
});

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
const weightsManifestSchema = z.array(z.object({ paths: z.array(z.string().min(1)).min(1), weights: z.array(weightSpecSchema) })).min(1);
export type WeightSpec = z.infer<typeof weightSpecSchema>;

/** A model's verified bytes: its weight specs and the concatenated shards, ready for tf.io.decodeWeights. */
export interface VerifiedModel {
  name: ModelName;
  specs: WeightSpec[];
  data: ArrayBuffer;
}

export interface VerifiedModels {
  models: Map<ModelName, VerifiedModel>;
  /** First 12 hex digits of the SHA-256 of manifest.json: names the weights in envelopes. */
  modelId: string;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function readOrFail(path: string, file: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new FaceEngineError('models', `Face model file ${file} is ${missing ? 'missing' : 'unreadable'} in ${join(path, '..')}. Run "npm install" to restore the models.`);
  }
}

/** Loads and verifies the named models from modelsDir; throws FaceEngineError('models') naming the bad file. */
export function loadVerifiedModels(modelsDir: string, names: readonly ModelName[] = MODEL_NAMES): VerifiedModels {
  const manifestBytes = readOrFail(join(modelsDir, 'manifest.json'), 'manifest.json');
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    throw new FaceEngineError('models', `Face model file manifest.json in ${modelsDir} is not valid JSON.`);
  }
  const parsed = manifestSchema.safeParse(manifestJson);
  if (!parsed.success) throw new FaceEngineError('models', `Face model file manifest.json in ${modelsDir} is not a valid manifest.`);
  const expected = new Map(parsed.data.files.map((f) => [f.file, f.sha256]));

  const verified = (file: string): Buffer => {
    const hash = expected.get(file);
    if (!hash) throw new FaceEngineError('models', `Face model file ${file} is not listed in models/manifest.json; refusing to load it.`);
    const bytes = readOrFail(join(modelsDir, file), file);
    if (sha256(bytes) !== hash) {
      throw new FaceEngineError('models', `Face model file ${file} does not match models/manifest.json (tampered or corrupt). Run "npm install" to restore the models.`);
    }
    return bytes;
  };

  const models = new Map<ModelName, VerifiedModel>();
  for (const name of names) {
    const specFile = `${name}-weights_manifest.json`;
    const specBytes = verified(specFile);
    const groups = weightsManifestSchema.safeParse(JSON.parse(specBytes.toString('utf8')));
    if (!groups.success) throw new FaceEngineError('models', `Face model file ${specFile} is not a valid weights manifest.`);
    const shards = groups.data.flatMap((g) => g.paths.map((p) => verified(p)));
    const total = shards.reduce((n, s) => n + s.byteLength, 0);
    const data = new Uint8Array(total);
    let offset = 0;
    for (const s of shards) {
      data.set(s, offset);
      offset += s.byteLength;
    }
    models.set(name, { name, specs: groups.data.flatMap((g) => g.weights), data: data.buffer });
  }
  return { models, modelId: sha256(manifestBytes).slice(0, 12) };
}
