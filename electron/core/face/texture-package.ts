/**
 * The texture model package (passive presentation-attack detection, docs/presence.md "Texture"):
 * `models/minifasnet/` with its weights, LICENSE and a manifest giving each net's crop scale, input
 * size and "real" output, the licence and provenance, and the SHA-256 of every file. Like the face
 * packages (model-package.ts), the manifest is trusted only when its own SHA-256 is pinned here (in
 * the integrity-checked app bundle), and every file is verified before it is used. A missing or
 * altered package stops the face engine, naming the file: the photo path never runs without it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256Hex, modelIdOf } from './model-package.js';
import type { TextureNet } from './texture.js';
import { FaceEngineError } from './types.js';

/** SHA-256 of every texture manifest this build trusts. */
export const PINNED_TEXTURE_MANIFESTS: Readonly<Record<string, string>> = {
  '51d4190f1c22458825ba39db9dc141a0a13875a1db1ccfa96f8a7f453823451c':
    'models/minifasnet/manifest.json (minifasnet-v2-v1se, built in)',
};

/** Where the built-in texture package lives inside the models folder. */
export const TEXTURE_PACKAGE_DIR = 'minifasnet';

const fileName = z
  .string()
  .min(1)
  .regex(/^[^/\\]+$/, 'a file name, not a path');
export const textureManifestSchema = z
  .object({
    comment: z.string().optional(),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
    kind: z.literal('texture'),
    runtime: z.literal('onnx'),
    licence: z.object({ name: z.string().min(1), source: z.string().min(1), note: z.string().optional() }).strict(),
    nets: z
      .array(
        z
          .object({
            file: fileName,
            scale: z.number().min(1).max(8),
            inputSize: z.number().int().min(16).max(512),
            realIndex: z.number().int().min(0).max(15),
          })
          .strict(),
      )
      .min(1)
      .max(4),
    files: z.array(z.object({ file: fileName, sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict()).min(1),
  })
  .strict();
export type TextureManifest = z.infer<typeof textureManifestSchema>;

export interface TexturePackage {
  dir: string;
  manifest: TextureManifest;
  /** `<id>@<first 12 hex digits of the manifest's SHA-256>`: what the sealed evidence names. */
  modelId: string;
  /** Every net's verified bytes and how to feed it. */
  nets: TextureNet[];
}

const problem = (dir: string, what: string): FaceEngineError =>
  new FaceEngineError(
    'models',
    `Texture model (screen and print detection) in ${dir}: ${what}. The photo check is off until it is restored: reinstall the kiosk software (the model ships with it in models/${TEXTURE_PACKAGE_DIR}).`,
  );

function read(dir: string, file: string): Buffer {
  try {
    return readFileSync(join(dir, file));
  } catch (err) {
    throw problem(dir, `${file} is ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable'}`);
  }
}

/** Reads and verifies the package: the pinned manifest, then every file's SHA-256. Throws FaceEngineError('models'). */
export function openTexturePackage(dir: string): TexturePackage {
  const bytes = read(dir, 'manifest.json');
  const manifestSha256 = sha256Hex(bytes);
  if (PINNED_TEXTURE_MANIFESTS[manifestSha256] === undefined)
    throw problem(
      dir,
      `manifest.json (SHA-256 ${manifestSha256}) is not the one this build pins (altered or from another version)`,
    );
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw problem(dir, 'manifest.json is not valid JSON');
  }
  const parsed = textureManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw problem(
      dir,
      `manifest.json is not a valid texture manifest (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`,
    );
  }
  const manifest = parsed.data;
  const verified = new Map<string, Buffer>();
  for (const f of manifest.files) {
    const data = read(dir, f.file);
    if (sha256Hex(data) !== f.sha256)
      throw problem(dir, `${f.file} does not match its SHA-256 in manifest.json (tampered or corrupt)`);
    verified.set(f.file, data);
  }
  const nets = manifest.nets.map((n): TextureNet => {
    const data = verified.get(n.file);
    if (!data) throw problem(dir, `manifest.json names ${n.file} but does not list its SHA-256`);
    return {
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      scale: n.scale,
      inputSize: n.inputSize,
      realIndex: n.realIndex,
    };
  });
  return { dir, manifest, modelId: modelIdOf(manifest, manifestSha256), nets };
}

/** For `kioskctl status`: the package verified (without loading the runtime), or why not. */
export function textureModelState(
  modelsDir: string,
): { ok: true; modelId: string; licence: string } | { ok: false; problem: string } {
  try {
    const p = openTexturePackage(join(modelsDir, TEXTURE_PACKAGE_DIR));
    return { ok: true, modelId: p.modelId, licence: p.manifest.licence.name };
  } catch (err) {
    return { ok: false, problem: err instanceof Error ? err.message : String(err) };
  }
}
