import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import { detectBackend, tfjsNodeInstalled } from '../../electron/core/face/backend.js';
import { loadVerifiedModels, MODEL_NAMES } from '../../electron/core/face/models.js';
import { FaceEngineError } from '../../electron/core/face/types.js';
import { projectRoot } from '../support/fixtures.js';

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

describe('model verification', () => {
  it('accepts the installed models and names them by the manifest hash', () => {
    const { models, modelId } = loadVerifiedModels(modelsDir);
    expect([...models.keys()].sort()).toEqual([...MODEL_NAMES].sort());
    expect(modelId).toMatch(/^[0-9a-f]{12}$/);
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

  it('refuses a weight file that the manifest does not list', () => {
    const dir = copyModels();
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Array<{ file: string }> };
    manifest.files = manifest.files.filter((f) => f.file !== 'face_landmark_68_model.bin');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expect(() => loadVerifiedModels(dir)).toThrow(/face_landmark_68_model\.bin is not listed/);
  });
});

describe('backend choice', () => {
  it('detectBackend says which backend would run, without loading anything', () => {
    expect(detectBackend('wasm').backend).toBe('wasm');
    expect(detectBackend('auto').backend).toBe(tfjsNodeInstalled() ? 'tensorflow' : 'wasm');
    expect(detectBackend('auto').reason).toMatch(/tfjs-node/);
  });

  it.skipIf(tfjsNodeInstalled())('asking for tfjs-node where it is not installed fails at start with a clear message', async () => {
    const err = await createFaceEngine({ modelsDir, backend: 'tensorflow', log: () => undefined }).then(
      async (e) => {
        await e.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FaceEngineError);
    expect((err as Error).message).toMatch(/tfjs-node backend was requested but does not load/);
  });
});
