import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { declineCheckCommand } from '../../tools/kioskctl/commands/decline-check.js';
import { blankImageFile, qrImageFile, qrPng } from '../../tools/harness/decline-qr.js';

/** Runs the command, returning what it printed and its exit code. */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    const code = await declineCheckCommand.run(argv);
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('kioskctl decline-check', () => {
  afterEach(() => vi.restoreAllMocks());

  it('says a QR with a six-digit code would be accepted, without printing the code', async () => {
    const r = await run(['--image', await qrImageFile('318264')]);
    expect(r).toEqual({ code: 0, out: 'QR code found (6 characters): accepted as an eGov six-digit code.' });
  });

  it('says why a URL QR would be rejected, without printing the URL', async () => {
    const r = await run(['--image', await qrImageFile('https://evil.example/x'), '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({ found: true, characters: 22, accepted: false, reason: 'bad-characters' });
    expect(r.out).not.toContain('evil');
  });

  it('reports no QR in a blank picture, and refuses a file that is not an image', async () => {
    expect(await run(['--image', await blankImageFile()])).toEqual({
      code: 1,
      out: 'No QR code found in the picture.',
    });
    const dir = mkdtempSync(join(tmpdir(), 'kelu-decline-cli-'));
    writeFileSync(join(dir, 'not-an-image.png'), (await qrPng('1')).subarray(0, 20));
    expect((await run(['--image', join(dir, 'not-an-image.png')])).code).toBe(2);
    await expect(declineCheckCommand.run([])).rejects.toThrow(/--image/);
  });
});
