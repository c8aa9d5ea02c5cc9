// The browser host's command line, parsed and validated (zod) into host options.
import { resolve } from 'node:path';
import { z } from 'zod';
import { defaultDataDir } from '../core/platform/store/data-dir.js';
import { readConfigFile } from '../core/platform/config/file.js';
import { parseOptions } from '../core/platform/cli-options.js';
import type { BrowserHostOptions } from './host.js';
import { patientProfiles } from './simulator/patient.js';
import { languageChoices, languages } from '../shared/vocabulary/languages.js';

export const usage = `Usage: npm run start:browser -- [options]

  --camera FILE|none           an image, a video or a .y4m played as the webcam; "none" for no camera
                               (default: the machine's webcam if /dev/video* exists, else none)
  --camera simulate:FILE[,FILE…]
                               the patient simulator: a person built from recordings of head turns who
                               follows the instructions on screen (each new patient takes the next file).
                               Its camera is labelled virtual: accepted only with --dev-keys
  --simulator-profile P        cooperative (default), slow, wrong-way-first, drifts, restless
  --simulator-seed N           the first simulated patient's seed (default 1; each next patient +1)
  --data-dir DIR               where the database and keys live (default: the per-user app data folder)
  --config FILE                a JSON file with the kiosk configuration, e.g. {"presence":{"challenge":"off"}}
  --headless                   no window (default when no display exists)
  --lang kk|ru|en              the language the screens start in
  --remote-debugging-port N    expose Chromium's DevTools on 127.0.0.1:N so an outside Playwright
                               script can chromium.connectOverCDP(...) and drive the kiosk (0: any free port).
                               UNAUTHENTICATED: any local process can then act as the kiosk; development only
  --dev-keys                   an unprovisioned kiosk provisions itself with the DEVELOPMENT upstream key
                               (its secret is public; never for patients). Also KELU_DEV_KEYS=1. Without it,
                               an unprovisioned kiosk sends patients to reception until IT provisions it
  --help                       this text`;

const argsSchema = z
  .object({
    camera: z.string().min(1, '--camera needs a file or "none"').optional(),
    'data-dir': z.string().min(1).optional(),
    config: z.string().min(1).optional(),
    headless: z.boolean().optional(),
    lang: z.enum(languages, { message: `--lang must be ${languageChoices}` }).optional(),
    'remote-debugging-port': z.coerce
      .number({ message: '--remote-debugging-port must be a number' })
      .int('--remote-debugging-port must be a whole number')
      .min(0, '--remote-debugging-port must be 0–65535')
      .max(65535, '--remote-debugging-port must be 0–65535')
      .optional(),
    'dev-keys': z.boolean().optional(),
    'simulator-profile': z
      .enum(patientProfiles, { message: `--simulator-profile must be one of ${patientProfiles.join(', ')}` })
      .optional(),
    'simulator-seed': z.coerce
      .number({ message: '--simulator-seed must be a number' })
      .int('--simulator-seed must be a whole number')
      .min(0)
      .optional(),
    help: z.boolean().optional(),
  })
  .strict();

/** Parses the command line into host options; throws one readable message on bad input. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BrowserHostOptions | 'help' {
  const a = parseOptions(argv, argsSchema, { short: { help: 'h' } }).values;
  if (a.help) return 'help';
  return {
    camera: a.camera,
    dataDir: resolve(a['data-dir'] ?? defaultDataDir(env)),
    config: a.config ? readConfigFile(a.config) : undefined,
    headless: a.headless ? true : undefined,
    lang: a.lang,
    remoteDebuggingPort: a['remote-debugging-port'],
    developmentKeys: a['dev-keys'] === true || env.KELU_DEV_KEYS === '1',
    ...(a['simulator-profile'] !== undefined || a['simulator-seed'] !== undefined
      ? {
          simulator: {
            ...(a['simulator-profile'] ? { profile: a['simulator-profile'] } : {}),
            ...(a['simulator-seed'] !== undefined ? { seed: a['simulator-seed'] } : {}),
          },
        }
      : {}),
  };
}
