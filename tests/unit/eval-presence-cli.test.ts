import { describe, expect, it, vi } from 'vitest';
import { evalPresenceCommand } from '../../tools/kioskctl/commands/eval-presence.js';

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
