#!/usr/bin/env node
// npm run hub:eval-growth -- --identities FILE --images DIR [--visits 0,1,2,4] [--bounds 0.44,0.35,0.30]
//                            [--max 4] [--seed 1] [--model-package DIR[:SHA256]] [--json]
// FRR at FAR 1 % and 0.1 % after n verified visits with the hub's growth rule, same-group same-gender
// impostors, and what an impostor's own visits would do to a reference (docs/face-accuracy.md).
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { z } from 'zod';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import { readIdentities } from '../eval/faces/identities.js';
import { loadImageFrame } from '../../electron/core/face/image-file.js';
import { shippedDir } from '../../electron/core/platform/resources.js';
import { FaceEngineError } from '../../electron/core/face/types.js';
import { parseOptions } from '../../electron/core/platform/cli-options.js';
import { modelPackageOption } from '../../electron/core/face/model-package.js';
import { growthCurves, type Person } from '../eval/faces/growth.js';

const list = (what: string) =>
  z
    .string()
    .transform((s) => s.split(',').map(Number))
    .pipe(
      z
        .array(z.number({ error: `${what}: numbers, comma-separated` }).min(0))
        .min(1)
        .max(8),
    );

const schema = z.object({
  identities: z.string({ error: '--identities FILE is required' }).min(1),
  images: z.string({ error: '--images DIR is required' }).min(1),
  visits: list('--visits').default([0, 1, 2, 4]),
  bounds: list('--bounds').default([0.44, 0.35, 0.3]),
  max: z.coerce.number().int().min(1).max(50).default(4),
  seed: z.coerce.number().int().min(0).default(1),
  'target-far': list('--target-far').default([0.01, 0.001]),
  'model-package': modelPackageOption.optional(),
  json: z.boolean().default(false),
});

async function main(): Promise<number> {
  let o: z.infer<typeof schema>;
  try {
    o = parseOptions(process.argv.slice(2), schema).values;
  } catch (err) {
    console.error(`eval-growth: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const rows = readIdentities(o.identities);
  const need = 2 + Math.max(...o.visits);
  const byId = new Map<string, typeof rows>();
  for (const r of rows) byId.set(r.identity, [...(byId.get(r.identity) ?? []), r]);
  const engine = await createFaceEngine({
    modelsDir: shippedDir('models'),
    backend: defaultConfig.face.backend,
    requestTimeoutMs: 60_000,
    ...(o['model-package'] ? { modelPackage: o['model-package'] } : {}),
    log: (l) => process.stderr.write(`eval-growth: ${l}\n`),
  });
  const rng = xoroshiro128plus(o.seed);
  const people: Person[] = [];
  let described = 0;
  let skipped = 0;
  try {
    for (const [id, files] of byId) {
      if (files.length < need) continue;
      const descriptors: number[][] = [];
      for (const f of files) {
        const path = isAbsolute(f.file) ? f.file : resolve(o.images, f.file);
        if (!existsSync(path)) throw new Error(`${f.file} is not under ${o.images}`);
        try {
          descriptors.push((await engine.describe(await loadImageFrame(path, { maxSide: 640 }))).descriptor);
          described++;
        } catch (err) {
          if (!(err instanceof FaceEngineError)) throw err;
          skipped++;
        }
      }
      // Seeded order: which photo enrols, which are visits, which are held out.
      for (let i = descriptors.length - 1; i > 0; i--) {
        const j = uniformInt(rng, 0, i);
        [descriptors[i], descriptors[j]] = [descriptors[j]!, descriptors[i]!];
      }
      people.push({ id, group: files[0]!.group, gender: files[0]!.gender, descriptors });
      process.stderr.write(`eval-growth: ${people.length} people, ${described} images described, ${skipped} skipped\r`);
    }
    const status = await engine.status();
    const result = growthCurves(people, {
      metric: status.metric,
      visits: o.visits,
      bounds: o.bounds,
      max: o.max,
      targetFar: o['target-far'],
    });
    const report = {
      model: status.modelId,
      threshold: status.threshold,
      described,
      skipped,
      seed: o.seed,
      max: o.max,
      ...result,
    };
    if (o.json) console.log(JSON.stringify(report, null, 2));
    else {
      const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
      console.log(
        `\nmodel ${report.model}, ${report.people} people (≥ ${need} described images), ${described} images, ${skipped} skipped`,
      );
      console.log(
        '| growth bound | verified visits | joined (mean) | genuine / impostor | EER | ' +
          o['target-far'].map((f) => `FRR at FAR ${f * 100} % (threshold)`).join(' | ') +
          ' |',
      );
      for (const r of result.rows) {
        console.log(
          `| ${r.bound} | ${r.visits} | ${r.joined.toFixed(2)} | ${r.genuine} / ${r.impostor} | ${pct(r.eer)} | ` +
            r.targets.map((t) => `${pct(t.frr)} (${t.threshold?.toFixed(3) ?? '—'})`).join(' | ') +
            ' |',
        );
      }
      console.log(
        '\n| growth bound | one impostor visit joins | couples (4 impostor visits) with a join | impostor descriptors joined (mean) |',
      );
      for (const p of result.poisoning)
        console.log(
          `| ${p.bound} | ${pct(p.joinRate)} | ${pct(p.couplesWithAJoin)} of ${p.couples} | ${p.meanJoined.toFixed(3)} |`,
        );
    }
    return 0;
  } finally {
    await engine.close();
  }
}

main().then(
  (c) => (process.exitCode = c),
  (err: unknown) => {
    console.error(`eval-growth: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
