// The real Electron app, launched by Playwright, through a photo check-in. It needs the Electron
// binary (installed by the electron package, or ELECTRON_OVERRIDE_DIST_PATH), the Electron-ABI
// better-sqlite3 (scripts/electron-native.mjs, which downloads Electron's headers) and a display.
// Where any of those is missing the suite is skipped and the run prints why; the same flow is
// covered in Chromium by the browser-host tests (checkin-photo.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraFeed } from '../../tools/harness/camera.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { outboxRows, startPhotoCheckin, validIin } from '../../tools/harness/checkin.js';

function electronBinary(): string | undefined {
  try {
    const path: unknown = createRequire(join(projectRoot, 'package.json'))('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

const binary = electronBinary();
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const skipReason = !binary
  ? 'the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD) and ELECTRON_OVERRIDE_DIST_PATH is not set'
  : !hasDisplay
    ? 'Electron needs a display (DISPLAY/WAYLAND_DISPLAY; e.g. run under xvfb-run)'
    : undefined;
if (skipReason)
  console.warn(`[electron-app.test] skipped: ${skipReason}. The same flow runs in Chromium through the browser host.`);

describe.skipIf(skipReason !== undefined)('the Electron app', () => {
  let app: ElectronApplication;
  let page: Page;
  const dataDir = mkdtempSync(join(tmpdir(), 'kelu-electron-'));

  beforeAll(async () => {
    for (const [cmd, args] of [
      ['npx', ['electron-vite', 'build']],
      [process.execPath, [join(projectRoot, 'scripts/electron-native.mjs')]],
    ] as const) {
      const r = spawnSync(cmd, [...args], { cwd: projectRoot, stdio: 'inherit' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
    }
    const config = join(dataDir, 'test-config.json');
    writeFileSync(config, JSON.stringify({ presence: { challenge: 'off' } }));
    const y4m = await cameraFeed('photos/alex_lacamoire_3.jpg');
    app = await electron.launch({
      executablePath: binary!,
      cwd: projectRoot,
      args: [
        projectRoot,
        `--data-dir=${dataDir}`,
        `--config=${config}`,
        '--lang=en',
        '--dev-keys',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${y4m}`,
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
    });
    page = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the kiosk from app:// with window.kiosk and no Node in the page', async () => {
    expect(page.url()).toMatch(/^app:\/\/kelu\//);
    const seen = await page.evaluate(() => ({
      host: window.kiosk.host,
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(seen).toEqual({ host: 'electron', require: 'undefined', process: 'undefined' });
  });

  it('checks a patient in with the camera and queues one sealed visit', async () => {
    await startPhotoCheckin(page, validIin(4321));
    await page.getByRole('heading', { name: 'You are checked in' }).waitFor({ timeout: 120_000 });
    expect(outboxRows(dataDir)).toHaveLength(1);
  });

  it('refuses navigation away and new windows', async () => {
    await page.evaluate(() => {
      window.open('https://example.com/', '_blank');
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(app.windows()).toHaveLength(1);
    expect(page.url()).toMatch(/^app:\/\/kelu\//);
  });
});
