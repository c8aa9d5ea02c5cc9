// Where the built pieces are, relative to the built main script (out/main/index.js). Pure.
import { join } from 'node:path';

export function shellPaths(mainDir: string): { preload: string; rendererDir: string } {
  return {
    // electron.vite.config.ts emits the sandboxed preload as CommonJS: out/preload/index.cjs.
    preload: join(mainDir, '..', 'preload', 'index.cjs'),
    rendererDir: join(mainDir, '..', 'renderer'),
  };
}
