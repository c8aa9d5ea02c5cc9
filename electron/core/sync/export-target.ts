import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserFacingError } from '../api/define.js';

/**
 * Where a visit bundle may be written. An export is for a USB stick or a transfer folder, never the
 * kiosk's own files: a path inside the data folder (its database, config.json, keys) or inside the
 * installed app is refused, and so is any file that already exists. Symlinks in the parent folder
 * are resolved first, so a link into the data folder is refused too.
 */
export function checkExportTarget(path: string, refuseInside: readonly string[]): string {
  const parent = dirname(resolve(path));
  if (!existsSync(parent)) throw new UserFacingError(`The folder ${parent} does not exist (is the USB stick mounted?).`, 'bad-input');
  const target = join(realpathSync(parent), basename(path));
  if (existsSync(target)) throw new UserFacingError(`${path} already exists; choose a new file name.`, 'bad-input');
  for (const root of refuseInside) {
    const r = existsSync(root) ? realpathSync(root) : resolve(root);
    if (isInside(target, r)) throw new UserFacingError(`${path} is inside the kiosk's own folder ${r}: export to a USB stick or a transfer folder instead.`, 'bad-input');
  }
  return target;
}

function isInside(file: string, folder: string): boolean {
  const fold = (p: string) => (process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p);
  const f = fold(file);
  const d = fold(folder.endsWith(sep) ? folder : folder + sep);
  return f.startsWith(d) || f + sep === d;
}

/**
 * The installed app's folders: the package root above this module (the project when run from
 * source, app.asar's parent when packaged) and, inside Electron, the install folder itself.
 */
export function appFolders(): string[] {
  const folders: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) {
      folders.push(dir);
      break;
    }
    dir = dirname(dir);
  }
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) folders.push(resourcesPath, dirname(process.execPath));
  return folders;
}
