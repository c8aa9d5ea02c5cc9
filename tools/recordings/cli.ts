// npm run presence-recordings -- [--out DIR] [--only swap|medium]: makes the recordings kioskctl
// eval-presence is measured on (framed fixture head turns; composed photo and swap attacks; screen
// replays and prints of the head turns) and their recordings.csv.
// The face fixtures come from KELU_FIXTURES (default ../shared/fixtures/faces); nothing is written
// into the project unless DIR is inside it (default .tmp/presence-recordings, git-ignored).
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseOptionsOrExit } from '../../electron/core/platform/cli-options.js';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import { shippedDir } from '../../electron/core/platform/resources.js';
import { fixturesDir, projectRoot } from '../harness/fixtures.js';
import { makePresenceRecordings } from './recordings.js';

const { values } = parseOptionsOrExit(
  'presence-recordings',
  process.argv.slice(2),
  z.object({
    out: z.string().min(1).optional(),
    only: z
      .enum(['swap', 'medium'], {
        message: '--only is swap (photo and swap attacks) or medium (screen replays and prints)',
      })
      .optional(),
  }),
);
const only = values.only;
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
