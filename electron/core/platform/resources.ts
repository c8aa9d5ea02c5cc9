import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the kiosk's shipped files are: the ONE resolver for the face weights (`models/`), the
 * spoken clips (`resources/voice/`) and the development upstream key (`resources/dev-upstream/`).
 *
 * Looked for, in order: `KELU_RESOURCES` (for `resources/` only: a clinic's or a test's own copy);
 * the folders above this module (the project when run from source, `out/main` when built, and
 * `app.asar`'s parent, Electron's resources folder, when packaged: electron-builder.yml copies
 * `models/` and `resources/` there); Electron's `process.resourcesPath`; the working directory.
 */
export function shippedDir(kind: 'models' | 'voice' | 'dev-upstream'): string {
  const relative = kind === 'models' ? 'models' : join('resources', kind);
  const marker = { models: 'manifest.json', voice: 'en', 'dev-upstream': 'upstream-public.json' }[kind];
  const candidates = [
    kind !== 'models' && process.env.KELU_RESOURCES ? join(process.env.KELU_RESOURCES, kind) : '',
    ...appFolders().map((root) => join(root, relative)),
    join(process.cwd(), relative),
  ].filter(Boolean);
  const found = candidates.find((dir) => existsSync(join(dir, marker)));
  if (found) return found;
  if (kind === 'models')
    throw new Error('models/manifest.json was not found beside the kiosk; pass the models folder explicitly.');
  return candidates[candidates.length - 1]!;
}

/**
 * The installed app's folders: the package root above this module (the project from source,
 * app.asar's parent when packaged) and, inside Electron, the resources and install folders.
 */
export function appFolders(): string[] {
  const folders: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'models', 'manifest.json'))) {
      folders.push(dir);
      break;
    }
    dir = dirname(dir);
  }
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) folders.push(resourcesPath, dirname(process.execPath));
  return folders;
}
