/**
 * kioskctl eval-presence: how the presence check treats real recordings, in ISO/IEC 30107-3 terms.
 * Each recording of a CSV (`file,label`, label `bona-fide` or `attack:<kind>`) runs through the
 * real face engine and the real presence attempt at the kiosk's frame size and cadence, once for
 * each challenge side. Output: per recording and side, pass or the failure; BPCER (bona fide
 * refused), APCER per attack kind (attacks passed) and the failure-to-acquire rate.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { parseConfig, type KioskConfig } from '../../../electron/core/platform/config/schema.js';
import { createFaceEngine } from '../../../electron/core/face/engine.js';
import { shippedDir } from '../../../electron/core/platform/resources.js';
import { kioskCadence, recordingFrames } from '../../eval/presence/recording.js';
import { runPresence, type PresenceRun } from '../../eval/presence/run.js';
import type { Command } from '../command.js';

const labelSchema = z.union([z.literal('bona-fide'), z.string().regex(/^attack:[a-z0-9][a-z0-9-]{0,39}$/, 'label must be "bona-fide" or "attack:<kind>" (lower-case kind)')]);
const rowSchema = z.object({ file: z.string().min(1).max(1000), label: labelSchema });
export type RecordingRow = z.infer<typeof rowSchema>;

const optionsSchema = z.object({
  videos: z.string({ error: '--videos CSV is required (file,label; label bona-fide or attack:<kind>)' }).min(1),
  config: z.string().min(1).optional(),
  fps: z.coerce.number({ error: '--fps must be a number' }).int().min(2).max(30).default(kioskCadence.fps),
  sides: z.enum(['both', 'left', 'right']).default('both'),
  models: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

/** Reads the recordings CSV (header `file,label`); paths are relative to the CSV's folder. */
export function readRecordings(path: string): Array<RecordingRow & { path: string }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`cannot read the recordings file ${path}`);
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (err) {
    throw new Error(`${path}: not a valid CSV file (${err instanceof Error ? err.message : String(err)})`);
  }
  const header = records.shift() ?? [];
  if (header.join(',') !== 'file,label') throw new Error(`${path}: the first line must be "file,label", got "${header.join(',').slice(0, 60)}"`);
  if (records.length === 0) throw new Error(`${path}: no recordings listed`);
  const base = dirname(resolve(path));
  return records.map(([file, label, ...extra], i) => {
    const parsed = rowSchema.safeParse({ file, label });
    if (!parsed.success || extra.length) {
      throw new Error(`${path} line ${i + 2}: expected "file,bona-fide|attack:<kind>"${parsed.success ? '' : ` (${parsed.error.issues[0]?.message ?? ''})`}`);
    }
    return { ...parsed.data, path: isAbsolute(parsed.data.file) ? parsed.data.file : resolve(base, parsed.data.file) };
  });
}

export interface PresenceResult extends PresenceRun {
  file: string;
  label: string;
}

export interface PresenceReport {
  /** Bona fide presentations refused, over those acquired (reached the challenge). */
  bpcer: number | null;
  /** Per attack kind: attacks that passed, over those acquired. */
  apcer: Record<string, number | null>;
  /** Presentations never acquired (never reached the challenge), over all. */
  fta: number;
  recordings: number;
  presentations: number;
  results: PresenceResult[];
}

const rate = (hits: number, n: number): number | null => (n ? Math.round((hits / n) * 10_000) / 10_000 : null);

/** The ISO/IEC 30107-3 figures from per-presentation results. */
export function presenceReport(results: PresenceResult[], recordings: number): PresenceReport {
  const acquired = results.filter((r) => r.outcome !== 'not-acquired');
  const bona = acquired.filter((r) => r.label === 'bona-fide');
  const kinds = [...new Set(results.filter((r) => r.label !== 'bona-fide').map((r) => r.label.slice('attack:'.length)))].sort();
  const apcer = Object.fromEntries(
    kinds.map((k) => {
      const of = acquired.filter((r) => r.label === `attack:${k}`);
      return [k, rate(of.filter((r) => r.outcome === 'passed').length, of.length)];
    }),
  );
  return {
    bpcer: rate(bona.filter((r) => r.outcome !== 'passed').length, bona.length),
    apcer,
    fta: rate(results.length - acquired.length, results.length) ?? 0,
    recordings,
    presentations: results.length,
    results,
  };
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      videos: { type: 'string' },
      config: { type: 'string' },
      fps: { type: 'string' },
      sides: { type: 'string' },
      models: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(`eval-presence: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    console.error('Usage: npm run kioskctl -- eval-presence --videos CSV [--config FILE] [--fps N] [--sides both|left|right] [--json]');
    return 2;
  }
  const opts = parsed.data;
  const rows = readRecordings(opts.videos);
  const config: KioskConfig = opts.config ? parseConfig(readJson(opts.config), opts.config) : parseConfig({});
  const progress = (line: string): void => {
    process.stderr.write(`eval-presence: ${line}\n`);
  };
  const engine = await createFaceEngine({ modelsDir: opts.models ?? shippedDir('models'), backend: config.face.backend, requestTimeoutMs: 60_000, log: progress });
  const sides = opts.sides === 'both' ? (['left', 'right'] as const) : [opts.sides];
  const results: PresenceResult[] = [];
  try {
    for (const [i, row] of rows.entries()) {
      for (const side of sides) {
        const frames = recordingFrames(row.path, { ...kioskCadence, fps: opts.fps });
        const result = await runPresence(engine, config.presence, frames, { side, fps: opts.fps });
        results.push({ file: row.file, label: row.label, ...result });
        progress(`${i + 1}/${rows.length} ${row.file} (${row.label}, ${side}): ${describeRun(result)}`);
      }
    }
  } finally {
    await engine.close();
  }
  const report = presenceReport(results, rows.length);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  }
  console.log(formatReport(report, opts.fps));
  return 0;
}

const describeRun = (r: PresenceRun): string =>
  r.outcome === 'passed' ? `passed at ${((r.decidedAtMs ?? 0) / 1000).toFixed(1)} s` : `${r.outcome} (${r.failure ?? '?'})${r.decidedAtMs !== undefined ? ` at ${(r.decidedAtMs / 1000).toFixed(1)} s` : ''}`;

const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`);

export function formatReport(report: PresenceReport, fps: number): string {
  const width = Math.min(60, Math.max(10, ...report.results.map((r) => r.file.length)));
  return [
    `Presence check on ${report.recordings} recordings, ${report.presentations} presentations (each side; ${fps} frames/s)`,
    '',
    `  ${'recording'.padEnd(width)}  ${'label'.padEnd(18)} side   result`,
    ...report.results.map((r) => `  ${r.file.slice(-width).padEnd(width)}  ${r.label.padEnd(18)} ${r.side.padEnd(6)} ${describeRun(r)}`),
    '',
    `  BPCER (bona fide refused, of acquired): ${pct(report.bpcer)}`,
    ...Object.entries(report.apcer).map(([k, v]) => `  APCER ${k} (attacks passed, of acquired): ${pct(v)}`),
    `  FTA (never reached the challenge): ${pct(report.fta)}`,
  ].join('\n');
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (err) {
    throw new Error(`cannot read the configuration ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const evalPresenceCommand: Command = {
  name: 'eval-presence',
  summary: 'measure the presence check on recordings (BPCER, APCER per attack kind, FTA)',
  run,
};
