import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * Per-test clean-up for the kiosk/upstream tests: call once at the top of a test file. Whatever is
 * pushed onto `cleanups` (an upstream, a kiosk, a temp folder) is undone after each test, last
 * first, so a kiosk closes before the folder under it is removed.
 */
export function useCleanups(): { cleanups: Array<() => unknown>; tempDir: (name: string) => string } {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  function tempDir(name: string): string {
    const d = mkdtempSync(join(tmpdir(), `kelu-${name}-`));
    cleanups.push(() => rmSync(d, { recursive: true, force: true }));
    return d;
  }
  return { cleanups, tempDir };
}
