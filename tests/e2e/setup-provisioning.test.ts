// Issue 11 items 1, 2, 10, 11 in a real browser: an unprovisioned kiosk sends patients to reception
// (no camera, no IIN keypad), staff see why, IT provisions it from the IT screen with a key file
// path, and the kiosk serves patients at once. The browser host opens no DevTools port unless
// asked, and the camera feed it made for the run is gone after close.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../electron/browser-host/host.js';
import { createCore } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { getSodium } from '../../electron/core/platform/crypto/index.js';
import { ensureBuilt } from '../../tools/harness/browser.js';
import { fixture } from '../../tools/harness/fixtures.js';
import { seedStaff, signInAtKiosk, type SeededPerson } from '../../tools/harness/staff.js';

async function signIn(page: Page, p: SeededPerson): Promise<void> {
  await page.getByRole('button', { name: 'English' }).waitFor();
  await signInAtKiosk(page, p);
  await page.getByRole('heading', { name: 'Staff console' }).waitFor();
}

describe('an unprovisioned kiosk, provisioned from the IT screen', () => {
  let kiosk: { host: BrowserHost; close(): Promise<void> };
  let dataDir: string;
  let usb: string;
  let people: Record<string, SeededPerson>;
  /** The fingerprint the upstream publishes; IT types it to confirm the key file (issue 17 item 16). */
  let fingerprint: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-e2e-setup-'));
    usb = mkdtempSync(join(tmpdir(), 'kelu-e2e-usb-'));
    people = await seedStaff(dataDir, [{ username: 'it-ayan', role: 'it' }]);
    const sodium = await getSodium();
    const kp = sodium.crypto_box_keypair();
    fingerprint = sodium.to_hex(sodium.crypto_generichash(16, kp.publicKey, null));
    writeFileSync(
      join(usb, 'upstream-public.json'),
      JSON.stringify({
        v: 1,
        kind: 'kelu-upstream-public-key',
        publicKey: sodium.to_base64(kp.publicKey, sodium.base64_variants.ORIGINAL),
      }),
    );
    // The kiosk looks for key files where this test's "USB stick" is mounted.
    ensureBuilt();
    const core = await createCore({
      dataDir,
      config: parseConfig({ sync: { background: false } }),
      keyFileRoots: [usb],
    });
    const host = await startBrowserHost({ camera: 'none', dataDir, core, headless: true, lang: 'en' }).catch(
      async (err: unknown) => {
        await core.close();
        throw err;
      },
    );
    kiosk = { host, close: async () => (await host.close(), await core.close()) };
  }, 180_000);
  afterAll(async () => {
    await kiosk?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(usb, { recursive: true, force: true });
  });

  it('sends patients to reception, tells IT why, and serves patients once IT provisions it', async () => {
    const { page } = kiosk.host;
    await page.getByRole('heading', { name: 'Please go to the reception desk' }).waitFor();
    expect(await page.getByRole('button', { name: 'Check in', exact: true }).count()).toBe(0);

    await signIn(page, people['it-ayan']!);
    await page.getByRole('alert').filter({ hasText: 'This kiosk cannot check patients in' }).waitFor();
    const form = page.getByRole('form', { name: 'Provision this kiosk' });
    await form
      .getByRole('textbox', { name: 'Upstream key file (path on the USB stick)' })
      .fill(join(usb, 'missing.json'));
    await form.getByRole('textbox', { name: 'Upstream URL (https://…)' }).fill('https://upstream.example.kz');
    await form.getByRole('textbox', { name: 'Clinic id' }).fill('almaty-pc-4');
    await form
      .getByRole('textbox', { name: 'Upstream key fingerprint, as the upstream published it (32 hex digits)' })
      .fill(fingerprint.replace(/(.{4})(?!$)/g, '$1 '));
    await form.getByRole('button', { name: 'Provision' }).click();
    await page.getByRole('alert').filter({ hasText: 'No upstream key file at' }).waitFor();

    // Picked from the stick instead of typed.
    await page.getByRole('button', { name: 'Look for key files on USB sticks' }).click();
    const foundList = page.getByRole('list', { name: 'Key files found' });
    await foundList.getByText(`fingerprint ${fingerprint.replace(/(.{4})(?!$)/g, '$1 ')}`).waitFor();
    await foundList.getByRole('button', { name: `Use ${join(usb, 'upstream-public.json')}` }).click();
    await expect
      .poll(() => form.getByRole('textbox', { name: 'Upstream key file (path on the USB stick)' }).inputValue())
      .toBe(join(usb, 'upstream-public.json'));
    await form.getByRole('button', { name: 'Provision' }).click();
    await page.getByRole('status').filter({ hasText: 'Provisioned for almaty-pc-4' }).waitFor();
    await expect
      .poll(() => page.getByRole('alert').filter({ hasText: 'This kiosk cannot check patients in' }).count())
      .toBe(0);

    await page.getByRole('button', { name: 'Back to check-in' }).click();
    await page.getByRole('button', { name: 'Check in', exact: true }).waitFor();
  }, 180_000);
});

describe('browser host hygiene', () => {
  it('opens no DevTools port unless asked, and removes the camera feed it made when it stops', async () => {
    ensureBuilt();
    const dataDir = mkdtempSync(join(tmpdir(), 'kelu-e2e-hygiene-'));
    try {
      const host = await startBrowserHost({
        camera: fixture('photos/obama_1.jpg'),
        dataDir,
        config: parseConfig({ sync: { background: false } }),
        headless: true,
        developmentKeys: true,
      });
      const feed = host.camera.kind === 'file' ? host.camera.y4m : '';
      expect(feed).toMatch(/\.y4m$/);
      expect(existsSync(feed)).toBe(true);
      expect(host.cdpUrl).toBeUndefined();
      await host.close();
      expect(existsSync(feed)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
