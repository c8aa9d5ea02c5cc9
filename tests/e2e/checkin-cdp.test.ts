// "Done when": `npm run start:browser -- --camera <photo> --config <challenge off> --headless --lang en
// --remote-debugging-port N` can be driven through a full photo check-in by an outside Playwright
// script that knows only roles and visible names (tests/support/cdp-checkin.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../../tools/harness/browser.js';
import { checkInOverCdp } from '../support/cdp-checkin.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';
import { outboxRows, validIin } from '../../tools/harness/checkin.js';

const work = mkdtempSync(join(tmpdir(), 'kelu-e2e-cdp-'));
let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((done) => child!.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(work, { recursive: true, force: true });
});

describe('driving the browser host from outside over CDP', () => {
  it('an outside Playwright script checks a patient in by roles and names only', async () => {
    ensureBuilt();
    const configFile = join(work, 'challenge-off.json');
    writeFileSync(configFile, JSON.stringify({ presence: { challenge: 'off' } }));
    const dataDir = join(work, 'data');
    // The host's own node process, not npx/npm in front of it: a wrapper that dies on SIGTERM
    // without passing it on would leave the host and its Chromium running after the test.
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'electron/browser-host/cli.ts',
        '--camera',
        fixture('photos/alex_lacamoire_3.jpg'),
        '--config',
        configFile,
        '--headless',
        '--lang',
        'en',
        '--remote-debugging-port',
        '0',
        '--dev-keys',
        '--data-dir',
        dataDir,
      ],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const cdpUrl = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /DevTools \(CDP\): (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.on('data', (c: Buffer) => (output += c.toString()));
      child!.once('exit', (code) => reject(new Error(`start:browser exited (${code}):\n${output}`)));
    });
    const iin = validIin(6789);
    const result = await checkInOverCdp(cdpUrl, iin);
    expect(result.ticket).toMatch(/^A-\d{3}$/);
    expect(result.shownIin).toBe(iin.slice(-4));
    expect(outboxRows(dataDir)).toHaveLength(1);
  });
});
