import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import { detectBackend, tfjsNodeInstalled } from '../../electron/core/face/backend.js';
import { createHash } from 'node:crypto';
import { loadVerifiedModels, DETECTION_NETS } from '../../electron/core/face/models.js';
import { openModelPackage } from '../../electron/core/face/model-package.js';
import { PINNED_MANIFESTS } from '../../electron/core/face/pinned-manifests.js';
import { FaceEngineError } from '../../electron/core/face/types.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { foreignModelPackage, type EditableManifest } from '../../tools/harness/model-packages.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';

const modelsDir = join(projectRoot, 'models');
const temps: string[] = [];
const copyModels = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'kelu-models-'));
  temps.push(dir);
  cpSync(modelsDir, dir, { recursive: true });
  return dir;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startError(dir: string): Promise<FaceEngineError> {
  const err = await createFaceEngine({ modelsDir: dir, log: () => undefined }).then(
    async (e) => {
      await e.close();
      return null;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FaceEngineError);
  return err as FaceEngineError;
}

const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** A model package in a temp folder: the built-in recognition net under a manifest of our own (not pinned). */
function foreignPackage(edit?: (manifest: EditableManifest) => void): { dir: string; sha: string } {
  const pkg = foreignModelPackage(edit);
  temps.push(pkg.dir);
  return pkg;
}

describe('model verification', () => {
  it('accepts the installed models, whose manifest hash this build pins, and names the model by id and hash', () => {
    const manifestHash = sha256(readFileSync(join(modelsDir, 'manifest.json')));
    expect(
      PINNED_MANIFESTS[manifestHash],
      'models/manifest.json changed: pin its SHA-256 in electron/core/face/pinned-manifests.ts',
    ).toBeDefined();
    const { detection, recognitionModel, modelId } = loadVerifiedModels(modelsDir);
    expect([...detection.keys()].sort()).toEqual([...DETECTION_NETS].sort());
    expect(recognitionModel.kind).toBe('faceapi');
    expect(modelId).toBe(`faceapi-dlib128@${manifestHash.slice(0, 12)}`);
  });

  it('has one threshold: the kiosk configuration has none of its own (the manifest is the one source)', () => {
    expect('threshold' in defaultConfig.face).toBe(false);
    expect(openModelPackage(modelsDir).manifest.recognition.threshold).toBeGreaterThan(0);
  });

  it('refuses to start when one byte of a weight file is flipped, naming the file', async () => {
    const dir = copyModels();
    const file = join(dir, 'face_recognition_model.bin');
    const bytes = readFileSync(file);
    bytes[1000] = (bytes[1000] as number) ^ 0xff;
    writeFileSync(file, bytes);
    const err = await startError(dir);
    expect(err.code).toBe('models');
    expect(err.message).toContain('face_recognition_model.bin');
    expect(err.message).toMatch(/does not match/);
  });

  it('refuses to start when a weights manifest is edited, naming the file', async () => {
    const dir = copyModels();
    const file = join(dir, 'tiny_face_detector_model-weights_manifest.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('conv0', 'conv9'));
    const err = await startError(dir);
    expect(err.message).toContain('tiny_face_detector_model-weights_manifest.json');
  });

  it('refuses to start when a weight file is missing, naming the file', async () => {
    const dir = copyModels();
    unlinkSync(join(dir, 'face_landmark_68_tiny_model.bin'));
    const err = await startError(dir);
    expect(err.code).toBe('models');
    expect(err.message).toContain('face_landmark_68_tiny_model.bin');
    expect(err.message).toMatch(/missing/);
  });

  it('refuses replaced weights shipped with a manifest rewritten to match them (the manifest is not pinned)', async () => {
    // The attack of issue 11.5: change a weight file AND record its new hash in models/manifest.json.
    const dir = copyModels();
    const file = join(dir, 'face_recognition_model.bin');
    const bytes = readFileSync(file);
    bytes[2000] = (bytes[2000] as number) ^ 0x55;
    writeFileSync(file, bytes);
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
      files: Array<{ file: string; sha256: string }>;
    };
    for (const f of manifest.files) if (f.file === 'face_recognition_model.bin') f.sha256 = sha256(bytes);
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    const err = await startError(dir);
    expect(err.code).toBe('models');
    expect(err.message).toMatch(/manifest\.json .* is not one this build pins/);
  });

  it('loads a package this build does not pin only with its manifest hash from the configuration', () => {
    const pkg = foreignPackage();
    expect(() => loadVerifiedModels(modelsDir, { dir: pkg.dir })).toThrow(
      /not one this build pins.*face\.model\.manifestSha256/,
    );
    expect(() => loadVerifiedModels(modelsDir, { dir: pkg.dir, manifestSha256: 'a'.repeat(64) })).toThrow(
      /not the a{64} the configuration \(face\.model\.manifestSha256\) names/,
    );
    const loaded = loadVerifiedModels(modelsDir, { dir: pkg.dir, manifestSha256: pkg.sha });
    expect(loaded.modelId).toBe(`clinic-test-model@${pkg.sha.slice(0, 12)}`);
    expect(openModelPackage(pkg.dir, { manifestSha256: pkg.sha }).manifest.recognition.metric).toBe('euclidean');
  });

  it('refuses a file that the package manifest does not list, and a manifest that is not a model manifest', () => {
    const unlisted = foreignPackage((m) => {
      m.files = m.files.filter((f) => f.file !== 'face_recognition_model.bin');
    });
    expect(() => loadVerifiedModels(modelsDir, { dir: unlisted.dir, manifestSha256: unlisted.sha })).toThrow(
      /face_recognition_model\.bin is not listed/,
    );
    const bad = foreignPackage((m) => {
      m.recognition.metric = 'manhattan';
    });
    expect(() => loadVerifiedModels(modelsDir, { dir: bad.dir, manifestSha256: bad.sha })).toThrow(
      /not a valid model manifest \(recognition\.metric/,
    );
  });
});

describe('backend choice', () => {
  it('detectBackend says which backend would run, without loading anything', () => {
    expect(detectBackend('wasm').backend).toBe('wasm');
    expect(detectBackend('auto').backend).toBe(tfjsNodeInstalled() ? 'tensorflow' : 'wasm');
    expect(detectBackend('auto').reason).toMatch(/tfjs-node/);
  });

  it.skipIf(tfjsNodeInstalled())(
    'asking for tfjs-node where it is not installed fails at start with a clear message',
    async () => {
      const err = await createFaceEngine({ modelsDir, backend: 'tensorflow', log: () => undefined }).then(
        async (e) => {
          await e.close();
          return null;
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FaceEngineError);
      expect((err as Error).message).toMatch(/tfjs-node backend was requested but does not load/);
    },
  );
});
