// Issue 19 in a real browser: IT, signed in at a kiosk provisioned for the hub but not enrolled,
// types the hub's one-time enrolment token on the IT screen; a wrong one shows the hub's reason,
// the right one enrols the kiosk at the real hub on PostgreSQL. The token is never shown.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../electron/browser-host/host.js';
import { createCore } from '../../electron/core/kiosk.js';
import { plainFileProtector, provisionKiosk } from '../../electron/core/delivery/keys/index.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { writeUpstreamKeyPair } from '../../upstream/hub/keys.js';
import { ensureBuilt } from '../../tools/harness/browser.js';
import { seedStaff, signInAtKiosk, type SeededPerson } from '../../tools/harness/staff.js';
import { startTestHub, type TestHub } from '../support/hub.js';

describe('the IT screen enrols the kiosk at the hub with IT’s one-time token', () => {
  let hub: TestHub;
  let kiosk: { host: BrowserHost; close(): Promise<void> };
  let dataDir: string;
  let people: Record<string, SeededPerson>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-e2e-enrol-'));
    const upstreamKey = join(dataDir, '..', `${dataDir.split('/').pop()}-upstream-key.json`);
    await writeUpstreamKeyPair(upstreamKey);
    hub = await startTestHub({ keyFiles: [upstreamKey] });
    await hub.hub.store.addClinic('almaty-pc-4');
    people = await seedStaff(dataDir, [{ username: 'it-ayan', role: 'it' }]);
    const protector = plainFileProtector(() => {});
    await provisionKiosk({
      dataDir,
      protector,
      upstreamUrl: hub.url,
      upstreamKeyFile: upstreamKey,
      clinicId: 'almaty-pc-4',
      deviceId: 'kiosk-4-lobby',
      strandedVisits: () => 0,
    });
    rmSync(upstreamKey);
    ensureBuilt();
    const core = await createCore({
      dataDir,
      config: parseConfig({ sync: { background: false } }),
      secretProtector: protector,
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
    await hub?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a wrong token shows the hub’s reason; the right one enrols; the field never echoes it', async () => {
    const { page } = kiosk.host;
    await page.getByRole('button', { name: 'English' }).waitFor();
    await signInAtKiosk(page, people['it-ayan']!);
    await page.getByRole('heading', { name: 'Staff console' }).waitFor();

    const form = page.getByRole('form', { name: 'Enrol this kiosk at the hub' });
    const url = form.getByRole('textbox', { name: 'Hub URL (https://…)' });
    // Filled in with the upstream the kiosk was provisioned for.
    await expect.poll(() => url.inputValue()).toBe(hub.url);
    const tokenField = form.getByLabel('One-time enrolment token');
    expect(await tokenField.getAttribute('type')).toBe('password');
    expect(await tokenField.getAttribute('autocomplete')).toBe('off');

    await tokenField.fill('not-the-token-1234');
    await form.getByRole('button', { name: 'Enrol' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The hub refused the enrolment: the enrolment token is unknown, expired or already used' })
      .waitFor();
    expect(await tokenField.inputValue()).toBe('');

    const token = await hub.hub.store.issueToken('almaty-pc-4', 'kiosk-4-lobby');
    await tokenField.fill(token);
    await form.getByRole('button', { name: 'Enrol' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Enrolled at the hub: device kiosk-4-lobby of clinic almaty-pc-4' })
      .waitFor();
    expect(await tokenField.inputValue()).toBe('');
    expect(await page.content()).not.toContain(token);
    const devices = await hub.query<{ n: string }>('SELECT count(*) AS n FROM device_keys');
    expect(Number(devices[0]!.n)).toBe(1);
  }, 180_000);
});
