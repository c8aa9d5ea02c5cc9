/**
 * kioskctl eval-faces: how well the face engine verifies on labelled pairs of photos, per group of
 * people (for clinic IT calibrating the threshold, and for the figures in docs/face-accuracy.md).
 * Pairs come from a pairs file, or are built (seeded) from an identities file with impostors of the
 * same group and gender. Every image goes through the real engine (detect + landmarks + descriptor),
 * once; images with no face or several faces are skipped, counted and listed. With `--template K`
 * the reference side of each pair is the mean of K descriptors of the reference person; with
 * `--gate RULES` probes whose face falls short of the rules are refused before they are compared.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { defaultConfig } from '../../../electron/core/platform/config/schema.js';
import { createFaceEngine } from '../../../electron/core/face/engine.js';
import { writeDetPlot } from '../../eval/faces/det-plot.js';
import { readIdentities, type IdentityRow } from '../../eval/faces/identities.js';
import { labelPairs, makePairs, pairsCsv, readPairs, type LabelledPair } from '../../eval/faces/pairs.js';
import { loadImageFrame } from '../../../electron/core/face/image-file.js';
import { shippedDir } from '../../../electron/core/platform/resources.js';
import { parseOptions } from '../../../electron/core/platform/cli-options.js';
import { modelPackageOption } from '../../../electron/core/face/model-package.js';
import { csvText } from '../../../electron/core/platform/csv/write.js';
import { FaceEngineError, type FaceAnalysis, type RgbaFrame } from '../../../electron/core/face/types.js';
import { descriptorDistance } from '../../../electron/core/face/descriptor-distance.js';
import { meanTemplate } from '../../../electron/core/face/template.js';
import { templateOrders } from '../../eval/faces/templates.js';
import { gateFailures, gateText, qualityGateSchema } from '../../eval/faces/quality-gate.js';
import {
  detCurve,
  equalErrorRate,
  ratesAt,
  thresholdForFar,
  type ScoredPair,
} from '../../../electron/core/face/verification.js';
import type { Command } from '../command.js';
import { percentile } from '../../percentile.js';

export { readPairs } from '../../eval/faces/pairs.js';

const USAGE = [
  'Usage: npm run kioskctl -- eval-faces --images DIR (--pairs FILE | --identities FILE --make-pairs N)',
  '         [--identities FILE] [--impostors same-group|any] [--seed S] [--threshold T] [--target-far F[,F…]]',
  '         [--template K[,K…]] [--gate RULE=V[,…]] [--plot FILE.svg|FILE.png] [--save-pairs FILE] [--save-scores FILE]',
  '         [--max-side PX] [--detector-size PX] [--models DIR] [--model-package DIR[:SHA256]] [--json]',
].join('\n');

const farValue = z
  .number({ error: '--target-far must be numbers between 0 and 1, e.g. 0.01,0.001' })
  .min(0, '--target-far must be ≥ 0')
  .max(1, '--target-far must be ≤ 1');
const farList = z
  .string()
  .transform((s) => s.split(',').map((v) => v.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .min(1, '--target-far must be numbers between 0 and 1, e.g. 0.01,0.001')
          .transform(Number)
          .pipe(farValue),
      )
      .min(1)
      .max(6, 'at most six --target-far values'),
  );

const templateList = z
  .string()
  .transform((s) => s.split(',').map((v) => v.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^\d+$/, '--template takes whole numbers of images, e.g. 1,2,3')
          .transform(Number)
          .pipe(z.number().int().min(1, '--template K must be at least 1').max(20, '--template K is at most 20')),
      )
      .min(1)
      .max(6, 'at most six --template values')
      .refine((l) => new Set(l).size === l.length, '--template values must differ'),
  );

const optionsSchema = z
  .object({
    pairs: z.string().min(1).optional(),
    identities: z.string().min(1).optional(),
    images: z.string({ error: '--images DIR is required (folder the CSV paths are relative to)' }).min(1),
    'make-pairs': z.coerce
      .number({ error: '--make-pairs must be a number' })
      .int('--make-pairs must be a whole number')
      .min(1, '--make-pairs must be at least 1')
      .max(100_000, '--make-pairs is at most 100000')
      .optional(),
    seed: z.coerce
      .number({ error: '--seed must be a number' })
      .int('--seed must be a whole number')
      .min(0, '--seed must be ≥ 0')
      .max(2 ** 31 - 1, '--seed must be under 2^31')
      .optional(),
    impostors: z.enum(['same-group', 'any'], { error: '--impostors must be same-group or any' }).optional(),
    threshold: z.coerce
      .number({ error: '--threshold must be a number' })
      .min(0.05, '--threshold must be ≥ 0.05')
      .max(2, '--threshold must be ≤ 2')
      .optional(),
    'target-far': farList.optional().transform((v) => v ?? [0.01, 0.001]),
    plot: z
      .string()
      .regex(/\.(svg|png)$/i, '--plot FILE must end in .svg or .png')
      .optional(),
    'save-pairs': z.string().min(1).optional(),
    /** Reference templates of K images (several K: each scored on the same pairs). */
    template: templateList.optional(),
    gate: qualityGateSchema.optional(),
    'save-scores': z.string().min(1).optional(),
    'max-side': z.coerce
      .number({ error: '--max-side must be a number' })
      .int()
      .min(64, '--max-side must be ≥ 64')
      .max(4096, '--max-side must be ≤ 4096')
      .default(640),
    models: z.string().min(1).optional(),
    /** The recognition model package the kiosk runs (as `npm run bench --model-package`): IT measures the model it deploys. */
    'model-package': modelPackageOption.optional(),
    /** Detector input size for describe (px, multiple of 32); default: the engine's. For comparisons. */
    'detector-size': z.coerce
      .number({ error: '--detector-size must be a number' })
      .int()
      .min(96)
      .max(800)
      .multipleOf(32, '--detector-size must be a multiple of 32')
      .optional(),
    json: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    const issue = (message: string): void => ctx.addIssue({ code: 'custom', message });
    if (!o.pairs && o['make-pairs'] === undefined)
      issue('--pairs FILE is required (CSV file_x,file_y,Decision), or --identities FILE with --make-pairs N');
    if (o.pairs && o['make-pairs'] !== undefined) issue('give --pairs FILE or --make-pairs N, not both');
    if (o['make-pairs'] !== undefined && !o.identities)
      issue('--make-pairs N needs --identities FILE (file,identity[,group][,gender])');
    if (o['make-pairs'] === undefined && o.impostors !== undefined)
      issue('--impostors only applies with --make-pairs N');
    if (o['make-pairs'] === undefined && o.seed !== undefined && !o.template)
      issue('--seed only applies with --make-pairs N or --template K');
    if (o.template && !o.identities)
      issue('--template K needs --identities FILE (the other images of each reference person)');
  });
type Options = z.infer<typeof optionsSchema>;

const r4 = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10_000) / 10_000 : null);
const r1 = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);

type Scored = ScoredPair & { pair: LabelledPair; reference: string[] };

/** One group's figures at the threshold and for each FAR target. */
function summarise(list: Scored[], all: LabelledPair[], opts: Options & { threshold: number }) {
  const rates = ratesAt(list, opts.threshold);
  const same = list.filter((p) => p.same).map((p) => p.distance);
  const diff = list.filter((p) => !p.same).map((p) => p.distance);
  const eer = equalErrorRate(list);
  return {
    pairs: list.length,
    same_pairs: same.length,
    different_pairs: diff.length,
    skipped_pairs: all.length - list.length,
    accuracy: r4(rates.accuracy),
    far: r4(rates.far),
    frr: r4(rates.frr),
    false_accepts: rates.falseAccepts,
    false_rejects: rates.falseRejects,
    eer: r4(eer.eer),
    eer_threshold: r4(eer.threshold),
    same_max_distance: same.length ? r4(Math.max(...same)) : null,
    different_min_distance: diff.length ? r4(Math.min(...diff)) : null,
    targets: opts['target-far'].map((target) => {
      const t = thresholdForFar(list, target);
      return {
        target_far: target,
        threshold: t ? r4(t.threshold) : null,
        far: t ? r4(t.rates.far) : null,
        frr: t ? r4(t.rates.frr) : null,
      };
    }),
  };
}
type Summary = ReturnType<typeof summarise>;

/** The pairs to score, from the pairs file or built from the identities file. */
function loadPairs(opts: Options): { pairs: LabelledPair[]; identities: IdentityRow[] | null } {
  const identities = opts.identities ? readIdentities(opts.identities) : null;
  if (opts['make-pairs'] !== undefined && identities) {
    const pairs = makePairs(identities, {
      perGroup: opts['make-pairs'],
      seed: opts.seed ?? 1,
      impostors: opts.impostors ?? 'same-group',
    });
    return { pairs, identities };
  }
  return { pairs: labelPairs(readPairs(opts.pairs as string), identities ?? undefined), identities };
}

/** Fails before any image is described when an output could not be written at the end. */
function checkOutputFolder(file: string | undefined, option: string): void {
  if (!file) return;
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${option}: the folder ${dir} does not exist`);
}

async function run(argv: string[]): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(argv, optionsSchema).values;
  } catch (err) {
    console.error(`eval-faces: ${err instanceof Error ? err.message : String(err)}`);
    console.error(USAGE);
    return 2;
  }
  const imagesDir = resolve(opts.images);
  if (!existsSync(imagesDir) || !statSync(imagesDir).isDirectory())
    throw new Error(`the images folder ${imagesDir} does not exist`);
  checkOutputFolder(opts.plot, '--plot');
  checkOutputFolder(opts['save-pairs'], '--save-pairs');
  checkOutputFolder(opts['save-scores'], '--save-scores');
  const { pairs, identities } = loadPairs(opts);
  if (!pairs.length) throw new Error('no pairs to score (does every identity have one image only?)');
  if (opts['save-pairs']) writeFileSync(opts['save-pairs'], pairsCsv(pairs));

  // Each image once, by its resolved path; a listed image that is not there fails before the long part.
  const pathOf = (file: string): string => (isAbsolute(file) ? file : resolve(imagesDir, file));
  // Templates: the reference person's images in the order they join the template (seeded); the
  // first K of them are described up front, further ones only when an earlier one has no face.
  const ks = opts.template ?? null;
  const maxK = ks ? Math.max(...ks) : 1;
  const orders = ks ? templateOrders(pairs, identities as IdentityRow[], opts.seed ?? 1) : null;
  const wanted = [...pairs.flatMap((p) => [p.file_x, p.file_y]), ...(orders ?? []).flatMap((o) => o.slice(1, maxK))];
  const files = [...new Map(wanted.map((f) => [pathOf(f), f])).entries()];
  const absent = files.filter(([path]) => !existsSync(path)).map(([, f]) => f);
  if (absent.length)
    throw new Error(`${absent.length} image(s) not found under ${imagesDir}, e.g. ${absent.slice(0, 3).join(', ')}`);

  const log = (line: string): void => {
    process.stderr.write(`eval-faces: ${line}\n`);
  };
  const engine = await createFaceEngine({
    modelsDir: opts.models ?? shippedDir('models'),
    backend: defaultConfig.face.backend,
    requestTimeoutMs: 60_000,
    ...(opts['detector-size'] ? { describeInputSize: opts['detector-size'] } : {}),
    ...(opts['model-package'] ? { modelPackage: opts['model-package'] } : {}),
    log,
  });
  const descriptors = new Map<string, number[]>();
  const faces = new Map<string, FaceAnalysis>();
  const attempted = new Set<string>();
  const skipped: Array<{ file: string; reason: string }> = [];
  const times: number[] = [];
  const bar = new cliProgress.SingleBar(
    {
      format:
        'eval-faces: described {value}/{total} images, {skipped} skipped |{bar}| {percentage}% · eta {eta_formatted}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 15_000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  /** Describes an image once (by resolved path); no face, several faces or an unreadable file: skipped and listed. */
  const describeOnce = async (path: string, file: string): Promise<void> => {
    if (attempted.has(path)) return;
    attempted.add(path);
    let frame: RgbaFrame | null = null;
    try {
      frame = await loadImageFrame(path, { maxSide: opts['max-side'] });
    } catch {
      skipped.push({ file, reason: 'unreadable' });
    }
    if (frame) {
      const t0 = performance.now();
      try {
        const { descriptor, face } = await engine.describe(frame);
        descriptors.set(path, descriptor);
        faces.set(path, face);
        times.push(performance.now() - t0);
      } catch (err) {
        if (!(err instanceof FaceEngineError && (err.code === 'no-face' || err.code === 'several-faces'))) throw err;
        times.push(performance.now() - t0);
        skipped.push({ file, reason: err.code });
      }
    }
    bar.update(attempted.size, { skipped: skipped.length });
  };
  try {
    bar.start(files.length, 0, { skipped: 0 });
    for (const [path, file] of files) await describeOnce(path, file);
    // Each pair's reference images: the first maxK of its order that have a descriptor (the same for every K).
    const references: Array<string[] | null> = [];
    for (const order of orders ?? []) {
      const got: string[] = [];
      for (const file of order) {
        if (got.length === maxK) break;
        const path = pathOf(file);
        if (!attempted.has(path)) {
          bar.setTotal(bar.getTotal() + 1);
          await describeOnce(path, file);
        }
        if (descriptors.has(path)) got.push(path);
        else if (file === order[0]) break; // file_y itself has no descriptor: the pair is skipped anyway
      }
      references.push(got.length === maxK && got[0] === pathOf(order[0] as string) ? got : null);
    }
    bar.stop();
    const status = await engine.status();
    // The model's own metric, and its same-person threshold unless --threshold asks for another.
    const measured = { ...opts, threshold: opts.threshold ?? status.threshold };

    // The gate refuses probes (file_x: the face at the kiosk) whose face falls short of a rule.
    const gate = opts.gate ?? null;
    const refused = new Map<string, string[]>();
    const probes = [...new Set(pairs.map((p) => pathOf(p.file_x)))].filter((path) => faces.has(path));
    if (gate) {
      for (const path of probes) {
        const failed = gateFailures(gate, faces.get(path) as FaceAnalysis);
        if (failed.length) refused.set(path, failed);
      }
    }
    const templateShort = references.filter((r) => r === null).length;

    /** The pairs scored with a reference template of k images (k = 1 without --template). */
    const scoreWith = (k: number): Scored[] => {
      const out: Scored[] = [];
      for (const [i, pair] of pairs.entries()) {
        const probe = pathOf(pair.file_x);
        const a = descriptors.get(probe);
        if (!a || refused.has(probe)) continue;
        let b: number[] | undefined;
        let reference: string[];
        if (orders) {
          const refs = references[i];
          if (!refs) continue;
          reference = refs.slice(0, k);
          b =
            k === 1
              ? descriptors.get(refs[0] as string)
              : meanTemplate(
                  reference.map((r) => descriptors.get(r) as number[]),
                  status.metric,
                );
        } else {
          reference = [pathOf(pair.file_y)];
          b = descriptors.get(reference[0] as string);
        }
        if (b) out.push({ pair, same: pair.same, distance: descriptorDistance(a, b, status.metric), reference });
      }
      return out;
    };
    const perK = (ks ?? [1]).map((k) => ({ k, scored: scoreWith(k) }));
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

    if (opts['save-scores']) {
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
      writeFileSync(
        opts['save-scores'],
        csvText([['file_x', 'file_y', 'Decision', 'group', 'k', 'reference', 'distance'], ...rows]),
      );
    }

    if (opts.plot) {
      const impostors = !made
        ? `pairs from ${(opts.pairs as string).split('/').slice(-2).join('/')}`
        : made.impostors === 'any'
          ? `impostors: anyone (random pairs), seed ${made.seed}`
          : `impostors: same group and gender, seed ${made.seed}`;
      await writeDetPlot(opts.plot, {
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
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }
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
    console.log(lines.join('\n'));
    return 0;
  } finally {
    bar.stop();
    await engine.close();
  }
}

export const evalFacesCommand: Command = {
  name: 'eval-faces',
  summary: 'measure face verification per group (accuracy, FAR, FRR, EER, DET plot, speed) on labelled image pairs',
  run,
};
