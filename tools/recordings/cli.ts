// npm run presence-recordings -- [--out DIR] [--only swap|medium]: makes the recordings kioskctl
// eval-presence is measured on (framed fixture head turns; composed photo and swap attacks; screen
// replays and prints of the head turns) and their recordings.csv.
// The face fixtures come from KELU_FIXTURES (default ../shared/fixtures/faces); nothing is written
// into the project unless DIR is inside it (default .tmp/presence-recordings, git-ignored).
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import { shippedDir } from '../../electron/core/platform/resources.js';
import { fixturesDir, projectRoot } from '../harness/fixtures.js';
import { makePresenceRecordings } from './recordings.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string' } }, strict: true });
const only = values.only;
if (only !== undefined && only !== 'swap' && only !== 'medium')
  throw new Error('--only is swap (photo and swap attacks) or medium (screen replays and prints)');
const out = resolve(values.out ?? join(projectRoot, '.tmp', 'presence-recordings'));
const engine = await createFaceEngine({ modelsDir: shippedDir('models'), requestTimeoutMs: 60_000, log: () => {} });
try {
  const made = await makePresenceRecordings(
    engine,
    fixturesDir(),
    out,
    (line) => process.stderr.write(`presence-recordings: ${line}\n`),
    undefined,
    only ? [only] : ['swap', 'medium'],
  );
  console.log(
    `${made.length} recordings in ${out}; measure them with:\n  npm run kioskctl -- eval-presence --videos ${join(out, 'recordings.csv')}`,
  );
} finally {
  await engine.close();
}
