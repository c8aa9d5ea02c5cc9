import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The per-user application data folder, the same place Electron's app.getPath('userData') uses for
 * an app named "kelu": %APPDATA%\kelu on Windows, ~/Library/Application Support/kelu on macOS,
 * $XDG_CONFIG_HOME/kelu or ~/.config/kelu elsewhere.
 */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (platform === 'win32') return join(env.APPDATA || join(homedir(), 'AppData', 'Roaming'), 'kelu');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'kelu');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'kelu');
}
