import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { defaultDataDir } from '../../electron/core/platform/store/index.js';

/** Parses a kioskctl command's options with node:util and validates them with zod, in one readable message. */
export function parseCommandArgs<S extends z.ZodType>(argv: string[], options: NonNullable<ParseArgsConfig['options']>, schema: S): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new Error(err instanceof Error ? err.message : String(err));
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${i.path.join('.') || 'options'}: ${i.message}`).join('; '));
  return parsed.data;
}

/** `--data-dir`: the kiosk's data folder, the platform's default when left out. */
export const dataDirOption = { 'data-dir': { type: 'string' } } as const;
export const dataDirSchema = z.string().min(1).default(() => defaultDataDir());
