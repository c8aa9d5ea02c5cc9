import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's models/ folder, found by walking up from this module: works from source
 * (electron/core/face) and from the built bundle (out/main). The packaged app passes its own path.
 */
export function defaultModelsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'models', 'manifest.json'))) return join(dir, 'models');
    dir = dirname(dir);
  }
  throw new Error('models/manifest.json was not found above the face engine; pass the models folder explicitly.');
}
