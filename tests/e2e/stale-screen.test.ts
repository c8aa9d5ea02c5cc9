// Issue 17 item 9: after "Start over", a late answer of the previous patient's screen (a decline
// verdict that waits up to verifyOnlineMs for the upstream) must not jump to that patient's ticket
// and masked IIN over the next patient's screen.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKiosk, type TestKiosk } from '../../tools/harness/browser.js';
import { blankImageFile, testIin } from '../../tools/harness/decline-qr.js';

describe('issue 17 item 9: navigation from a stale screen is dropped', () => {
  let kiosk: TestKiosk;
  let hanging: Server;
  beforeAll(async () => {
    // An upstream that takes the request and never answers: the online verdict waits its 4 s.
    hanging = createServer(() => undefined);
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    kiosk = await startTestKiosk({
      camera: await blankImageFile(),
      lang: 'en',
      config: { sync: { background: false, upstreamUrl: url } },
    });
  }, 180_000);
  afterAll(async () => {
    await kiosk?.close();
    hanging?.closeAllConnections();
    await new Promise((r) => hanging?.close(r));
  });

  it('a decline answer arriving after "Start over" does not show the previous patient’s ticket', async () => {
    const { page } = kiosk;
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await page.getByRole('textbox', { name: /Your IIN/ }).fill(testIin(201));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Check in without a photo' }).click();
    await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor();
    const keypad = page.getByRole('group', { name: 'Code keypad' });
    for (const d of '739104') await keypad.getByRole('button', { name: d, exact: true }).click();
    await page.getByRole('button', { name: 'Check in with this code' }).click();
    // The previous patient walks away; the next one starts.
    await page.getByRole('button', { name: 'Start over' }).click();
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await page.getByRole('textbox', { name: /Your IIN/ }).waitFor();
    await page.waitForTimeout(6_000); // past verifyOnlineMs (4 s) and the answer
    expect(await page.getByRole('heading', { name: 'You are checked in' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: /Your IIN/ }).count()).toBe(1);
  }, 120_000);
});
