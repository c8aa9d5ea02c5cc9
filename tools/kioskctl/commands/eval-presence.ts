/**
 * kioskctl eval-presence: how the presence check treats real recordings, in ISO/IEC 30107-3 terms.
 * Each recording of a CSV (`file,label`, label `bona-fide` or `attack:<kind>`) runs through the
 * real face engine and the real presence attempt at the kiosk's frame size and cadence, once for
 * each challenge side. Output: per recording and side, pass or the failure; BPCER (bona fide
 * refused), APCER per attack kind (attacks passed) and the failure-to-acquire rate, with the
 * texture evidence at the configured threshold and without it; the texture score per label, a DET
 * plot of it (`--plot`), and a threshold suggested at a target BPCER (`--target-bpcer`), written to
 * the configuration with an audit row (`--write-config`). `--model-package DIR[:SHA256]` runs the
 * recognition model package the kiosk runs, as `npm run bench` and `eval-faces` do.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig, type KioskConfig } from '../../../electron/core/platform/config/schema.js';
import { csvLineError, readCsv } from '../../../electron/core/platform/csv/read.js';
import { parseOptions } from '../../../electron/core/platform/cli-options.js';
import { modelPackageOption } from '../../../electron/core/face/model-package.js';
import { createFaceEngine } from '../../../electron/core/face/engine.js';
import { shippedDir } from '../../../electron/core/platform/resources.js';
import { kioskCadence, recordingFrames } from '../../eval/presence/recording.js';
import { runPresence, type PresenceRun } from '../../eval/presence/run.js';
import { writeDetPlot } from '../../eval/faces/det-plot.js';
import { TEXTURE_PACKAGE_DIR } from '../../../electron/core/face/texture-package.js';
import {
  scoresByLabel,
  scoreStats,
  suggestThreshold,
  textureDet,
  withTexture,
  type ScoreStats,
} from '../../eval/presence/texture-report.js';
import { openKioskStorage } from '../../../electron/core/storage.js';
import { dataDirSchema } from '../args.js';
import { auditCliAction } from './cli-audit.js';
import type { Command } from '../command.js';

const labelSchema = z.union([
  z.literal('bona-fide'),
  z
    .string()
    .regex(/^attack:[a-z0-9][a-z0-9-]{0,39}$/, 'label must be "bona-fide" or "attack:<kind>" (lower-case kind)'),
]);
const rowSchema = z.object({ file: z.string().min(1).max(1000), label: labelSchema });
export type RecordingRow = z.infer<typeof rowSchema>;

const USAGE =
  'Usage: npm run kioskctl -- eval-presence --videos CSV [--config FILE] [--fps N] [--sides both|left|right] [--json] [--plot det.svg|det.png] [--target-bpcer 0.02] [--margin 0.5] [--write-config FILE --data-dir DIR] [--models DIR] [--model-package DIR[:SHA256]]';

const optionsSchema = z.object({
  videos: z.string({ error: '--videos CSV is required (file,label; label bona-fide or attack:<kind>)' }).min(1),
  config: z.string().min(1).optional(),
  fps: z.coerce.number({ error: '--fps must be a number' }).int().min(2).max(30).default(kioskCadence.fps),
  sides: z.enum(['both', 'left', 'right']).default('both'),
  models: z.string().min(1).optional(),
  /** The recognition model package the kiosk runs (as `npm run bench` and `eval-faces`): IT measures the model it deploys. */
  'model-package': modelPackageOption.optional(),
  json: z.boolean().default(false),
  plot: z.string().min(1).optional(),
  'target-bpcer': z.coerce.number({ error: '--target-bpcer must be a number' }).min(0).max(0.5).default(0.02),
  margin: z.coerce.number({ error: '--margin must be a number' }).gt(0).max(1).default(0.5),
  'write-config': z.string().min(1).optional(),
  'data-dir': dataDirSchema,
});

/** Reads the recordings CSV (header `file,label`); paths are relative to the CSV's folder. */
export function readRecordings(path: string): Array<RecordingRow & { path: string }> {
  const records = readCsv(path, 'recordings');
  const header = records.shift()?.fields ?? [];
  if (header.join(',') !== 'file,label')
    throw new Error(`${path}: the first line must be "file,label", got "${header.join(',').slice(0, 60)}"`);
  if (records.length === 0) throw new Error(`${path}: no recordings listed`);
  const base = dirname(resolve(path));
  return records.map(({ fields: [file, label, ...extra], line }) => {
    const parsed = rowSchema.safeParse({ file, label });
    if (!parsed.success || extra.length) {
      throw csvLineError(
        path,
        line,
        `expected "file,bona-fide|attack:<kind>"${parsed.success ? '' : ` (${parsed.error.issues[0]?.message ?? ''})`}`,
      );
    }
    return { ...parsed.data, path: isAbsolute(parsed.data.file) ? parsed.data.file : resolve(base, parsed.data.file) };
  });
}

export interface PresenceResult extends PresenceRun {
  file: string;
  label: string;
}

export interface PresenceReport {
  /** The recognition model the runs used (the built-in one, or `--model-package`); set by the command. */
  recognitionModelId?: string;
  /** Bona fide presentations refused, over those acquired (reached the challenge); with the texture evidence when the report has it. */
  bpcer: number | null;
  /** Per attack kind: attacks that passed, over those acquired. */
  apcer: Record<string, number | null>;
  /** Presentations never acquired (never reached the challenge), over all. */
  fta: number;
  recordings: number;
  presentations: number;
  results: PresenceResult[];
  /** The texture evidence: figures without it, the score per label, and the suggested threshold. */
  texture?: TextureReport;
}

export interface TextureReport {
  modelId: string | null;
  threshold: number;
  minFrames: number;
  withoutTexture: { bpcer: number | null; apcer: Record<string, number | null> };
  scores: Record<string, ScoreStats>;
  suggestion: {
    targetBpcer: number;
    margin: number;
    threshold: number;
    quantile: number;
    bonaFide: number;
    apcer: Record<string, number | null>;
  } | null;
}

const rate = (hits: number, n: number): number | null => (n ? Math.round((hits / n) * 10_000) / 10_000 : null);

/** The ISO/IEC 30107-3 figures from per-presentation results. */
export function presenceReport(results: PresenceResult[], recordings: number): PresenceReport {
  const acquired = results.filter((r) => r.outcome !== 'not-acquired');
  const bona = acquired.filter((r) => r.label === 'bona-fide');
  const kinds = [
    ...new Set(results.filter((r) => r.label !== 'bona-fide').map((r) => r.label.slice('attack:'.length))),
  ].sort();
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

/**
 * The report with the texture evidence: the runs were judged without it (texture 'off', scores
 * recorded); the kiosk's outcome at `threshold` is derived per presentation (texture-report.ts).
 */
export function textureReport(
  results: PresenceResult[],
  recordings: number,
  texture: { modelId: string | null; threshold: number; minFrames: number; targetBpcer: number; margin: number },
): PresenceReport {
  const without = presenceReport(results, recordings);
  const judged = results.map((r) => ({ ...r, outcome: withTexture(r, texture.threshold, texture.minFrames) }));
  const withIt = presenceReport(judged, recordings);
  const byLabel = scoresByLabel(results, texture.minFrames);
  const suggested = suggestThreshold(byLabel['bona-fide'] ?? [], texture.targetBpcer, texture.margin);
  const atSuggested = suggested
    ? presenceReport(
        results.map((r) => ({ ...r, outcome: withTexture(r, suggested.threshold, texture.minFrames) })),
        recordings,
      ).apcer
    : {};
  return {
    ...withIt,
    results: judged,
    texture: {
      modelId: texture.modelId,
      threshold: texture.threshold,
      minFrames: texture.minFrames,
      withoutTexture: { bpcer: without.bpcer, apcer: without.apcer },
      scores: scoreStats(byLabel),
      suggestion: suggested
        ? { targetBpcer: texture.targetBpcer, margin: texture.margin, ...suggested, apcer: atSuggested }
        : null,
    },
  };
}

async function run(argv: string[]): Promise<number> {
  let opts: z.infer<typeof optionsSchema>;
  try {
    opts = parseOptions(argv, optionsSchema).values;
  } catch (err) {
    console.error(`eval-presence: ${err instanceof Error ? err.message : String(err)}`);
    console.error(USAGE);
    return 2;
  }
  const rows = readRecordings(opts.videos);
  const config: KioskConfig = opts.config ? parseConfig(readJson(opts.config), opts.config) : parseConfig({});
  const progress = (line: string): void => {
    process.stderr.write(`eval-presence: ${line}\n`);
  };
  const modelsDir = opts.models ?? shippedDir('models');
  // The texture model always runs here (its score is what calibration measures); the sessions are
  // judged without it and the kiosk's outcome with it is derived per presentation.
  const engine = await createFaceEngine({
    modelsDir,
    backend: config.face.backend,
    requestTimeoutMs: 60_000,
    log: progress,
    texture: { dir: join(modelsDir, TEXTURE_PACKAGE_DIR) },
    ...(opts['model-package'] ? { modelPackage: opts['model-package'] } : {}),
  });
  const judgedWithout: KioskConfig['presence'] = {
    ...config.presence,
    texture: { ...config.presence.texture, mode: 'off' },
  };
  let modelId: string | null = null;
  let recognitionModelId = '';
  const sides = opts.sides === 'both' ? (['left', 'right'] as const) : [opts.sides];
  const results: PresenceResult[] = [];
  try {
    for (const [i, row] of rows.entries()) {
      for (const side of sides) {
        const frames = recordingFrames(row.path, { ...kioskCadence, fps: opts.fps });
        const result = await runPresence(engine, judgedWithout, frames, { side, fps: opts.fps });
        results.push({ file: row.file, label: row.label, ...result });
        progress(`${i + 1}/${rows.length} ${row.file} (${row.label}, ${side}): ${describeRun(result)}`);
      }
    }
    const status = await engine.status();
    modelId = status.textureModelId ?? null;
    recognitionModelId = status.modelId;
  } finally {
    await engine.close();
  }
  const t = config.presence.texture;
  const report: PresenceReport = {
    recognitionModelId,
    ...textureReport(results, rows.length, {
      modelId,
      threshold: t.minRealScore,
      minFrames: t.minFrames,
      targetBpcer: opts['target-bpcer'],
      margin: opts.margin,
    }),
  };
  if (opts.plot) await writeTexturePlot(opts.plot, report);
  if (opts['write-config']) {
    const code = writeSuggestedThreshold(opts['write-config'], opts['data-dir'], report);
    if (code !== 0) return code;
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  }
  console.log(formatReport(report, opts.fps));
  return 0;
}

async function writeTexturePlot(file: string, report: PresenceReport): Promise<void> {
  const t = report.texture;
  if (!t) return;
  const byLabel = scoresByLabel(report.results, t.minFrames);
  const bona = byLabel['bona-fide'] ?? [];
  const kinds = Object.keys(byLabel)
    .filter((k) => k !== 'bona-fide')
    .sort();
  const rates = (scores: number[], at: number) => ({
    far: scores.length ? scores.filter((s) => s >= at).length / scores.length : 0,
    frr: bona.length ? bona.filter((s) => s < at).length / bona.length : 0,
  });
  await writeDetPlot(file, {
    title: 'Texture evidence (screen and print detection), DET per attack kind',
    subtitle: `judged real-face score (the lower of the hold's and the challenge's medians) · FAR = attacks accepted (APCER), FRR = patients refused (BPCER) · ${bona.length} bona fide sessions · model ${t.modelId ?? '?'}`,
    threshold: t.threshold,
    series: kinds.map((k) => {
      const attacks = byLabel[k] ?? [];
      const points = textureDet(bona, attacks);
      const eer = points.reduce(
        (best, p) => (Math.abs(p.far - p.frr) < Math.abs(best.far - best.frr) ? p : best),
        points[0] ?? { far: Number.NaN, frr: Number.NaN, threshold: 0 },
      );
      return {
        name: k.replace(/^attack:/, ''),
        points,
        genuine: bona.length,
        impostors: attacks.length,
        eer: (eer.far + eer.frr) / 2,
        operating: rates(attacks, t.threshold),
      };
    }),
  });
}

/** Writes the suggested threshold into the configuration file (presence.texture.minRealScore) and an audit row. */
function writeSuggestedThreshold(file: string, dataDir: string, report: PresenceReport): number {
  const s = report.texture?.suggestion;
  if (!s) {
    console.error(
      "eval-presence: no bona fide recording carried a texture score; nothing to suggest (add the clinic's own check-ins, label bona-fide).",
    );
    return 3;
  }
  const current: Record<string, unknown> = existsSync(file) ? (readJson(file) as Record<string, unknown>) : {};
  const presence = (current.presence ?? {}) as Record<string, unknown>;
  const texture = (presence.texture ?? {}) as Record<string, unknown>;
  const previous = typeof texture.minRealScore === 'number' ? texture.minRealScore : null;
  const next = { ...current, presence: { ...presence, texture: { ...texture, minRealScore: s.threshold } } };
  // Refuse to write a configuration the kiosk would not start with.
  parseConfig(next, file);
  writeFileSync(file, `${JSON.stringify(next, null, 2)}\n`);
  const db = openKioskStorage(dataDir);
  try {
    auditCliAction(db, 'presence.texture.calibrate', {
      config: resolve(file),
      previous: previous ?? 'default',
      threshold: s.threshold,
      targetBpcer: s.targetBpcer,
      margin: s.margin,
      bonaFideSessions: s.bonaFide,
      model: report.texture?.modelId ?? 'unknown',
    });
  } finally {
    db.close();
  }
  process.stderr.write(
    `eval-presence: wrote presence.texture.minRealScore = ${s.threshold} to ${file} (was ${previous ?? 'the default'}); audit row added\n`,
  );
  return 0;
}

const describeRun = (r: PresenceRun): string =>
  r.outcome === 'passed'
    ? `passed at ${((r.decidedAtMs ?? 0) / 1000).toFixed(1)} s`
    : `${r.outcome} (${r.failure ?? '?'})${r.decidedAtMs !== undefined ? ` at ${(r.decidedAtMs / 1000).toFixed(1)} s` : ''}${
        r.guidance
          ? `; shown ${r.guidance.map((g) => `${g.instruction} ${Math.round(g.share * 100)} %`).join(', ')}`
          : ''
      }`;

const pct = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`);

export function formatReport(report: PresenceReport, fps: number): string {
  const width = Math.min(60, Math.max(10, ...report.results.map((r) => r.file.length)));
  return [
    `Presence check on ${report.recordings} recordings, ${report.presentations} presentations (each side; ${fps} frames/s)${report.recognitionModelId ? `; recognition model ${report.recognitionModelId}` : ''}`,
    '',
    `  ${'recording'.padEnd(width)}  ${'label'.padEnd(18)} side   result`,
    ...report.results.map(
      (r) => `  ${r.file.slice(-width).padEnd(width)}  ${r.label.padEnd(18)} ${r.side.padEnd(6)} ${describeRun(r)}`,
    ),
    '',
    `  BPCER (bona fide refused, of acquired): ${pct(report.bpcer)}`,
    ...Object.entries(report.apcer).map(([k, v]) => `  APCER ${k} (attacks passed, of acquired): ${pct(v)}`),
    `  FTA (never reached the challenge): ${pct(report.fta)}`,
    ...(report.texture ? formatTexture(report.texture) : []),
  ].join('\n');
}

const score = (v: number | null): string => (v === null ? '-' : v.toFixed(3));

function formatTexture(t: TextureReport): string[] {
  const labels = Object.keys(t.scores).sort((a, b) =>
    a === 'bona-fide' ? -1 : b === 'bona-fide' ? 1 : a.localeCompare(b),
  );
  return [
    '',
    `  Texture evidence (model ${t.modelId ?? '?'}; threshold ${t.threshold}, at least ${t.minFrames} frames; the figures above include it)`,
    `  without it: BPCER ${pct(t.withoutTexture.bpcer)}${Object.entries(t.withoutTexture.apcer)
      .map(([k, v]) => `, APCER ${k} ${pct(v)}`)
      .join('')}`,
    `  ${'label'.padEnd(26)} sessions  median    min      max   (judged real-face score: the lower of the hold's and the challenge's medians)`,
    ...labels.map((l) => {
      const s = t.scores[l] as ScoreStats;
      return `  ${l.padEnd(26)} ${String(s.scored).padStart(8)}  ${score(s.median).padStart(6)}  ${score(s.min).padStart(6)}  ${score(s.max).padStart(6)}`;
    }),
    t.suggestion
      ? `  suggested threshold at BPCER ≤ ${pct(t.suggestion.targetBpcer)}: ${t.suggestion.threshold} (${t.suggestion.margin} × ${score(t.suggestion.quantile)}, from ${t.suggestion.bonaFide} bona fide sessions)${Object.entries(
          t.suggestion.apcer,
        )
          .map(([k, v]) => `; APCER ${k} ${pct(v)}`)
          .join('')}`
      : '  no bona fide session carried a texture score: no threshold suggested',
  ];
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
