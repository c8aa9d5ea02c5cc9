import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceEngine, type FaceEngineClient } from '../../electron/core/face/engine.js';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { readIdentities, UNLABELLED_GROUP } from '../../tools/eval/faces/identities.js';
import { labelPairs, makePairs } from '../../tools/eval/faces/pairs.js';
import {
  detCurve,
  equalErrorRate,
  euclidean,
  ratesAt,
  thresholdForFar,
} from '../../electron/core/face/verification.js';
import { fixture, lfwDir, projectRoot, builtInThreshold } from '../../tools/harness/fixtures.js';

const threshold = builtInThreshold();
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
  const { data, info } = await sharp(fixture(file))
    .rotate()
    .resize(640, 640, { fit: 'inside', withoutEnlargement: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

let engine: FaceEngineClient;
const descriptors = new Map<string, number[]>();
beforeAll(async () => {
  engine = await createFaceEngine({
    modelsDir: join(projectRoot, 'models'),
    requestTimeoutMs: 60_000,
    log: () => undefined,
  });
  for (const file of Object.values(PEOPLE).flat())
    descriptors.set(file, (await engine.describe(await frameOf(file))).descriptor);
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
const KNOWN_FALSE_REJECTS = [
  'photos/alex_lacamoire_1.png|photos/alex_lacamoire_2.jpg',
  'photos/alex_lacamoire_1.png|photos/alex_lacamoire_3.jpg',
];
const isKnownReject = ([a, b]: [string, string]): boolean => KNOWN_FALSE_REJECTS.includes(`${a}|${b}`);

describe('verification with the real models on the fixture photos', () => {
  it.each(pairs(true).filter((p) => !isKnownReject(p)))('same person: %s and %s are under the threshold', (a, b) => {
    expect(distance(a, b)).toBeLessThan(threshold);
  });

  it.each(pairs(true).filter(isKnownReject))(
    'same person, measured false reject: %s and %s are over the threshold, under the previous 0.58',
    (a, b) => {
      expect(distance(a, b)).toBeGreaterThanOrEqual(threshold);
      expect(distance(a, b)).toBeLessThan(0.58);
    },
  );

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

describe('verification arithmetic on known score sets', () => {
  // 100 genuine pairs at 0.01 … 1.00 and 1000 impostor pairs at 0.5005 … 1.4995 (steps of 0.001).
  const genuine = Array.from({ length: 100 }, (_, i) => ({ same: true, distance: (i + 1) / 100 }));
  const impostors = Array.from({ length: 1000 }, (_, i) => ({ same: false, distance: 0.5 + (i + 0.5) / 1000 }));
  const known = [...genuine, ...impostors];

  it('finds the threshold meeting FAR 1 % and 0.1 %, and the FRR each costs', () => {
    const at1 = thresholdForFar(known, 0.01)!;
    // Ten impostors (0.5005 … 0.5095) may be accepted, not the eleventh (0.5105).
    expect(at1.threshold).toBeGreaterThan(0.51);
    expect(at1.threshold).toBeLessThanOrEqual(0.5105);
    expect(at1.rates).toMatchObject({ falseAccepts: 10, falseRejects: 49 }); // genuine 0.52 … 1.00 refused
    const at01 = thresholdForFar(known, 0.001)!;
    expect(at01.threshold).toBeGreaterThan(0.5005);
    expect(at01.threshold).toBeLessThanOrEqual(0.5015);
    expect(at01.rates).toMatchObject({ falseAccepts: 1, falseRejects: 50 }); // genuine 0.51 … 1.00 refused
    expect(thresholdForFar([{ same: false, distance: 0 }], 0)!.rates.falseAccepts).toBe(0);
  });

  it('gives the EER where FAR and FRR cross', () => {
    // At threshold t in (0.5, 1): FAR = (t − 0.5) / 1, FRR = 1 − t → equal at t = 0.75, EER 25 %.
    const { eer, threshold: t } = equalErrorRate(known);
    expect(eer).toBeCloseTo(0.25, 2);
    expect(t).toBeGreaterThan(0.74);
    expect(t).toBeLessThan(0.76);
    // Separated sets: EER 0.
    expect(equalErrorRate([...genuine.slice(0, 40), ...impostors]).eer).toBe(0);
  });

  it('draws the DET curve from FAR 0 / FRR 100 % to FAR 100 % / FRR 0, agreeing with ratesAt at every point', () => {
    const curve = detCurve(known);
    expect(curve[0]).toMatchObject({ far: 0, frr: 1 });
    expect(curve.at(-1)).toMatchObject({ far: 1, frr: 0 });
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i]!.far).toBeGreaterThanOrEqual(curve[i - 1]!.far);
      expect(curve[i]!.frr).toBeLessThanOrEqual(curve[i - 1]!.frr);
    }
    for (const p of curve.filter((_, i) => i % 37 === 0)) {
      const r = ratesAt(known, p.threshold);
      expect([p.far, p.frr]).toEqual([r.far, r.frr]);
    }
  });
});

describe('pair builder on the LFW identities file', () => {
  const rows = readIdentities(join(lfwDir(), 'identities.csv'));
  const byFile = new Map(rows.map((r) => [r.file, r]));
  const asian = 'east-southeast-asian';

  it('reads the identities file: both groups, genders on the labelled ones', () => {
    expect(rows.length).toBeGreaterThan(8000);
    expect(new Set(rows.map((r) => r.group))).toEqual(new Set([asian, UNLABELLED_GROUP]));
    expect(rows.filter((r) => r.group === asian).every((r) => r.gender === 'M' || r.gender === 'F')).toBe(true);
  });

  it('builds genuine pairs of one person and impostors of the same group and gender, no self-pair, no pair twice', () => {
    const pairs = makePairs(rows, { perGroup: 400, seed: 7, impostors: 'same-group' });
    for (const group of [asian, UNLABELLED_GROUP]) {
      expect(pairs.filter((p) => p.group === group && p.same)).toHaveLength(400);
      expect(pairs.filter((p) => p.group === group && !p.same)).toHaveLength(400);
    }
    const keys = new Set<string>();
    for (const p of pairs) {
      const x = byFile.get(p.file_x)!;
      const y = byFile.get(p.file_y)!;
      expect(p.file_x).not.toBe(p.file_y);
      expect(x.group).toBe(p.group);
      if (p.same) expect(y.identity).toBe(x.identity);
      else expect([y.identity !== x.identity, y.group, y.gender]).toEqual([true, x.group, x.gender]);
      const key = [p.file_x, p.file_y].sort().join('|');
      expect(keys.has(key)).toBe(false);
      keys.add(key);
    }
  });

  it('is deterministic for a seed and differs with another seed', () => {
    const a = makePairs(rows, { perGroup: 50, seed: 42, impostors: 'same-group' });
    expect(makePairs(rows, { perGroup: 50, seed: 42, impostors: 'same-group' })).toEqual(a);
    const b = makePairs(rows, { perGroup: 50, seed: 43, impostors: 'same-group' });
    expect(b).not.toEqual(a);
    expect(b).toHaveLength(a.length);
  });

  it('stops at the genuine pairs a group has, and "any" draws impostors from every group', () => {
    const asianPeople = new Map<string, number>();
    for (const r of rows.filter((r) => r.group === asian))
      asianPeople.set(r.identity, (asianPeople.get(r.identity) ?? 0) + 1);
    const possible = [...asianPeople.values()].reduce((s, k) => s + (k * (k - 1)) / 2, 0);
    const all = makePairs(rows, { perGroup: possible + 500, seed: 1, impostors: 'any' });
    expect(all.filter((p) => p.group === asian && p.same)).toHaveLength(possible);
    const impostors = all.filter((p) => p.group === asian && !p.same);
    expect(impostors).toHaveLength(possible + 500);
    // With anyone as impostor, most of the Asian probes meet someone from the unlabelled majority.
    expect(impostors.filter((p) => byFile.get(p.file_y)!.group === UNLABELLED_GROUP).length).toBeGreaterThan(
      impostors.length / 2,
    );
    expect(impostors.every((p) => byFile.get(p.file_y)!.identity !== byFile.get(p.file_x)!.identity)).toBe(true);
  });

  it('labels a pairs file by the identities file, and refuses a pair whose image it does not list', () => {
    const [a, b] = rows.filter((r) => r.group === asian);
    const labelled = labelPairs([{ file_x: a!.file, file_y: b!.file, Decision: 'Yes' }], rows);
    expect(labelled).toEqual([{ file_x: a!.file, file_y: b!.file, same: true, group: asian }]);
    expect(() => labelPairs([{ file_x: a!.file, file_y: 'Nobody/Nobody_0001.jpg', Decision: 'No' }], rows)).toThrow(
      /not in the identities file, e\.g\. Nobody\/Nobody_0001\.jpg/,
    );
  });
});

describe('identities file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kelu-identities-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (text: string): string => {
    const path = join(dir, `${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(path, text);
    return path;
  };

  it('takes file,identity alone (every row "other", gender unknown) and quoted fields', () => {
    expect(readIdentities(write('\ufefffile,identity\r\n"room 2, left/a.png",Ann\r\n'))).toEqual([
      { file: 'room 2, left/a.png', identity: 'Ann', group: UNLABELLED_GROUP, gender: null },
    ]);
  });

  it('names the bad line: a wrong header, a missing identity, a file listed twice, an identity in two groups', () => {
    expect(() => readIdentities(write('path,who\na.png,Ann\n'))).toThrow(
      /first line must be "file,identity\[,group\]\[,gender\]"/,
    );
    expect(() => readIdentities(write('file,identity,group\na.png,Ann,x\nb.png,,x\n'))).toThrow(
      /line 3: expected "file,identity,group"/,
    );
    expect(() => readIdentities(write('file,identity\na.png,Ann\na.png,Bob\n'))).toThrow(
      /line 3: a\.png is already listed on line 2/,
    );
    expect(() => readIdentities(join(dir, 'absent.csv'))).toThrow(/cannot read the identities file/);
    const twoGroups = readIdentities(write('file,identity,group\na.png,Ann,x\nb.png,Ann,y\n'));
    expect(() => makePairs(twoGroups, { perGroup: 1, seed: 1, impostors: 'any' })).toThrow(
      /Ann is labelled with two groups/,
    );
  });
});
