// The "done when", literally: `npm run start:browser` runs the kiosk, and an OUTSIDE
// Playwright script attaches over CDP and checks in without a photo — once typing a six-digit code
// (blank camera), once showing a QR code holding a six-digit code to the camera.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../electron/browser-host/host.js';
import { ensureBuilt } from '../../tools/harness/browser.js';
import { blankImageFile, qrImageFile, testIin } from '../../tools/harness/decline-qr.js';

interface Running {
  child: ChildProcess;
  cdpUrl: string;
  /** The kiosk's data dir, inside tempDir. */
  dataDir: string;
  tempDir: string;
}

/** Starts `npm run start:browser` in its own process group and waits for its CDP address. */
async function startKioskProcess(camera: string): Promise<Running> {
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'kelu-decline-cdp-'));
  // No upstream here: the background sync loop is off so the kiosk stops at once when told to.
  const config = join(dataDir, 'kiosk.json');
  writeFileSync(config, JSON.stringify({ sync: { background: false } }));
  const child = spawn(
    'npm',
    [
      'run',
      'start:browser',
      '--',
      '--camera',
      camera,
      '--data-dir',
      join(dataDir, 'data'),
      '--config',
      config,
      '--headless',
      '--lang',
      'en',
      '--remote-debugging-port',
      '0',
      '--dev-keys',
    ],
    {
      cwd: projectRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const cdpUrl = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`start:browser printed no CDP address:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /DevTools \(CDP\): (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => fail(new Error(`start:browser exited (${code}):\n${out}`)));
  });
  return { child, cdpUrl, dataDir: join(dataDir, 'data'), tempDir: dataDir };
}

async function stop(running: Running | undefined): Promise<void> {
  if (!running) return;
  const pid = running.child.pid;
  if (pid) {
    // npm, tsx and the host's node share the group we created; wait until all of them are gone.
    const groupAlive = () => {
      try {
        process.kill(-pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    if (groupAlive()) process.kill(-pid, 'SIGTERM');
    for (let waited = 0; groupAlive() && waited < 15_000; waited += 100)
      await new Promise((done) => setTimeout(done, 100));
    if (groupAlive()) process.kill(-pid, 'SIGKILL'); // our own process group only
  }
  rmSync(running.tempDir, { recursive: true, force: true });
}

async function kioskPage(browser: Browser): Promise<Page> {
  const page = browser.contexts()[0]!.pages()[0]!;
  await page.getByRole('button', { name: 'Check in', exact: true }).waitFor();
  return page;
}

async function declineThePhoto(page: Page, iin: string): Promise<void> {
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.getByRole('textbox', { name: /Your IIN/ }).fill(iin);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Check in without a photo' }).click();
  await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor();
}

/** Files in the data dir that hold `secret` in clear (UTF-8 or UTF-16). */
function filesHolding(dir: string, secret: string): string[] {
  const needles = [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le')];
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)],
    );
  return walk(dir).filter((f) => needles.some((n) => readFileSync(f).includes(n)));
}

function methods(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'kelu.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT method FROM receipts').all() as Array<{ method: string }>).map((r) => r.method);
  } finally {
    db.close();
  }
}

describe('npm run start:browser driven by an outside Playwright over CDP', () => {
  let running: Running | undefined;
  let browser: Browser | undefined;
  afterEach(async () => {
    await browser?.close().catch(() => undefined); // disconnects; the kiosk process owns Chromium
    browser = undefined;
    await stop(running);
    running = undefined;
  });

  it('blank camera: decline the photo, type a six-digit code, get a ticket', async () => {
    running = await startKioskProcess(await blankImageFile());
    browser = await chromium.connectOverCDP(running.cdpUrl);
    const page = await kioskPage(browser);
    await declineThePhoto(page, testIin(301));
    await page.keyboard.type('583920', { delay: 120 });
    await page.getByRole('button', { name: 'Check in with this code' }).click();
    await page.getByRole('heading', { name: 'You are checked in' }).waitFor();
    await expect(page.getByLabel(/Your number is A-\d+/)).toBeTruthy();
    expect(methods(running.dataDir)).toEqual(['egov-code']);
    expect(filesHolding(running.dataDir, '583920')).toEqual([]);
  });

  it('a QR image holding a six-digit code as the camera: decline, choose the QR, get a ticket', async () => {
    running = await startKioskProcess(await qrImageFile('604172'));
    browser = await chromium.connectOverCDP(running.cdpUrl);
    const page = await kioskPage(browser);
    await declineThePhoto(page, testIin(302));
    await page.getByRole('button', { name: 'Show the eGov QR code' }).click();
    await page.getByRole('heading', { name: 'You are checked in' }).waitFor({ timeout: 60_000 });
    expect(methods(running.dataDir)).toEqual(['egov-qr']);
    expect(filesHolding(running.dataDir, '604172')).toEqual([]);
  });
});
