// "I need help" and the ticket text end to end: the built renderer in Debian Chromium through the
// browser host, the real core (SQLite hand-off list, reports), a blank fake camera. The patient
// presses "I need help" on the identify, consent, camera and decline screens; reception then sees
// each request in the staff console at the same kiosk, with the screen and the masked IIN, and the
// day's report counts them. The ticket's "where to go" text is the clinic's, from the configuration.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDayHour } from '../../electron/core/staff/reports/figures.js';
import { startTestKiosk, type TestKiosk } from '../../tools/harness/browser.js';
import { blankImageFile, testIin } from '../../tools/harness/decline-qr.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { seedStaff, signInAtKiosk, type SeededPerson } from '../../tools/harness/staff.js';

const CLINIC_TEXT = 'Please go to room 12 on the first floor.';
const masked = (iin: string) => `••••••••${iin.slice(-4)}`;
const locale = (lang: string, ns: string) =>
  JSON.parse(readFileSync(join(projectRoot, 'renderer/src/i18n/locales', lang, `${ns}.json`), 'utf8')) as Record<
    string,
    Record<string, string>
  >;

async function pageCall<T>(
  page: Page,
  method: string,
  input: unknown = {},
): Promise<{ ok: boolean; value?: T; error?: { code: string; message: string } }> {
  return page.evaluate(
    ([m, i]) =>
      (window as unknown as { kiosk: { call(m: string, i: unknown): Promise<never> } }).kiosk.call(m as string, i),
    [method, input] as const,
  );
}

async function askForHelp(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'I need help' }).click();
  await expect
    .poll(() => page.getByRole('status').filter({ hasText: 'Staff are coming to help you.' }).textContent())
    .toMatch(/Please stay here\. Your reference: [0-9A-F]{6}/);
}

async function startOver(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start over' }).click();
  await page.getByRole('button', { name: 'Check in', exact: true }).waitFor();
  expect(await page.getByText('Staff are coming to help you.').count()).toBe(0);
}

async function identify(page: Page, iin: string): Promise<void> {
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.getByRole('textbox', { name: /Your IIN/ }).fill(iin);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: 'A quick face check' }).waitFor();
}

async function signIn(page: Page, p: SeededPerson): Promise<void> {
  await signInAtKiosk(page, p);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

describe('"I need help" on every patient screen, and the clinic’s ticket text', () => {
  let kiosk: TestKiosk;
  let dataDir: string;
  let people: Record<string, SeededPerson>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-help-e2e-'));
    people = await seedStaff(dataDir, [
      { username: 'aigerim', role: 'reception' },
      { username: 'boss', role: 'admin' },
    ]);
    kiosk = await startTestKiosk({
      camera: await blankImageFile(),
      dataDir,
      lang: 'en',
      config: {
        presence: { challenge: 'off' },
        sync: { background: false },
        ui: { ticketMs: 5_000, ticketMessage: { en: CLINIC_TEXT } },
      },
    });
  });
  afterAll(async () => {
    await kiosk?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('from identify, consent, camera and decline: reception sees each request with the screen; the report counts them', async () => {
    const { page } = kiosk;
    // Identify: no IIN entered yet. The screen stays as it was, with what was typed.
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await page.getByRole('textbox', { name: /Your IIN/ }).fill('9003');
    await askForHelp(page);
    expect(await page.getByRole('heading', { name: 'Enter your IIN' }).isVisible()).toBe(true);
    expect(await page.getByRole('textbox', { name: /Your IIN/ }).inputValue()).toBe('9003');
    await startOver(page);

    await identify(page, testIin(501));
    await askForHelp(page);
    expect(await page.getByRole('heading', { name: 'A quick face check' }).isVisible()).toBe(true);
    await startOver(page);

    await identify(page, testIin(502));
    await page.getByRole('button', { name: 'Use the camera' }).click();
    await page.getByRole('heading', { name: 'Look at the camera' }).waitFor();
    await askForHelp(page);
    expect(await page.getByRole('heading', { name: 'Look at the camera' }).isVisible()).toBe(true);
    await startOver(page);

    await identify(page, testIin(503));
    await page.getByRole('button', { name: 'Check in without a photo' }).click();
    await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor();
    await askForHelp(page);
    await startOver(page);

    // Reception, at the same kiosk: four waiting patients, each with the screen and the masked IIN if known.
    await signIn(page, people.aigerim!);
    const table = page.getByRole('table', { name: 'Waiting patients' });
    await table.waitFor();
    const rows = await table.getByRole('row').allInnerTexts();
    const body = rows.slice(1).map((r) => r.replace(/\s+/g, ' '));
    expect(body).toHaveLength(4);
    expect(body[0]).toMatch(/no IIN yet Asked for help \(on the IIN screen\)/);
    expect(body[1]).toContain(`${masked(testIin(501))} Asked for help (on the consent screen)`);
    expect(body[2]).toContain(`${masked(testIin(502))} Asked for help (at the camera)`);
    expect(body[3]).toContain(`${masked(testIin(503))} Asked for help (checking in without a photo)`);
    await page.getByRole('button', { name: 'Sign out' }).click();

    // The day's report (admin) counts the four requests; none of them is a check-in.
    await signIn(page, people.boss!);
    const today = localDayHour(new Date()).day;
    const report = await pageCall<{ days: Array<{ day: string; askedForHelp: number; total: number }> }>(
      page,
      'reports.daily',
      { from: today, to: today },
    );
    expect(report.value?.days).toEqual([expect.objectContaining({ day: today, askedForHelp: 4, total: 0 })]);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Back to check-in' }).click();
    await page.getByRole('button', { name: 'Check in', exact: true }).waitFor();
  });

  it('the ticket says the clinic’s text from the configuration; languages it leaves out show a default that promises no display', async () => {
    const { page } = kiosk;
    await identify(page, testIin(504));
    await page.getByRole('button', { name: 'Check in without a photo' }).click();
    const keypad = page.getByRole('group', { name: 'Code keypad' });
    for (const d of '739104') await keypad.getByRole('button', { name: d, exact: true }).click();
    await page.getByRole('button', { name: 'Check in with this code' }).click();
    const before = new Date();
    await page.getByRole('heading', { name: 'You are checked in' }).waitFor();
    expect(await page.getByText(CLINIC_TEXT).isVisible()).toBe(true);
    // The time of check-in, on the kiosk's 24-hour clock: one of the minutes the check-in spanned.
    const shown = (await page.locator('.checked-in-at').innerText()).match(/^Checked in at (\d\d:\d\d)$/)?.[1];
    const spanned = new Set<string>();
    for (let t = before.getTime(), end = Date.now(); t <= end + 999; t += 1000) {
      const d = new Date(t);
      spanned.add(`${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`);
    }
    expect([...spanned]).toContain(shown);
    // Help asked on the ticket: the ticket stays (it would clear itself after ui.ticketMs, 5 s here) until staff or the idle reset.
    await askForHelp(page);
    for (const [lang, name] of [
      ['ru', 'Русский'],
      ['kk', 'Қазақша'],
    ] as const) {
      await page.getByRole('button', { name, exact: true }).click();
      const text = locale(lang, 'checkin').ticket!.whereToGo!;
      await page.getByText(text).waitFor();
      expect(await page.getByText(CLINIC_TEXT).count()).toBe(0);
      // "Экран" is the word for a display in both Russian and Kazakh.
      expect(text).not.toMatch(/экран|табло|шақырылғанда нөміріңіз/i);
    }
    await new Promise((r) => setTimeout(r, 6_000));
    expect(await page.getByRole('heading', { name: locale('kk', 'checkin').ticket!.title! }).isVisible()).toBe(true);
    expect(locale('en', 'checkin').ticket!.whereToGo).toBe('You are checked in. Please wait to be called.');
  });
});
