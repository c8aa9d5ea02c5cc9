import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFaceEngine,
  descriptorDistance,
  meanTemplate,
  type FaceEngineClient,
} from '../../electron/core/face/engine.js';
import { loadImageFrame } from '../../electron/core/face/image-file.js';
import { builtInThreshold, fixture, projectRoot } from '../../tools/harness/fixtures.js';

describe("meanTemplate: one reference from several descriptors, in the model's metric", () => {
  it('euclidean: the plain mean, component by component', () => {
    expect(
      meanTemplate(
        [
          [1, 2, 3],
          [3, 4, 5],
        ],
        'euclidean',
      ),
    ).toEqual([2, 3, 4]);
    expect(meanTemplate([[0.5, -1]], 'euclidean')).toEqual([0.5, -1]);
  });

  it('cosine: the mean of the unit vectors, normalised again (a long descriptor does not outweigh a short one)', () => {
    const t = meanTemplate(
      [
        [10, 0],
        [0, 1],
      ],
      'cosine',
    );
    expect(t[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(t[1]).toBeCloseTo(Math.SQRT1_2, 12);
    // Equally far, in cosine distance, from both descriptors it was made of.
    expect(descriptorDistance(t, [10, 0], 'cosine')).toBeCloseTo(descriptorDistance(t, [0, 1], 'cosine'), 12);
  });

  it('refuses descriptors of different models (lengths), an empty list and directions that cancel', () => {
    expect(() =>
      meanTemplate(
        [
          [1, 2],
          [1, 2, 3],
        ],
        'euclidean',
      ),
    ).toThrow(/different lengths \(2 and 3\)/);
    expect(() => meanTemplate([], 'euclidean')).toThrow(/at least one descriptor/);
    expect(() =>
      meanTemplate(
        [
          [1, 0],
          [-1, 0],
        ],
        'cosine',
      ),
    ).toThrow(/cancel out/);
    expect(() => meanTemplate([[0, 0]], 'cosine')).toThrow(/zero descriptor/);
  });
});

describe('a template of real photos, with the real engine and the built-in model', () => {
  let engine: FaceEngineClient;
  const describeFile = async (name: string) =>
    (await engine.describe(await loadImageFrame(fixture(`photos/${name}`), { contain: { width: 640, height: 480 } })))
      .descriptor;
  beforeAll(async () => {
    engine = await createFaceEngine({
      modelsDir: join(projectRoot, 'models'),
      requestTimeoutMs: 60_000,
      log: () => {},
    });
  }, 120_000);
  afterAll(() => engine?.close());

  it(
    'lies closer to a third photo of the person than either photo alone, and accepts it where the first photo alone does not',
    { timeout: 120_000 },
    async () => {
      const [a, b, probe] = await Promise.all(
        ['alex_lacamoire_1.png', 'alex_lacamoire_2.jpg', 'alex_lacamoire_3.jpg'].map(describeFile),
      );
      const template = meanTemplate([a!, b!], 'euclidean');
      const toTemplate = descriptorDistance(template, probe!, 'euclidean');
      expect(toTemplate).toBeLessThan(builtInThreshold());
      expect(descriptorDistance(a!, probe!, 'euclidean')).toBeGreaterThanOrEqual(builtInThreshold());
      expect(toTemplate).toBeLessThan(
        Math.min(descriptorDistance(a!, probe!, 'euclidean'), descriptorDistance(b!, probe!, 'euclidean')),
      );
    },
  );
});
