// Camera pinning through the real kiosk: Chromium's fake capture device playing a fixture photo
// (with --use-file-for-fake-video-capture its label is the y4m file's path; without a file it is
// "fake_device_0"), the built renderer, the real core. With `camera.deny` naming it, the
// patient is offered the decline path and not one frame is judged; with the default configuration
// the same camera is accepted (the tests' normal runs), and frames are judged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startBrowserHost } from '../../electron/browser-host/host.js';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { parseConfig, type KioskConfigInput } from '../../electron/core/platform/config/schema.js';
import { databaseFileName } from '../../electron/core/platform/store/index.js';
import type { Page } from 'playwright-core';
import { ensureBuilt } from '../../tools/harness/browser.js';
import { seedStaff, signInAtKiosk, type SeededPerson } from '../../tools/harness/staff.js';
import { cameraFeed } from '../../tools/harness/camera.js';
import { startPhotoCheckin, validIin } from '../../tools/harness/checkin.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A kiosk on a real core whose router counts the frames it answered. */
async function kiosk(config: KioskConfigInput) {
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'kelu-camera-pin-'));
  dirs.push(dataDir);
  const it = (await seedStaff(dataDir, [{ username: 'timur', role: 'it' }])).timur!;
  const real = await createCore({
    dataDir,
    config: parseConfig({ ...config, sync: { background: false } }),
    developmentKeys: true,
  });
  const judged = { count: 0 };
  const core: Core = {
    ...real,
    router: {
      methods: () => real.router.methods(),
      async call(method, input, ctx) {
        const result = await real.router.call(method, input, ctx);
        if (method === 'checkin.frame' && result.ok) judged.count++;
        return result;
      },
    },
  };
  const host = await startBrowserHost({
    core,
    dataDir,
    camera: await cameraFeed('photos/obama_480p.jpg'),
    headless: true,
    lang: 'en',
    log: (l) => console.error(l),
  });
  const auditRows = () => {
    const db = new Database(join(dataDir, databaseFileName), { readonly: true });
    try {
      return db.prepare("SELECT detail FROM audit_log WHERE action = 'camera.refused'").all() as Array<{
        detail: string;
      }>;
    } finally {
      db.close();
    }
  };
  return {
    page: host.page,
    it,
    judged,
    auditRows,
    close: async () => {
      await host.close();
      await real.close();
    },
  };
}

/** IT signs in (Ctrl+Alt+S from any screen) and lands on the IT screen; answers its camera section. */
async function itCameraSection(page: Page, it: SeededPerson) {
  await signInAtKiosk(page, it);
  await page.getByRole('heading', { name: 'Visit queue and sync' }).waitFor();
  const section = page.getByRole('region', { name: 'Camera' });
  await section.getByRole('heading', { name: 'Camera' }).waitFor();
  return section;
}

describe('camera pinning in the kiosk', () => {
  it('a camera named in camera.deny (here Chromium’s fake device, by its y4m label) sends the patient to the decline path; no frame is judged', async () => {
    const k = await kiosk({ presence: { challenge: 'off' }, camera: { deny: ['.y4m', 'fake_device'] } });
    try {
      const { page } = k;
      await startPhotoCheckin(page, validIin(4321));
      await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor({ timeout: 60_000 });
      expect(await page.locator('main').innerText()).toContain('The camera could not be used.');
      await page.getByRole('button', { name: 'I have no code' }).click();
      await page.getByRole('heading', { name: 'Please go to the reception desk' }).waitFor();
      expect(k.judged.count).toBe(0);
      const rows = k.auditRows().map((r) => JSON.parse(r.detail) as Record<string, string>);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ reason: 'denied', matched: '.y4m' });
      expect(rows[0]!.label).toMatch(/\.y4m$/);
      // IT sees the camera and why it was refused.
      const section = await itCameraSection(page, k.it);
      expect(await section.getByLabel('Camera', { exact: true }).innerText()).toMatch(
        /Camera last used\s*\S+\.y4m \(refused: named in camera\.deny\)/,
      );
      const refused = section.getByRole('table', { name: 'Refused cameras' });
      expect(await refused.getByRole('row').filter({ hasText: '.y4m' }).innerText()).toContain(
        'refused: named in camera.deny',
      );
    } finally {
      await k.close();
    }
  });

  it('the default configuration accepts Chromium’s fake device: frames are judged, nothing refused', async () => {
    const k = await kiosk({ presence: { challenge: 'off' } });
    try {
      const { page } = k;
      await startPhotoCheckin(page, validIin(4322));
      await expect.poll(() => k.judged.count, { timeout: 120_000, interval: 250 }).toBeGreaterThan(2);
      expect(k.auditRows()).toEqual([]);
      const section = await itCameraSection(page, k.it);
      expect(await section.getByLabel('Camera', { exact: true }).innerText()).toMatch(
        /Camera last used\s*\S+\.y4m \(allowed\)/,
      );
      expect(await section.innerText()).toContain('No camera was refused since the kiosk started.');
    } finally {
      await k.close();
    }
  });
});
