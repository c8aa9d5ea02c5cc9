// kioskctl eval-faces: its command line (usage, options and the rules between them).
import { z } from 'zod';
import { modelPackageOption } from '../../../../electron/core/face/model-package.js';
import { qualityGateSchema } from '../../../eval/faces/quality-gate.js';

export const USAGE = [
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

export const optionsSchema = z
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
export type Options = z.infer<typeof optionsSchema>;
