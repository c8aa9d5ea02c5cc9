// The Electron app's own command line, validated. Pure: a unit test reads it.
import { z } from 'zod';
import { optionTable } from '../core/platform/cli-options.js';
import { isDebuggingSwitch } from './debug-switches.js';
import { languageChoices, languages, type Language } from '../shared/vocabulary/languages.js';

export interface ShellArgs {
  /** Windowed with devtools; only honoured when the app is not packaged. */
  development: boolean;
  /**
   * Self-provision an unprovisioned kiosk with the DEVELOPMENT upstream key (secret in git):
   * `--dev-keys` or KELU_DEV_KEYS=1, only honoured when the app is not packaged.
   */
  developmentKeys: boolean;
  dataDir?: string;
  configFile?: string;
  lang?: Language;
}

const schema = z
  .object({
    dev: z.boolean(),
    'dev-keys': z.boolean(),
    'data-dir': z.string().min(1, '--data-dir needs a folder').optional(),
    config: z.string().min(1, '--config needs a JSON file').optional(),
    lang: z.enum(languages, { message: `--lang must be ${languageChoices}` }).optional(),
  })
  .strict();

// The options are named once, in the schema; the scan below reads its table (flags and valued options).
const table = Object.entries(optionTable(schema));
const flags = table.filter(([, o]) => o.type === 'boolean').map(([name]) => name);
const valued = table.filter(([, o]) => o.type === 'string').map(([name]) => name);

/**
 * Reads `--dev`, `--dev-keys`, `--data-dir=DIR`, `--config=FILE`, `--lang=xx` from Electron's argv; anything
 * else (Chromium's own switches, the app path) is ignored. A packaged kiosk ignores --dev, so
 * nobody at the kiosk can get devtools or leave kiosk mode by changing its shortcut.
 */
export function parseShellArgs(
  argv: readonly string[],
  isPackaged: boolean,
  env: NodeJS.ProcessEnv = {},
  platform: NodeJS.Platform = process.platform,
): ShellArgs {
  const raw: Record<string, string | boolean> = { dev: false, 'dev-keys': false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    for (const name of flags) if (arg === `--${name}`) raw[name] = true;
    // Chromium would open an unauthenticated DevTools port (or pipe, or a Node inspector) for
    // anyone on the machine: a packaged kiosk refuses to start with one.
    // Every spelling Chromium reads as the same switch (-x, /x and upper case on Windows: issue 17
    // item 6); main also asks app.commandLine.hasSwitch before ready (debug-switches.ts).
    if (arg === '--') break;
    if (isPackaged && isDebuggingSwitch(arg, platform)) {
      throw new Error(`${arg.split('=')[0]} is refused: a kiosk never opens a debugging port.`);
    }
    for (const name of valued) {
      if (arg.startsWith(`--${name}=`)) raw[name] = arg.slice(name.length + 3);
      else if (arg === `--${name}` && i + 1 < argv.length) raw[name] = argv[++i]!;
    }
  }
  if (env.KELU_DEV === '1') raw.dev = true;
  if (env.KELU_DEV_KEYS === '1') raw['dev-keys'] = true;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  const a = parsed.data;
  return {
    development: a.dev && !isPackaged,
    developmentKeys: a['dev-keys'] && !isPackaged,
    dataDir: a['data-dir'],
    configFile: a.config,
    lang: a.lang,
  };
}
