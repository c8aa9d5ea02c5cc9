import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openModelPackage } from '../../electron/core/face/model-package.js';

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

/**
 * The grayscale LFW copy (../shared/fixtures/lfw, with identities.csv) for verification accuracy by
 * group; KELU_LFW points elsewhere; a missing folder fails with one clear message.
 */
export function lfwDir(): string {
  const dir = resolve(process.env.KELU_LFW ?? join(projectRoot, '..', 'shared', 'fixtures', 'lfw'));
  if (!existsSync(join(dir, 'identities.csv'))) {
    throw new Error(
      `LFW not found at ${dir} (no identities.csv). Put the shared fixtures beside the project (../shared/fixtures/lfw) or set KELU_LFW to the LFW folder.`,
    );
  }
  return dir;
}
export { projectRoot };

/** The built-in model's same-person threshold (its manifest: the one source the kiosk and the upstream read). */
export const builtInThreshold = (): number =>
  openModelPackage(join(projectRoot, 'models')).manifest.recognition.threshold;
