import { z } from 'zod';
import { parseOptions } from '../../electron/core/platform/cli-options.js';
import { defaultDataDir } from '../../electron/core/platform/store/index.js';

/** Parses a kioskctl command's options against its zod object (each option named once, there). */
export function parseCommandArgs<S extends z.ZodObject>(argv: string[], schema: S): z.infer<S> {
  return parseOptions(argv, schema).values;
}

/** `--data-dir`: the kiosk's data folder, the platform's default when left out. */
export const dataDirSchema = z
  .string()
  .min(1)
  .default(() => defaultDataDir());
