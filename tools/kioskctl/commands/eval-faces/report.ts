// kioskctl eval-faces: the figures of one evaluation, and its outputs (the JSON report, the scores
// file, the DET plot and the text for clinic IT).
import { writeFileSync } from 'node:fs';
import type { FaceEngineClient } from '../../../../electron/core/face/engine.js';
import { detCurve } from '../../../../electron/core/face/verification.js';
import { csvText } from '../../../../electron/core/platform/csv/write.js';
import { percentile } from '../../../percentile.js';
import { writeDetPlot } from '../../../eval/faces/det-plot.js';
import type { IdentityRow } from '../../../eval/faces/identities.js';
import type { LabelledPair } from '../../../eval/faces/pairs.js';
import { gateText } from '../../../eval/faces/quality-gate.js';
import type { DescribedImages } from './describe-images.js';
import type { Options } from './options.js';
import { r1, r4, summarise, type Scored, type Summary } from './summary.js';

/** Everything one evaluation measured, as the outputs need it. */
export interface Evaluation {
  opts: Options;
  /** The options, with the threshold the pairs are judged at. */
  measured: Options & { threshold: number };
  pairs: LabelledPair[];
  identities: IdentityRow[] | null;
  /** [resolved path, file as listed] of every image wanted up front. */
  files: Array<[string, string]>;
  ks: number[] | null;
  maxK: number;
  perK: Array<{ k: number; scored: Scored[] }>;
  described: DescribedImages;
  gate: NonNullable<Options['gate']> | null;
  refused: Map<string, string[]>;
  probes: string[];
  templateShort: number;
  status: Awaited<ReturnType<FaceEngineClient['status']>>;
  pathOf: (file: string) => string;
}

/** The figures every output shares: all pairs and each group, and how the pairs came. */
export function figuresOf(ev: Evaluation) {
  const {
    opts,
    measured,
    pairs,

    files,

    perK,
  } = ev;
  const scored = (perK[0] as { scored: Scored[] }).scored;
  const groupNames = [...new Set(pairs.map((p) => p.group))].sort();
  const overall = summarise(scored, pairs, measured);
  const groups: Record<string, Summary> = Object.fromEntries(
    groupNames.map((g) => [
      g,
      summarise(
        scored.filter((p) => p.pair.group === g),
        pairs.filter((p) => p.group === g),
        measured,
      ),
    ]),
  );
  const made =
    opts['make-pairs'] !== undefined
      ? { per_group: opts['make-pairs'], seed: opts.seed ?? 1, impostors: opts.impostors ?? 'same-group' }
      : null;
  const source = made ? { made_pairs: made } : { pairs_file: opts.pairs };
  const fileOf = new Map(files.map(([path, file]) => [path, file]));
  const shown = (path: string): string => fileOf.get(path) ?? path;
  const byGroup = (list: Scored[]) =>
    Object.fromEntries(
      groupNames.map((g) => [
        g,
        summarise(
          list.filter((p) => p.pair.group === g),
          pairs.filter((p) => p.group === g),
          measured,
        ),
      ]),
    );
  return { scored, groupNames, overall, groups, made, source, shown, byGroup };
}
export type Figures = ReturnType<typeof figuresOf>;

export function buildReport(ev: Evaluation, fig: Figures) {
  const {
    opts,
    measured,
    pairs,

    ks,

    perK,
    gate,
    refused,
    probes,
    templateShort,
    status,
    pathOf,
  } = ev;
  const { skipped, attempted, times } = ev.described;
  const { scored, overall, groups, source, shown, byGroup } = fig;
  const templateReport = ks
    ? {
        template: {
          k: ks,
          reference: 'file_y and other images of its identity, never the probe (seeded)',
          short_pairs: templateShort,
        },
        templates: perK.map(({ k, scored: list }) => {
          const all = summarise(list, pairs, measured);
          return {
            k,
            pairs: all.pairs,
            accuracy: all.accuracy,
            far: all.far,
            frr: all.frr,
            eer: all.eer,
            false_accepts: all.false_accepts,
            false_rejects: all.false_rejects,
            targets: all.targets,
            groups: byGroup(list),
          };
        }),
      }
    : {};
  const gateReport = gate
    ? {
        gate: {
          rules: gateText(gate),
          probe_images: probes.length,
          refused_images: refused.size,
          refused_share: r4(probes.length ? refused.size / probes.length : 0),
          refused_pairs: pairs.filter((p) => refused.has(pathOf(p.file_x))).length,
          refused: [...refused].map(([path, rules]) => ({ file: shown(path), rules })),
        },
      }
    : {};
  const report = {
    ...source,
    identities_file: opts.identities ?? null,
    pairs: overall.pairs,
    pairs_listed: pairs.length,
    skipped: skipped.length,
    skipped_images: skipped,
    skipped_pairs: pairs.length - scored.length,
    images: attempted.size,
    threshold: measured.threshold,
    accuracy: overall.accuracy,
    far: overall.far,
    frr: overall.frr,
    eer: overall.eer,
    false_accepts: overall.false_accepts,
    false_rejects: overall.false_rejects,
    same_max_distance: overall.same_max_distance,
    different_min_distance: overall.different_min_distance,
    targets: overall.targets,
    groups,
    ...templateReport,
    ...gateReport,
    p50_ms: r1(percentile(times, 50)),
    p95_ms: r1(percentile(times, 95)),
    backend: status.backend,
    backend_detail: status.detail,
    model_id: status.modelId,
  };
  return report;
}
export type Report = ReturnType<typeof buildReport>;

/** --save-scores: one row per pair scored, for each K. */
export function writeScores(ev: Evaluation, fig: Figures, file: string): void {
  const { perK } = ev;
  const { shown } = fig;
  const rows = perK.flatMap(({ k, scored: list }) =>
    list.map((p) => [
      p.pair.file_x,
      p.pair.file_y,
      p.same ? 'Yes' : 'No',
      p.pair.group,
      String(k),
      p.reference.map(shown).join(';'),
      p.distance.toFixed(6),
    ]),
  );
  writeFileSync(file, csvText([['file_x', 'file_y', 'Decision', 'group', 'k', 'reference', 'distance'], ...rows]));
}

/** --plot: the DET curve of each group with both kinds of pair. */
export async function writePlot(ev: Evaluation, fig: Figures, report: Report, file: string): Promise<void> {
  const {
    opts,
    measured,
    pairs,

    ks,

    gate,

    status,
  } = ev;
  const { scored, groupNames, groups, made } = fig;
  const impostors = !made
    ? `pairs from ${(opts.pairs as string).split('/').slice(-2).join('/')}`
    : made.impostors === 'any'
      ? `impostors: anyone (random pairs), seed ${made.seed}`
      : `impostors: same group and gender, seed ${made.seed}`;
  await writeDetPlot(file, {
    title: `Face verification, DET per group (threshold ${measured.threshold})`,
    subtitle: `${report.pairs} pairs scored of ${pairs.length} · ${impostors}${ks ? ` · template of ${ks[0]} image(s)` : ''}${gate ? ` · gate ${gateText(gate)}` : ''} · models ${status.modelId}`,
    threshold: measured.threshold,
    targetFars: opts['target-far'],
    series: groupNames
      .map((g) => ({ g, list: scored.filter((p) => p.pair.group === g), s: groups[g] as Summary }))
      .filter(({ s }) => s.same_pairs > 0 && s.different_pairs > 0)
      .map(({ g, list, s }) => ({
        name: g,
        points: detCurve(list),
        genuine: s.same_pairs,
        impostors: s.different_pairs,
        eer: s.eer ?? Number.NaN,
        operating: { far: s.far ?? 0, frr: s.frr ?? 0 },
      })),
  });
}

/** The text for clinic IT: the table per group, the thresholds per FAR target, templates, gate, speed, skips. */
export function reportText(ev: Evaluation, fig: Figures, report: Report): string {
  const { opts, measured, pairs, identities, files, ks, maxK, perK, gate, refused, probes, templateShort, status } = ev;
  const { skipped } = ev.described;
  const { groupNames, overall, groups, made, byGroup } = fig;
  const pct = (v: number | null): string => (v === null ? '-' : `${(v * 100).toFixed(2)} %`);
  const width = Math.max(9, ...groupNames.map((g) => g.length));
  const lines = [
    `Face verification on ${report.pairs} pairs (${files.length} images; backend ${status.detail}; models ${status.modelId})`,
    identities
      ? `  groups from ${opts.identities}${made ? `; pairs made: at most ${made.per_group} genuine + ${made.per_group} impostor per group, seed ${made.seed}, impostors ${made.impostors}` : ''}`
      : '  groups: top folder of file_x',
    '',
    `  ${'set'.padEnd(width)}  pairs  same  diff  accuracy   FAR       FRR       EER       max same  min diff`,
    ...Object.entries({ all: overall, ...groups }).map(
      ([name, g]) =>
        `  ${name.padEnd(width)} ${String(g.pairs).padStart(6)} ${String(g.same_pairs).padStart(5)} ${String(g.different_pairs).padStart(5)}  ${pct(g.accuracy).padStart(8)}  ${pct(g.far).padStart(8)}  ${pct(g.frr).padStart(8)}  ${pct(g.eer).padStart(8)}  ${String(g.same_max_distance ?? '-').padStart(8)}  ${String(g.different_min_distance ?? '-').padStart(8)}`,
    ),
    '',
    `  at threshold ${measured.threshold}: ${overall.false_accepts} false accepts, ${overall.false_rejects} false rejects`,
    ...opts['target-far'].flatMap((target, k) => [
      `  threshold meeting FAR ≤ ${pct(target)}:`,
      ...Object.entries({ all: overall, ...groups }).map(([name, g]) => {
        const t = g.targets[k];
        return t && t.threshold !== null
          ? `    ${name.padEnd(width)} ${String(t.threshold).padStart(7)} (FRR ${pct(t.frr)})`
          : `    ${name.padEnd(width)} none`;
      }),
    ]),
    ...(ks
      ? [
          `  reference templates (mean of K images of the reference person; ${templateShort} pairs short of ${maxK} images not scored):`,
          ...perK.flatMap(({ k, scored: list }) =>
            Object.entries({ all: summarise(list, pairs, measured), ...byGroup(list) }).map(
              ([name, g]) =>
                `    K=${k} ${name.padEnd(width)} ${String(g.pairs).padStart(6)} pairs  FAR ${pct(g.far).padStart(8)}  FRR ${pct(g.frr).padStart(8)}  EER ${pct(g.eer).padStart(8)}  ${g.targets.map((t) => `FRR at FAR ${pct(t.target_far)}: ${pct(t.frr)}`).join('  ')}`,
            ),
          ),
        ]
      : []),
    ...(gate
      ? [
          `  gate ${gateText(gate)}: ${refused.size} of ${probes.length} probe images refused (${pct(report.gate?.refused_share ?? 0)}), ${report.gate?.refused_pairs} pairs not scored`,
        ]
      : []),
    `  time per image (detect + landmarks + descriptor): p50 ${report.p50_ms} ms, p95 ${report.p95_ms} ms`,
    ...(opts.plot ? [`  DET plot written to ${opts.plot}`] : []),
    '',
    skipped.length
      ? `  skipped ${skipped.length} images (${report.skipped_pairs} pairs not scored):`
      : '  no image skipped',
    ...skipped.map((s) => `    ${s.file}: ${s.reason}`),
  ];
  return lines.join('\n');
}
