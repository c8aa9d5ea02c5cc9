// Issue 11 items 1, 2, 10, 18 in the shells, without the Electron binary: --dev-keys only from the
// source tree, no debugging port on a packaged kiosk, the browser host's CDP only when asked, the
// keyring's reason carried to IT, and downloads that never open a native Save dialog.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../electron/browser-host/cli-args.js';
import { decideDownload, downloadHandler, exportsDir } from '../../electron/main/downloads.js';
import { appSecretProtector } from '../../electron/main/safe-storage.js';
import { parseShellArgs } from '../../electron/main/shell-args.js';
import { browserHostArgs, electronArgs } from '../../scripts/start-args.mjs';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kelu-shell-sec-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('development keys (item 1)', () => {
  it('the Electron app honours --dev-keys / KELU_DEV_KEYS=1 only when not packaged', () => {
    expect(parseShellArgs(['.'], false).developmentKeys).toBe(false);
    expect(parseShellArgs(['.', '--dev-keys'], false).developmentKeys).toBe(true);
    expect(parseShellArgs(['.'], false, { KELU_DEV_KEYS: '1' }).developmentKeys).toBe(true);
    expect(parseShellArgs(['.', '--dev-keys'], true).developmentKeys).toBe(false);
    expect(parseShellArgs(['.'], true, { KELU_DEV_KEYS: '1' }).developmentKeys).toBe(false);
  });

  it('the browser host takes --dev-keys or KELU_DEV_KEYS=1, and is unprovisioned without', () => {
    const dir = tempDir();
    expect(parseCliArgs(['--data-dir', dir], {})).toMatchObject({ developmentKeys: false });
    expect(parseCliArgs(['--data-dir', dir, '--dev-keys'], {})).toMatchObject({ developmentKeys: true });
    expect(parseCliArgs(['--data-dir', dir], { KELU_DEV_KEYS: '1' })).toMatchObject({ developmentKeys: true });
  });

  it('npm start from the source tree passes --dev-keys to both shells', () => {
    expect(electronArgs(['--lang=en'])).toEqual(['.', '--dev-keys', '--lang=en']);
    expect(browserHostArgs(['--dev', '--camera', 'x.jpg'])).toEqual(['--camera', 'x.jpg', '--dev-keys']);
  });
});

describe('DevTools (item 10)', () => {
  it('npm start opens no DevTools port unless one is given explicitly', () => {
    expect(browserHostArgs([]).some((a) => a.startsWith('--remote-debugging'))).toBe(false);
    expect(browserHostArgs(['--remote-debugging-port', '9333'])).toEqual([
      '--remote-debugging-port',
      '9333',
      '--dev-keys',
    ]);
    const dir = tempDir();
    expect(parseCliArgs(['--data-dir', dir], {})).toMatchObject({ remoteDebuggingPort: undefined });
  });

  it('a packaged kiosk refuses to start with a debugging port, pipe or inspector', () => {
    for (const arg of [
      '--remote-debugging-port=9222',
      '--remote-debugging-port',
      '--remote-debugging-pipe',
      '--inspect=9229',
      '--inspect-brk',
    ]) {
      expect(() => parseShellArgs(['.', arg, '9222'], true), arg).toThrow(/never opens a debugging port/);
    }
    // From the source tree (development) it is Chromium's business, as before.
    expect(() => parseShellArgs(['.', '--remote-debugging-port=9222'], false)).not.toThrow();
  });
});

describe('the keyring (item 2)', () => {
  const fake = (backend: string, available = true) => ({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend as 'basic_text',
    encryptString: (s: string) => Buffer.from(`enc:${s}`),
    decryptString: (b: Buffer) => b.toString().slice(4),
  });
  it('a keyring that fell back to basic_text gives a plain-file protector that says why (for the IT screen)', () => {
    expect(appSecretProtector(fake('gnome_libsecret'), 'linux').kind).toBe('safe-storage');
    const p = appSecretProtector(fake('basic_text'), 'linux');
    expect(p.kind).toBe('plain-file');
    expect(p.unavailableReason).toMatch(/basic_text/);
    expect(appSecretProtector(fake('gnome_libsecret', false), 'linux').unavailableReason).toMatch(/not available/);
  });
});

describe('downloads in the locked-down window (item 18)', () => {
  const blob = 'blob:app://kelu/6f1c1f4e-5a1e-4a42-9a40-1f1f9b1e7c11';
  const page = 'app://kelu/index.html';

  it('saves the page’s own CSV into <data>/exports without a dialog, never overwriting', () => {
    const dir = tempDir();
    expect(decideDownload({ url: blob, filename: 'kelu-report-2026-12-01.csv', pageUrl: page }, dir)).toEqual({
      action: 'save',
      path: join(exportsDir(dir), 'kelu-report-2026-12-01.csv'),
    });
    const taken = (f: string) => f === join(exportsDir(dir), 'r.csv');
    expect(decideDownload({ url: blob, filename: 'r.csv', pageUrl: page }, dir, taken)).toEqual({
      action: 'save',
      path: join(exportsDir(dir), 'r-1.csv'),
    });
    // A name cannot climb out of the folder.
    const climbing = decideDownload({ url: blob, filename: '../../config.json.csv', pageUrl: page }, dir);
    expect(climbing).toEqual({ action: 'save', path: join(exportsDir(dir), 'config.json.csv') });
  });

  it('refuses anything else: other origins, other file types, other pages', () => {
    const dir = tempDir();
    expect(decideDownload({ url: 'https://evil.example/x.csv', filename: 'x.csv', pageUrl: page }, dir)).toMatchObject({
      action: 'refuse',
    });
    expect(decideDownload({ url: 'blob:https://evil.example/1', filename: 'x.csv', pageUrl: page }, dir)).toMatchObject(
      { action: 'refuse' },
    );
    expect(decideDownload({ url: blob, filename: 'run.sh', pageUrl: page }, dir)).toMatchObject({ action: 'refuse' });
    expect(decideDownload({ url: blob, filename: 'report.csv', pageUrl: 'https://evil.example/' }, dir)).toMatchObject({
      action: 'refuse',
    });
    expect(decideDownload({ url: 'data:text/csv,a,b', filename: 'x.csv' }, dir)).toMatchObject({ action: 'refuse' });
  });

  it('the will-download listener sets the save path at once (so Electron opens no Save dialog) or cancels', () => {
    const dir = tempDir();
    const results: unknown[] = [];
    const handler = downloadHandler(dir, (r) => results.push(r));
    const item = (url: string, filename: string) => {
      const rec = {
        savePath: undefined as string | undefined,
        done: undefined as ((e: unknown, s: string) => void) | undefined,
      };
      return {
        rec,
        getURL: () => url,
        getFilename: () => filename,
        setSavePath: (p: string) => (rec.savePath = p),
        once: (_e: 'done', fn: (e: unknown, s: string) => void) => (rec.done = fn),
      };
    };
    let prevented = 0;
    const event = { preventDefault: () => prevented++ };
    const good = item(blob, 'report.csv');
    handler(event, good, { getURL: () => page });
    expect(prevented).toBe(0);
    expect(good.rec.savePath).toBe(join(dir, 'exports', 'report.csv'));
    writeFileSync(good.rec.savePath!, 'a,b\r\n');
    good.rec.done!({}, 'completed');
    expect(results).toEqual([{ saved: join(dir, 'exports', 'report.csv') }]);
    const bad = item('https://evil.example/x.exe', 'x.exe');
    handler(event, bad, { getURL: () => page });
    expect(prevented).toBe(1);
    expect(bad.rec.savePath).toBeUndefined();
  });
});
