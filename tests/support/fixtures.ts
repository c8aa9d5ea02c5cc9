import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The face fixtures live beside the project (../shared/fixtures/faces) and are never copied in.
 * KELU_FIXTURES points elsewhere; a missing folder fails with one clear message.
 */
export function fixturesDir(): string {
  const dir = resolve(process.env.KELU_FIXTURES ?? join(projectRoot, '..', 'shared', 'fixtures', 'faces'));
  if (!existsSync(join(dir, 'pairs.csv'))) {
    throw new Error(
      `Face fixtures not found at ${dir}. Put the shared fixtures beside the project (../shared/fixtures/faces) or set KELU_FIXTURES to their folder.`,
    );
  }
  return dir;
}

export const fixture = (relative: string): string => join(fixturesDir(), relative);
export { projectRoot };
