// The decline path end to end: the built renderer in Debian Chromium through the browser host, the
// real core (SQLite, libsodium sealing, hand-off list), QR images generated now and played as the
// fake webcam, a USB scanner simulated by fast keystrokes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatShareToken } from '../../electron/core/patient/decline/share-token.js';
import { startTestKiosk, type TestKiosk } from '../../tools/harness/browser.js';
import { blankImageFile, qrSequenceFeed, scannerType, testIin } from '../../tools/harness/decline-qr.js';

/** Attract → IIN → consent → "Check in without a photo", as a patient does it. */
async function declineThePhoto(page: Page, iin: string): Promise<void> {
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.getByRole('textbox', { name: /Your IIN/ }).fill(iin);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Check in without a photo' }).click();
  await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor();
}

async function ticketShown(page: Page): Promise<string> {
  await page.getByRole('heading', { name: 'You are checked in' }).waitFor();
  const label = await page.getByLabel(/Your number is/).getAttribute('aria-label');
  return /Your number is (\S+)/.exec(label ?? '')![1]!;
}

async function finishTicket(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Check in', exact: true }).waitFor();
}

function readDb<T>(dataDir: string, sql: string): T[] {
  const db = new Database(join(dataDir, 'kelu.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

/** Every byte the kiosk wrote (database, WAL, keys, logs). */
function everyFile(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? everyFile(p) : [p];
  });
}

function foundInClear(dir: string, secret: string): string[] {
  const needles = [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le')];
  return everyFile(dir).filter((f) => {
    const bytes = readFileSync(f);
    return needles.some((n) => bytes.includes(n));
  });
}

const lang = 'en' as const;

describe('decline path with a blank camera: keypad, keyboard, USB scanner, reception', () => {
  let kiosk: TestKiosk;
  beforeAll(async () => {
    kiosk = await startTestKiosk({ camera: await blankImageFile(), lang, config: { sync: { background: false } } });
  });
  afterAll(async () => {
    await kiosk?.close();
  });

  it('the code on the on-screen keypad gives a ticket; the visit is egov-code and the code is nowhere in clear', async () => {
    const { page } = kiosk;
    await declineThePhoto(page, testIin(101));
    const keypad = page.getByRole('group', { name: 'Code keypad' });
    for (const d of '739104') await keypad.getByRole('button', { name: d, exact: true }).click();
    // Back and clear work like on a phone.
    await keypad.getByRole('button', { name: 'Delete the last digit' }).click();
    await expect
      .poll(() => page.getByRole('status').or(page.locator('output')).first().getAttribute('aria-label'))
      .toMatch(/5 of 6/);
    await keypad.getByRole('button', { name: '4', exact: true }).click();
    await page.getByRole('button', { name: 'Check in with this code' }).click();
    const ticket = await ticketShown(page);
    const receipts = readDb<{ ticket: string; method: string; masked_iin: string }>(
      kiosk.dataDir,
      'SELECT ticket, method, masked_iin FROM receipts',
    );
    expect(receipts).toEqual([{ ticket, method: 'egov-code', masked_iin: expect.stringMatching(/0?\d{4}$/) }]);
    await finishTicket(page);
    expect(foundInClear(kiosk.dataDir, '739104')).toEqual([]);
  });

  it('a physical keyboard types the code (Backspace, Enter) and gives a ticket', async () => {
    const { page } = kiosk;
    await declineThePhoto(page, testIin(102));
    await page.keyboard.type('2468', { delay: 140 });
    await page.keyboard.press('Backspace');
    await page.keyboard.type('813', { delay: 160 });
    await page.keyboard.press('Enter');
    await ticketShown(page);
    const methods = readDb<{ method: string }>(kiosk.dataDir, 'SELECT method FROM receipts ORDER BY created_at');
    expect(methods.map((m) => m.method)).toEqual(['egov-code', 'egov-code']);
    await finishTicket(page);
    expect(foundInClear(kiosk.dataDir, '246813')).toEqual([]);
  });

  it('a USB scanner burst (a share token, keys 5 ms apart, then Enter) gives an egov-qr visit', async () => {
    const { page } = kiosk;
    await declineThePhoto(page, testIin(103));
    const token = formatShareToken(Buffer.from('kelu-e2e-share-token-payload-0001'));
    await scannerType(page, token, 5);
    await ticketShown(page);
    const methods = readDb<{ method: string }>(kiosk.dataDir, 'SELECT method FROM receipts ORDER BY created_at');
    expect(methods.at(-1)).toEqual({ method: 'egov-qr' });
    await finishTicket(page);
    expect(foundInClear(kiosk.dataDir, token)).toEqual([]);
    expect(foundInClear(kiosk.dataDir, token.split('.')[1]!)).toEqual([]);
  });

  it('three wrong codes send the patient to reception and add a hand-off entry; no visit', async () => {
    const { page } = kiosk;
    const before = readDb(kiosk.dataDir, 'SELECT visit_id FROM receipts').length;
    await declineThePhoto(page, testIin(104));
    const keypad = page.getByRole('group', { name: 'Code keypad' });
    const submit = page.getByRole('button', { name: 'Check in with this code' });
    await keypad.getByRole('button', { name: '1', exact: true }).click();
    await submit.click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/exactly six digits.*2 attempts left/);
    for (const d of '1234') await keypad.getByRole('button', { name: d, exact: true }).click();
    await submit.click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/1 attempt left/);
    for (const d of '55') await keypad.getByRole('button', { name: d, exact: true }).click();
    await submit.click();
    await page.getByRole('heading', { name: 'Please go to the reception desk' }).waitFor();
    const reference = /Your reference: (\w{6})/.exec((await page.getByRole('status').textContent()) ?? '')?.[1];
    expect(reference).toBeDefined();
    const handoffs = readDb<{ id: string; reason: string; masked_iin: string; status: string }>(
      kiosk.dataDir,
      'SELECT id, reason, masked_iin, status FROM handoffs',
    );
    const entry = handoffs.find((h) => h.id.replace(/-/g, '').slice(0, 6).toUpperCase() === reference);
    expect(entry).toMatchObject({
      reason: 'too-many-wrong-codes',
      status: 'waiting',
      masked_iin: `••••••••${testIin(104).slice(-4)}`,
    });
    expect(readDb(kiosk.dataDir, 'SELECT visit_id FROM receipts')).toHaveLength(before);
    await page.getByRole('button', { name: 'Done' }).click();
  });

  it('"I have no code" adds a hand-off entry and tells the patient to go to reception', async () => {
    const { page } = kiosk;
    await page.getByRole('button', { name: 'Check in', exact: true }).waitFor();
    await declineThePhoto(page, testIin(105));
    await page.getByRole('button', { name: 'I have no code' }).click();
    await page.getByRole('heading', { name: 'Please go to the reception desk' }).waitFor();
    const handoffs = readDb<{ reason: string; masked_iin: string; created_at: string }>(
      kiosk.dataDir,
      "SELECT reason, masked_iin, created_at FROM handoffs WHERE reason = 'declined-no-code'",
    );
    expect(handoffs).toEqual([
      { reason: 'declined-no-code', masked_iin: `••••••••${testIin(105).slice(-4)}`, created_at: expect.any(String) },
    ]);
    await page.getByRole('button', { name: 'Done' }).click();
  });
});

describe('decline path with garbage QR codes in front of the camera', () => {
  let kiosk: TestKiosk;
  const garbage: Array<string | Uint8Array> = [
    'A'.repeat(700), // very long
    new Uint8Array([0x00, 0x01, 0x02, 0xff, 0xfe, 0x80, 0x3c, 0x0a, 0x7f]), // binary
    '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">', // script text
    'https://evil.example/login?next=javascript:alert(1)', // a URL
  ];

  beforeAll(async () => {
    // A generous limit here, so all four payloads are seen and rejected before reception.
    kiosk = await startTestKiosk({
      camera: await qrSequenceFeed(garbage, 2),
      lang,
      config: { decline: { maxCodeAttempts: 10 }, sync: { background: false } },
    });
  });
  afterAll(async () => {
    await kiosk?.close();
  });

  it('each is rejected with a clear message, nothing is rendered or opened, and no visit is queued', async () => {
    const { page } = kiosk;
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await declineThePhoto(page, testIin(201));
    await page.getByRole('button', { name: 'Show the eGov QR code' }).click();
    // Four distinct payloads, each counted once however many frames see it: 10 → 6 attempts left.
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 60_000, interval: 250 })
      .toMatch(/This QR code is not an eGov code\. 6 attempts left\./);
    const html = await page.content();
    expect(html).not.toContain('evil.example');
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).not.toContain('AAAAAAAAAA');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(new URL(page.url()).hostname).toBe('kelu.localhost');
    expect(kiosk.context.pages()).toHaveLength(1);
    expect(readDb(kiosk.dataDir, 'SELECT visit_id FROM receipts')).toEqual([]);
  });
});
