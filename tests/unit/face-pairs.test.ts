import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../electron/core/config/schema.js';
import { createFaceEngine, type FaceEngineClient } from '../../electron/core/face/engine.js';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { equalErrorRate, euclidean, ratesAt, thresholdForFar } from '../../electron/core/face/verification.js';
import { fixture, projectRoot } from '../support/fixtures.js';

const threshold = defaultConfig.face.threshold;
const PEOPLE: Record<string, string[]> = {
  obama: ['photos/obama_1.jpg', 'photos/obama_2.jpg', 'photos/obama_4.jpg'],
  biden: ['photos/biden_1.jpg', 'photos/biden_2.jpg'],
  alex: ['photos/alex_lacamoire_1.png', 'photos/alex_lacamoire_2.jpg', 'photos/alex_lacamoire_3.jpg'],
  rose: ['photos/rose_leslie_1.jpg', 'photos/rose_leslie_2.jpg'],
  kit: ['photos/kit_harington_1.jpg'],
  lin: ['photos/lin_manuel_miranda_1.png'],
};

/** A photo as a camera frame: longer side at most 640 px, as eval-faces prepares it. */
async function frameOf(file: string): Promise<RgbaFrame> {
  const { data, info } = await sharp(fixture(file)).rotate().resize(640, 640, { fit: 'inside', withoutEnlargement: true }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

let engine: FaceEngineClient;
const descriptors = new Map<string, number[]>();
beforeAll(async () => {
  engine = await createFaceEngine({ modelsDir: join(projectRoot, 'models'), requestTimeoutMs: 60_000, log: () => undefined });
  for (const file of Object.values(PEOPLE).flat()) descriptors.set(file, (await engine.describe(await frameOf(file))).descriptor);
}, 300_000);
afterAll(async () => {
  await engine?.close();
});

const pairs = (same: boolean): Array<[string, string]> => {
  const out: Array<[string, string]> = [];
  const entries = Object.entries(PEOPLE).flatMap(([who, files]) => files.map((f) => [who, f] as const));
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [a, fa] = entries[i]!;
      const [b, fb] = entries[j]!;
      if ((a === b) === same) out.push([fa, fb]);
    }
  }
  return out;
};
const distance = (a: string, b: string): number => euclidean(descriptors.get(a)!, descriptors.get(b)!);

/**
 * Same-person pairs the shipped threshold (0.44, chosen for FAR ≤ 1 % on same-group same-gender
 * impostors; docs/face-engine.md) rejects: the price of that FAR, measured. The previous threshold
 * 0.58 accepted them. Such a patient's visit gets a face-mismatch verdict upstream.
 */
const KNOWN_FALSE_REJECTS = ['photos/alex_lacamoire_1.png|photos/alex_lacamoire_2.jpg', 'photos/alex_lacamoire_1.png|photos/alex_lacamoire_3.jpg'];
const isKnownReject = ([a, b]: [string, string]): boolean => KNOWN_FALSE_REJECTS.includes(`${a}|${b}`);

describe('verification with the real models on the fixture photos', () => {
  it.each(pairs(true).filter((p) => !isKnownReject(p)))('same person: %s and %s are under the threshold', (a, b) => {
    expect(distance(a, b)).toBeLessThan(threshold);
  });

  it.each(pairs(true).filter(isKnownReject))('same person, measured false reject: %s and %s are over the threshold, under the previous 0.58', (a, b) => {
    expect(distance(a, b)).toBeGreaterThanOrEqual(threshold);
    expect(distance(a, b)).toBeLessThan(0.58);
  });

  it.each(pairs(false))('different people: %s and %s are over the threshold', (a, b) => {
    expect(distance(a, b)).toBeGreaterThanOrEqual(threshold);
  });

  it('gives the same descriptor for the same frame twice (deterministic)', async () => {
    const again = (await engine.describe(await frameOf('photos/obama_1.jpg'))).descriptor;
    expect(euclidean(again, descriptors.get('photos/obama_1.jpg')!)).toBeLessThan(1e-4);
  });
});

describe('verification arithmetic', () => {
  const scored = [
    { same: true, distance: 0.3 },
    { same: true, distance: 0.5 },
    { same: true, distance: 0.62 },
    { same: false, distance: 0.6 },
    { same: false, distance: 0.8 },
    { same: false, distance: 0.9 },
  ];
  it('counts false accepts and rejects at a threshold', () => {
    const r = ratesAt(scored, 0.55);
    expect(r).toMatchObject({ pairs: 6, falseAccepts: 0, falseRejects: 1 });
    expect(r.frr).toBeCloseTo(1 / 3);
    expect(r.accuracy).toBeCloseTo(5 / 6);
    expect(ratesAt(scored, 0.7)).toMatchObject({ falseAccepts: 1, falseRejects: 0 });
  });
  it('finds the most permissive threshold meeting a FAR target, and the EER', () => {
    const t = thresholdForFar(scored, 0)!;
    expect(t.threshold).toBeGreaterThan(0.5);
    expect(t.threshold).toBeLessThanOrEqual(0.6);
    expect(t.rates.far).toBe(0);
    // Between 0.6 and 0.62 one of three impostors is accepted and one of three genuine pairs rejected.
    expect(equalErrorRate(scored).eer).toBeCloseTo(1 / 3, 5);
  });
});
