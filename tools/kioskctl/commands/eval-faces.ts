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
import { defaultConfig } from '../../../electron/core/platform/config/schema.js';
import { createFaceEngine } from '../../../electron/core/face/engine.js';
import { readIdentities, type IdentityRow } from '../../eval/faces/identities.js';
import { labelPairs, makePairs, pairsCsv, readPairs, type LabelledPair } from '../../eval/faces/pairs.js';
import { shippedDir } from '../../../electron/core/platform/resources.js';
import { parseOptions } from '../../../electron/core/platform/cli-options.js';
import { templateOrders } from '../../eval/faces/templates.js';
import type { Command } from '../command.js';
import { describeImages, progressBar } from './eval-faces/describe-images.js';
import { optionsSchema, USAGE, type Options } from './eval-faces/options.js';
import { buildReport, figuresOf, reportText, writePlot, writeScores, type Evaluation } from './eval-faces/report.js';
import { refusedProbes, scoreWith } from './eval-faces/scoring.js';

export { readPairs } from '../../eval/faces/pairs.js';

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
  const bar = progressBar();
  try {
    const described = await describeImages({
      engine,
      bar,
      files,
      orders,
      maxK,
      pathOf,
      maxSide: opts['max-side'],
    });
    bar.stop();
    const status = await engine.status();
    // The model's own metric, and its same-person threshold unless --threshold asks for another.
    const measured = { ...opts, threshold: opts.threshold ?? status.threshold };

    const gate = opts.gate ?? null;
    const { refused, probes } = refusedProbes(gate, pairs, pathOf, described.faces);
    const templateShort = described.references.filter((r) => r === null).length;
    const scoring = { pairs, pathOf, described, refused, orders, metric: status.metric };
    const perK = (ks ?? [1]).map((k) => ({ k, scored: scoreWith(k, scoring) }));
    const ev: Evaluation = {
      opts,
      measured,
      pairs,
      identities,
      files,
      ks,
      maxK,
      perK,
      described,
      gate,
      refused,
      probes,
      templateShort,
      status,
      pathOf,
    };
    const fig = figuresOf(ev);
    const report = buildReport(ev, fig);
    if (opts['save-scores']) writeScores(ev, fig, opts['save-scores']);
    if (opts.plot) await writePlot(ev, fig, report, opts.plot);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return 0;
    }
    console.log(reportText(ev, fig, report));
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
