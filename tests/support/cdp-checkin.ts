// An OUTSIDE Playwright script: attaches to a running kiosk over CDP and does a full photo check-in
// knowing only roles and visible names (English). Nothing here imports the kiosk's code.
//
//   npm run start:browser -- --camera <photo> --config <challenge-off.json> --headless --lang en --remote-debugging-port 9222
//   npx tsx tests/support/cdp-checkin.ts http://127.0.0.1:9222 <12-digit IIN>
import { chromium } from 'playwright-core';

export interface CdpCheckinResult {
  ticket: string;
  /** The last four digits shown with the ticket. */
  shownIin: string;
}

export async function checkInOverCdp(cdpUrl: string, iin: string, timeoutMs = 120_000): Promise<CdpCheckinResult> {
  const browser = await chromium.connectOverCDP(cdpUrl);
  try {
    const page = browser.contexts()[0]?.pages()[0];
    if (!page) throw new Error(`No kiosk page behind ${cdpUrl}`);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    const keypad = page.getByRole('group', { name: 'Number keypad' });
    for (const digit of iin) await keypad.getByRole('button', { name: digit, exact: true }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Use the camera' }).click();
    const heading = page.getByRole('heading', { name: 'You are checked in' });
    await heading.waitFor({ timeout: timeoutMs });
    // The ticket number is announced by its accessible name: "Your number is A-001".
    const label = await page.getByLabel(/^Your number is /).getAttribute('aria-label');
    const ticket = label?.replace(/^Your number is /, '') ?? '';
    const body = await page.locator('main').innerText();
    const shownIin = /•+(\d{4})/.exec(body)?.[1] ?? '';
    await page.getByRole('button', { name: 'Done' }).click();
    return { ticket, shownIin };
  } finally {
    // Detach only: closing a CDP-connected browser would close the kiosk.
    await browser.close().catch(() => undefined);
  }
}

const [, script, cdpUrl, iin] = process.argv;
if (script && /cdp-checkin\.ts$/.test(script)) {
  if (!cdpUrl || !iin) {
    console.error('usage: npx tsx tests/support/cdp-checkin.ts <cdp url> <IIN>');
    process.exitCode = 2;
  } else {
    checkInOverCdp(cdpUrl, iin).then(
      (r) => console.log(`checked in: ticket ${r.ticket}, IIN ending ${r.shownIin}`),
      (err: unknown) => {
        console.error(err instanceof Error ? err.message : String(err));
        process.exitCode = 1;
      },
    );
  }
}
