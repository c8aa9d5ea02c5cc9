/**
 * Model packages: model file(s) plus a manifest.json that says what the engine needs to run them
 * (runtime, input size, alignment template, normalisation, embedding size, metric, threshold,
 * licence) and the SHA-256 of every file. A manifest is trusted only when its own SHA-256 is pinned:
 * in code (PINNED_MANIFESTS, inside the integrity-checked app bundle) for the packages this build
 * ships, or by the kiosk's configuration (`face.model.manifestSha256`) for a package a clinic or a
 * ministry installs. Replacing the weights and the manifest together is therefore refused.
 *
 * The built-in package (models/) also holds face-api's detector and landmark nets, which every
 * package uses to find the face and its five alignment points.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { METRICS } from './descriptor-distance.js';
import { PINNED_MANIFESTS } from './pinned-manifests.js';
import { FaceEngineError, RUNTIMES } from './types.js';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 is 64 lowercase hex digits');
const point = z.tuple([z.number(), z.number()]);

export const alignmentSchema = z.discriminatedUnion('method', [
  /** face-api's own axis-aligned box around eyes and mouth (as face-api.js describes faces). */
  z.object({ method: z.literal('faceapi-box') }).strict(),
  /** Least-squares similarity from the five points to this template, in crop pixels. */
  z.object({ method: z.literal('similarity'), template: z.array(point).length(5) }).strict(),
]);
export type Alignment = z.infer<typeof alignmentSchema>;

export const recognitionSchema = z
  .object({
    /** The file the runtime loads: a face-api weights manifest (faceapi-tfjs), an .onnx graph, or a tfjs graph-model JSON (tfjs-graph; its weight files are listed in `files` too). */
    file: z.string().min(1),
    /** Square crop side the net takes, px. */
    inputSize: z.number().int().min(32).max(512),
    alignment: alignmentSchema,
    /** How crop pixels (0–255) become the net's input: (value − mean) / std per channel; layout and channel order. faceapi-tfjs: the net normalises itself; onnx and tfjs-graph need it. */
    normalisation: z
      .object({
        mean: z.tuple([z.number(), z.number(), z.number()]),
        std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
        layout: z.enum(['nchw', 'nhwc']),
        channels: z.enum(['rgb', 'bgr']),
      })
      .strict()
      .optional(),
    embeddingSize: z.number().int().min(16).max(2048),
    metric: z.enum(METRICS),
    /** Distance under which two descriptors are the same person (chosen by measurement; docs/face-engine.md). */
    threshold: z.number().positive().max(4),
  })
  .strict();
export type Recognition = z.infer<typeof recognitionSchema>;

export const manifestSchema = z
  .object({
    comment: z.string().optional(),
    /** Names the model in envelopes (with the manifest hash): letters, digits, . _ - */
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'id: lowercase letters, digits, ".", "_" or "-", at most 64'),
    runtime: z.enum(RUNTIMES),
    licence: z.object({ name: z.string().min(1), source: z.string().min(1), note: z.string().optional() }).strict(),
    recognition: recognitionSchema,
    files: z
      .array(
        z
          .object({
            file: z
              .string()
              .min(1)
              .regex(/^[^/\\]+$/, 'a file name, not a path'),
            sha256: sha256Schema,
            package: z.string().optional(),
            source: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type ModelManifest = z.infer<typeof manifestSchema>;

export interface ModelPackage {
  dir: string;
  manifest: ModelManifest;
  manifestSha256: string;
  /** `<id>@<first 12 hex digits of the manifest's SHA-256>`: what envelopes carry as `modelId`. */
  modelId: string;
  /** Reads a listed file and checks its SHA-256; throws FaceEngineError('models') naming it. */
  readVerified(file: string): Buffer;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export const modelIdOf = (manifest: Pick<ModelManifest, 'id'>, manifestSha256: string): string =>
  `${manifest.id}@${manifestSha256.slice(0, 12)}`;

function readOrFail(dir: string, file: string): Buffer {
  try {
    return readFileSync(join(dir, file));
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new FaceEngineError(
      'models',
      `Face model file ${file} is ${missing ? 'missing' : 'unreadable'} in ${dir}. Run "npm install" to restore the built-in models, or reinstall the model package.`,
    );
  }
}

export interface OpenPackageOptions {
  /** SHA-256 of the manifest given by the kiosk's configuration, for a package this build does not pin. */
  manifestSha256?: string;
}

/** A model package to load: its folder and, for one this build does not pin, its manifest's SHA-256. */
export interface ModelPackageSpec {
  dir: string;
  manifestSha256?: string;
}

/**
 * `--model-package DIR[:SHA256]`, the one spelling of the option for the tools and the hub (`npm run
 * bench`, `eval-faces`, `eval-presence`, `hub serve`): the package the kiosk runs, so what is measured
 * or matched is the model that is deployed. The hash is checked when the package is opened.
 */
export const modelPackageOption = z
  .string()
  .regex(/^[^:]+(:[0-9a-f]{64})?$/, '--model-package takes DIR or DIR:SHA256')
  .transform((spec): ModelPackageSpec => {
    const [dir = '', sha] = spec.split(':');
    return { dir, ...(sha ? { manifestSha256: sha } : {}) };
  });

/**
 * Opens a model package: reads manifest.json, refuses it unless its SHA-256 is pinned in code or
 * given by the configuration, validates it, and returns a reader that verifies every file it hands
 * out. Nothing is decoded before its bytes are verified.
 */
export function openModelPackage(dir: string, options: OpenPackageOptions = {}): ModelPackage {
  const bytes = readOrFail(dir, 'manifest.json');
  const manifestSha256 = sha256Hex(bytes);
  const pinned = PINNED_MANIFESTS[manifestSha256] !== undefined;
  const configured = options.manifestSha256 !== undefined && options.manifestSha256.toLowerCase() === manifestSha256;
  if (!pinned && !configured) {
    throw new FaceEngineError(
      'models',
      options.manifestSha256
        ? `Face model file manifest.json in ${dir} has SHA-256 ${manifestSha256}, not the ${options.manifestSha256} the configuration (face.model.manifestSha256) names; refusing to load the package.`
        : `Face model file manifest.json in ${dir} (SHA-256 ${manifestSha256}) is not one this build pins; refusing to load the package. Run "npm install" to restore the built-in models; for a package installed on purpose, put its manifest's SHA-256 in face.model.manifestSha256.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new FaceEngineError('models', `Face model file manifest.json in ${dir} is not valid JSON.`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FaceEngineError(
      'models',
      `Face model file manifest.json in ${dir} is not a valid model manifest (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}).`,
    );
  }
  const manifest = parsed.data;
  const expected = new Map(manifest.files.map((f) => [f.file, f.sha256]));
  if (!expected.has(manifest.recognition.file))
    throw new FaceEngineError(
      'models',
      `Face model manifest in ${dir} names ${manifest.recognition.file} but does not list its SHA-256.`,
    );
  return {
    dir,
    manifest,
    manifestSha256,
    modelId: modelIdOf(manifest, manifestSha256),
    readVerified(file: string): Buffer {
      const hash = expected.get(file);
      if (!hash)
        throw new FaceEngineError(
          'models',
          `Face model file ${file} is not listed in ${join(dir, 'manifest.json')}; refusing to load it.`,
        );
      const data = readOrFail(dir, file);
      if (sha256Hex(data) !== hash) {
        throw new FaceEngineError(
          'models',
          `Face model file ${file} does not match ${join(dir, 'manifest.json')} (tampered or corrupt). Run "npm install" to restore the models, or reinstall the package.`,
        );
      }
      return data;
    },
  };
}

/** What the reference upstream and tools need to know about a package without loading its weights. */
export interface ModelInfo {
  modelId: string;
  metric: Recognition['metric'];
  threshold: number;
  embeddingSize: number;
}

export const modelInfo = (p: ModelPackage): ModelInfo => ({
  modelId: p.modelId,
  metric: p.manifest.recognition.metric,
  threshold: p.manifest.recognition.threshold,
  embeddingSize: p.manifest.recognition.embeddingSize,
});
