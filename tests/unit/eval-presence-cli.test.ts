import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { evalPresenceCommand, type PresenceReport } from '../../tools/kioskctl/commands/eval-presence.js';
import { fixture } from '../../tools/harness/fixtures.js';
import { foreignModelPackage } from '../../tools/harness/model-packages.js';

const temp = mkdtempSync(join(tmpdir(), 'kelu-eval-presence-'));
const pkg = foreignModelPackage();
afterAll(() => {
  rmSync(temp, { recursive: true, force: true });
  rmSync(pkg.dir, { recursive: true, force: true });
});

/** Runs the command in this process: exit code and what it printed on stderr. */
async function runInProcess(argv: string[]): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    return { code: await evalPresenceCommand.run(argv), err: lines.join('\n') };
  } finally {
    err.mockRestore();
  }
}

describe('kioskctl eval-presence: its options', () => {
  it('refuses a bad option before reading anything, naming it, with the usage', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--videos', 'r.csv', '--colour'], /Unknown option '--colour'/],
      [[], /--videos CSV is required/],
      [['--videos', 'r.csv', '--fps', 'ten'], /--fps must be a number/],
      [['--videos', 'r.csv', '--sides', 'up'], /--sides: /],
    ];
    for (const [args, message] of cases) {
      const r = await runInProcess(args);
      expect([r.code, r.err], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
      expect(r.err).toMatch(/Usage: npm run kioskctl -- eval-presence --videos CSV/);
    }
  });
});

describe('kioskctl eval-presence --model-package DIR[:SHA256]', () => {
  // One still photo as the recording (one frame, one side): enough to start the engine and run once.
  const videos = join(temp, 'recordings.csv');
  writeFileSync(videos, `file,label\n${fixture('photos/obama_1.jpg')},bona-fide\n`);
  const args = ['--videos', videos, '--sides', 'left', '--json'];

  it('refuses a package whose manifest is not the SHA-256 given, or not pinned when none is given', async () => {
    await expect(evalPresenceCommand.run([...args, '--model-package', `${pkg.dir}:${'a'.repeat(64)}`])).rejects.toThrow(
      new RegExp(`has SHA-256 ${pkg.sha}, not the a{64}`),
    );
    await expect(evalPresenceCommand.run([...args, '--model-package', pkg.dir])).rejects.toThrow(
      /is not one this build pins/,
    );
  });

  it(
    'runs the recognition model of the package given with its SHA-256, and says so',
    { timeout: 180_000 },
    async () => {
      const out: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
      const progress = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      let code: number;
      try {
        code = await evalPresenceCommand.run([...args, '--model-package', `${pkg.dir}:${pkg.sha}`]);
      } finally {
        write.mockRestore();
        progress.mockRestore();
      }
      expect(code).toBe(0);
      const report = JSON.parse(out.join('')) as PresenceReport;
      expect(report.recognitionModelId).toBe(`clinic-test-model@${pkg.sha.slice(0, 12)}`);
      expect(report.presentations).toBe(1);
    },
  );
});
