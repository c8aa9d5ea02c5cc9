// A check-in made while the upstream is down reaches it once it is back, with the right face
// verdict; clinic IT watches it on the IT screen. The built renderer in Debian Chromium through the
// browser host, the real core (face models, SQLite, libsodium), the reference upstream with faces
// enrolled by the same engine from the shared fixtures.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { devUpstreamKeyPairFile, readDeviceIdentity } from '../../electron/core/delivery/keys/index.js';
import { databaseFileName } from '../../electron/core/platform/store/index.js';
import { importBundle, startUpstream, type Upstream } from '../../upstream/app.js';
import { startTestKiosk } from '../../tools/harness/browser.js';
import { seedStaff, signInAtKiosk } from '../../tools/harness/staff.js';
import { fixture, builtInThreshold } from '../../tools/harness/fixtures.js';
import { startPhotoCheckin, validIin } from '../../tools/harness/checkin.js';

const root = mkdtempSync(join(tmpdir(), 'kelu-e2e-sync-'));
const dataDir = join(root, 'kiosk');
let upstream: Upstream | undefined;
afterAll(async () => {
  await upstream?.close();
  rmSync(root, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** An IT account made the way kioskctl makes it, in the kiosk's own database. */
describe('sync end to end', () => {
  it('delivers a check-in made while the upstream was down once it is back, with the right face verdict', async () => {
    const port = await freePort();
    const iin = validIin(4321);
    const it = (await seedStaff(dataDir, [{ username: 'timur', role: 'it', displayName: 'Timur (IT)' }])).timur!;
    const kiosk = await startTestKiosk({
      camera: 'photos/alex_lacamoire_3.jpg',
      dataDir,
      keepDataDir: true,
      lang: 'en',
      config: {
        presence: { challenge: 'off' },
        sync: {
          upstreamUrl: `http://127.0.0.1:${port}`,
          intervalMs: 1000,
          baseBackoffMs: 100,
          maxBackoffMs: 1500,
          requestTimeoutMs: 3000,
        },
      },
    });
    try {
      const { page } = kiosk;
      // The patient checks in; nothing listens on the upstream's port.
      await startPhotoCheckin(page, iin);
      await page.getByRole('heading', { name: 'You are checked in' }).waitFor({ timeout: 120_000 });
      await page.getByRole('button', { name: 'Done', exact: true }).click();

      // IT signs in and sees the visit waiting and why.
      await signInAtKiosk(page, it);
      await page.getByRole('heading', { name: 'Visit queue and sync' }).waitFor();
      const figures = page.getByLabel('Sync status', { exact: true });
      const refreshed = async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        return (await figures.textContent()) ?? '';
      };
      await expect
        .poll(refreshed, { timeout: 30_000 })
        .toMatch(/Visits waiting\s*1.*Last error.*network: ECONNREFUSED/);
      expect(await page.content()).not.toContain(iin);

      // IT also writes the queue to a "USB stick" from the screen.
      const usb = join(root, 'usb-visits.kelu');
      await page.getByRole('textbox', { name: 'Export file path (e.g. on a USB stick)' }).fill(usb);
      await page.getByRole('button', { name: 'Export queued visits' }).click();
      await page.getByRole('status').filter({ hasText: '1 sealed visit written to' }).waitFor();

      // The upstream comes back, with this person's reference photo enrolled by the same engine.
      const csv = join(root, 'enrol.csv');
      writeFileSync(
        csv,
        `iin,image\n${iin},${fixture('photos/alex_lacamoire_2.jpg')}\n${validIin(5555)},${fixture('photos/obama_2.jpg')}\n`,
      );
      upstream = await startUpstream({
        port,
        dataDir: join(root, 'upstream'),
        keyFile: devUpstreamKeyPairFile(),
        enrollCsv: csv,
      });
      const device = (await readDeviceIdentity(dataDir))!;
      upstream.receiver.registerDevice(device.deviceId, device.publicKey);

      await page.getByRole('button', { name: 'Sync now' }).click();
      await page.getByRole('status').filter({ hasText: 'Nothing is waiting' }).waitFor({ timeout: 60_000 });
      await expect.poll(refreshed, { timeout: 30_000 }).toMatch(/Visits waiting\s*0/);
    } finally {
      await kiosk.close();
    }

    // Exactly one visit arrived, from this device, judged a face match against the enrolled reference
    // (its own verdict, because this kiosk runs with the challenge off: issue 11 item 21).
    const received = upstream.db.prepare('SELECT iin, method, verdict, distance FROM visits').all() as Array<{
      iin: string;
      method: string;
      verdict: string;
      distance: number;
    }>;
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ iin, method: 'face', verdict: 'face-match-unchallenged' });
    expect(received[0]!.distance).toBeLessThan(builtInThreshold());
    // The bundle carried by hand adds nothing: the visit is already there.
    expect(await importBundle(join(root, 'upstream'), devUpstreamKeyPairFile(), join(root, 'usb-visits.kelu'))).toEqual(
      { items: 1, accepted: 0, duplicate: 1, rejected: 0 },
    );
    // The kiosk kept only the masked receipt, marked with the upstream's verdict; the sealed blob is gone.
    const db = new Database(join(dataDir, databaseFileName), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS c FROM outbox').get()).toEqual({ c: 0 });
      expect(db.prepare('SELECT masked_iin, status, verdict FROM receipts').all()).toEqual([
        { masked_iin: `••••••••${iin.slice(-4)}`, status: 'synced', verdict: 'face-match-unchallenged' },
      ]);
    } finally {
      db.close();
    }
  });
});
