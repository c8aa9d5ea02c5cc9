import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { UserFacingError } from '../../../shared/api/define.js';

/**
 * Where a visit bundle may be written. An export is for a USB stick or a transfer folder, never the
 * kiosk's own files: a path inside the data folder (its database, config.json, keys) or inside the
 * installed app is refused, and so is any file that already exists. Symlinks in the parent folder
 * are resolved first, so a link into the data folder is refused too.
 */
export function checkExportTarget(path: string, refuseInside: readonly string[]): string {
  const parent = dirname(resolve(path));
  if (!existsSync(parent))
    throw new UserFacingError(`The folder ${parent} does not exist (is the USB stick mounted?).`, 'bad-input');
  const target = join(realpathSync(parent), basename(path));
  if (existsSync(target)) throw new UserFacingError(`${path} already exists; choose a new file name.`, 'bad-input');
  for (const root of refuseInside) {
    const r = existsSync(root) ? realpathSync(root) : resolve(root);
    if (isInside(target, r))
      throw new UserFacingError(
        `${path} is inside the kiosk's own folder ${r}: export to a USB stick or a transfer folder instead.`,
        'bad-input',
      );
  }
  return target;
}

function isInside(file: string, folder: string): boolean {
  const fold = (p: string) => (process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p);
  const f = fold(file);
  const d = fold(folder.endsWith(sep) ? folder : folder + sep);
  return f.startsWith(d) || f + sep === d;
}
