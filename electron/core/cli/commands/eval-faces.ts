/**
 * kioskctl eval-faces: how well the face engine verifies on labelled pairs of photos (for clinic IT
 * calibrating the threshold on their own camera). Every image goes through the real engine
 * (detect + landmarks + descriptor); images with no face or several faces are skipped and listed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { defaultConfig } from '../../config/schema.js';
import { createFaceEngine } from '../../face/engine.js';
import { defaultModelsDir } from '../../face/paths.js';
import { FaceEngineError, type RgbaFrame } from '../../face/types.js';
import { equalErrorRate, euclidean, ratesAt, thresholdForFar, type ScoredPair } from '../../face/verification.js';
import type { Command } from '../registry.js';
import { parse } from 'csv-parse/sync';
import { loadImageFrame } from '../../face/image-file.js';
import { percentile } from '../percentile.js';

const optionsSchema = z.object({
  pairs: z.string({ error: '--pairs FILE is required (CSV file_x,file_y,Decision)' }).min(1),
  images: z.string({ error: '--images DIR is required (folder the CSV paths are relative to)' }).min(1),
  threshold: z.coerce.number({ error: '--threshold must be a number' }).min(0.05).max(2).default(defaultConfig.face.threshold),
  'target-far': z.coerce.number({ error: '--target-far must be a number' }).min(0).max(1).default(0),
  'max-side': z.coerce.number().int().min(64).max(4096).default(640),
  models: z.string().min(1).optional(),
  /** Detector input size for describe (px, multiple of 32); default: the engine's. For comparisons. */
  'detector-size': z.coerce.number().int().min(96).max(800).multipleOf(32, '--detector-size must be a multiple of 32').optional(),
  json: z.boolean().default(false),
});

const rowSchema = z.object({ file_x: z.string().min(1), file_y: z.string().min(1), Decision: z.enum(['Yes', 'No']) });
type Row = z.infer<typeof rowSchema>;

/** Reads the pairs CSV (header file_x,file_y,Decision; Yes = same person); errors name the line. */
export function readPairs(path: string): Row[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`cannot read the pairs file ${path}`);
  }
  let records: string[][];
  try {
    // csv-parse: quoted fields (a path with a comma), BOMs and CRLF handled as spreadsheets write them.
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (err) {
    throw new Error(`${path}: not a valid CSV file (${err instanceof Error ? err.message : String(err)})`);
  }
  const header = records.shift() ?? [];
  if (header.join(',') !== 'file_x,file_y,Decision') throw new Error(`${path}: the first line must be "file_x,file_y,Decision", got "${header.join(',').slice(0, 60)}"`);
  return records.map(([file_x, file_y, Decision, ...extra], i) => {
    const parsed = rowSchema.safeParse({ file_x, file_y, Decision });
    if (!parsed.success || extra.length) throw new Error(`${path} line ${i + 2}: expected "file_x,file_y,Yes|No"`);
    return parsed.data;
  });
}

const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;
const r1 = (v: number): number => Math.round(v * 10) / 10;
const group = (file: string): string => (file.includes('/') ? (file.split('/')[0] as string) : '.');

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pairs: { type: 'string' },
      images: { type: 'string' },
      threshold: { type: 'string' },
      'target-far': { type: 'string' },
      'max-side': { type: 'string' },
      models: { type: 'string' },
      'detector-size': { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(`eval-faces: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    console.error('Usage: npm run kioskctl -- eval-faces --pairs FILE --images DIR [--threshold T] [--target-far F] [--json]');
    return 2;
  }
  const opts = parsed.data;
  const rows = readPairs(opts.pairs);
  const imagesDir = resolve(opts.images);
  if (!existsSync(imagesDir)) throw new Error(`the images folder ${imagesDir} does not exist`);
  const files = [...new Set(rows.flatMap((r) => [r.file_x, r.file_y]))];
  const progress = (line: string): void => {
    process.stderr.write(`eval-faces: ${line}\n`);
  };

  const engine = await createFaceEngine({
    modelsDir: opts.models ?? defaultModelsDir(),
    backend: defaultConfig.face.backend,
    requestTimeoutMs: 60_000,
    ...(opts['detector-size'] ? { describeInputSize: opts['detector-size'] } : {}),
    log: progress,
  });
  const descriptors = new Map<string, number[]>();
  const skipped: Array<{ file: string; reason: string }> = [];
  const times: number[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const path = isAbsolute(file) ? file : resolve(imagesDir, file);
      let frame: RgbaFrame;
      try {
        frame = await loadImageFrame(path, { maxSide: opts['max-side'] });
      } catch {
        skipped.push({ file, reason: 'unreadable' });
        continue;
      }
      const t0 = performance.now();
      try {
        const d = await engine.describe(frame);
        times.push(performance.now() - t0);
        descriptors.set(file, d.descriptor);
      } catch (err) {
        if (err instanceof FaceEngineError && (err.code === 'no-face' || err.code === 'several-faces')) {
          times.push(performance.now() - t0);
          skipped.push({ file, reason: err.code });
        } else throw err;
      }
      if ((i + 1) % 10 === 0 || i + 1 === files.length) progress(`described ${i + 1}/${files.length} images, ${skipped.length} skipped`);
    }
    const status = await engine.status();

    const scored: Array<ScoredPair & { row: Row }> = [];
    for (const row of rows) {
      const a = descriptors.get(row.file_x);
      const b = descriptors.get(row.file_y);
      if (a && b) scored.push({ row, same: row.Decision === 'Yes', distance: euclidean(a, b) });
    }
    const summarise = (list: Array<ScoredPair & { row: Row }>) => {
      const rates = ratesAt(list, opts.threshold);
      const same = list.filter((p) => p.same).map((p) => p.distance);
      const diff = list.filter((p) => !p.same).map((p) => p.distance);
      return {
        pairs: list.length,
        same_pairs: same.length,
        different_pairs: diff.length,
        accuracy: r4(rates.accuracy),
        far: r4(rates.far),
        frr: r4(rates.frr),
        false_accepts: rates.falseAccepts,
        false_rejects: rates.falseRejects,
        eer: r4(equalErrorRate(list).eer),
        same_max_distance: same.length ? r4(Math.max(...same)) : null,
        different_min_distance: diff.length ? r4(Math.min(...diff)) : null,
      };
    };
    const overall = summarise(scored);
    const groups = Object.fromEntries(
      [...new Set(scored.map((p) => group(p.row.file_x)))].map((g) => [g, summarise(scored.filter((p) => group(p.row.file_x) === g))]),
    );
    const target = thresholdForFar(scored, opts['target-far']);
    const report = {
      pairs: overall.pairs,
      skipped: skipped.length,
      skipped_images: skipped,
      skipped_pairs: rows.length - scored.length,
      images: files.length,
      threshold: opts.threshold,
      accuracy: overall.accuracy,
      far: overall.far,
      frr: overall.frr,
      eer: overall.eer,
      false_accepts: overall.false_accepts,
      false_rejects: overall.false_rejects,
      same_max_distance: overall.same_max_distance,
      different_min_distance: overall.different_min_distance,
      target_far: opts['target-far'],
      threshold_for_target_far: target ? r4(target.threshold) : null,
      frr_at_target_far: target ? r4(target.rates.frr) : null,
      groups,
      p50_ms: r1(percentile(times, 50)),
      p95_ms: r1(percentile(times, 95)),
      backend: status.backend,
      backend_detail: status.detail,
      model_id: status.modelId,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }
    const pct = (v: number): string => `${(v * 100).toFixed(2)} %`;
    const lines = [
      `Face verification on ${report.pairs} pairs (${files.length} images; backend ${status.detail}; models ${status.modelId})`,
      '',
      `  set        pairs  same  diff  accuracy   FAR       FRR       EER       max same  min diff`,
      ...Object.entries({ all: overall, ...groups }).map(
        ([name, g]) =>
          `  ${name.padEnd(9)} ${String(g.pairs).padStart(6)} ${String(g.same_pairs).padStart(5)} ${String(g.different_pairs).padStart(5)}  ${pct(g.accuracy).padStart(8)}  ${pct(g.far).padStart(8)}  ${pct(g.frr).padStart(8)}  ${pct(g.eer).padStart(8)}  ${String(g.same_max_distance ?? '-').padStart(8)}  ${String(g.different_min_distance ?? '-').padStart(8)}`,
      ),
      '',
      `  at threshold ${opts.threshold}: ${overall.false_accepts} false accepts, ${overall.false_rejects} false rejects`,
      target
        ? `  threshold meeting FAR ≤ ${pct(opts['target-far'])}: ${r4(target.threshold)} (FRR ${pct(target.rates.frr)})`
        : `  no threshold meets FAR ≤ ${pct(opts['target-far'])}`,
      `  time per image (detect + landmarks + descriptor): p50 ${report.p50_ms} ms, p95 ${report.p95_ms} ms`,
      '',
      skipped.length ? `  skipped ${skipped.length} images (${report.skipped_pairs} pairs not scored):` : '  no image skipped',
      ...skipped.map((s) => `    ${s.file}: ${s.reason}`),
    ];
    console.log(lines.join('\n'));
    return 0;
  } finally {
    await engine.close();
  }
}

export const evalFacesCommand: Command = {
  name: 'eval-faces',
  summary: 'measure face verification (accuracy, FAR, FRR, EER, speed) on labelled image pairs',
  run,
};
