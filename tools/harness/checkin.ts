// Shared steps for the patient-flow end-to-end tests: drive the kiosk by roles and visible names
// only, as a patient (or an outside Playwright script) would.
import type { Page } from 'playwright-core';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { databaseFileName } from '../../electron/core/platform/store/index.js';
import { iinCheckDigit } from '../../electron/core/platform/identity/iin.js';
import type { Language } from '../../electron/shared/vocabulary/languages.js';
import { projectRoot } from './fixtures.js';

/** A valid IIN for 1 March 1990 (century digit 3), made with the real check-digit rule. */
export function validIin(serial = 1234): string {
  for (let s = serial; s < serial + 100; s++) {
    const first11 = `9003013${String(s % 10_000).padStart(4, '0')}`;
    const check = iinCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
  throw new Error('no valid IIN found');
}

/** Attract → identify, typing the IIN half on the on-screen keypad and half on the keyboard. */
export async function enterIin(page: Page, iin: string): Promise<void> {
  await page.getByRole('button', { name: 'Check in', exact: true }).click();
  await page.getByRole('heading', { name: 'Enter your IIN' }).waitFor();
  const keypad = page.getByRole('group', { name: 'Number keypad' });
  for (const digit of iin.slice(0, 6)) await keypad.getByRole('button', { name: digit, exact: true }).click();
  await page.getByRole('textbox', { name: 'Your IIN (12 digits)' }).press('End');
  await page.keyboard.type(iin.slice(6));
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Identify and agree to the camera. */
export async function startPhotoCheckin(page: Page, iin: string): Promise<void> {
  await enterIin(page, iin);
  await page.getByRole('heading', { name: 'A quick face check' }).waitFor();
  await page.getByRole('button', { name: 'Use the camera' }).click();
  await page.getByRole('heading', { name: 'Look at the camera' }).waitFor();
}

export interface OutboxRow {
  id: string;
  created_at: string;
  device_id: string;
  sealed: Buffer;
  sig: Buffer;
}

/** Reads the outbox straight from the database file (read-only). */
export function outboxRows(dataDir: string): OutboxRow[] {
  const db = new Database(join(dataDir, databaseFileName), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, created_at, device_id, sealed, sig FROM outbox ORDER BY seq').all() as OutboxRow[];
  } finally {
    db.close();
  }
}

export const euclidean = (a: readonly number[], b: readonly number[]): number =>
  Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0));

type Strings = Record<string, Record<string, string> | string>;

/** One namespace of the renderer's strings in `lang`, for finding controls by their visible names. */
export function localeStrings(lang: Language, ns: string): Strings {
  return JSON.parse(
    readFileSync(join(projectRoot, 'renderer/src/i18n/locales', lang, `${ns}.json`), 'utf8'),
  ) as Strings;
}

const text = (strings: Strings, section: string, key: string): string => {
  const value = (strings[section] as Record<string, string> | undefined)?.[key];
  if (typeof value !== 'string') throw new Error(`no string ${section}.${key}`);
  return value;
};

export interface FaceCheckEnd {
  /** `ticket`, the decline path, or a screen that is neither (an error the test should look at). */
  outcome: 'ticket' | 'decline' | 'elsewhere';
  /** Tries the patient made, counting the first. */
  tries: number;
}

/**
 * As a patient on the camera screen: "Try again" after every failed try, until a ticket or the kiosk
 * leaves the camera screen. The kiosk decides how many tries there are; this only answers the screen.
 * Each failed try is counted once, when its "Try again" appears; the kiosk may start the next try by
 * itself (ui.retryAfterMs) before the press lands, so a press that finds the button gone is fine.
 */
export async function untilTheEnd(page: Page, lang: Language = 'en', timeoutMs = 300_000): Promise<FaceCheckEnd> {
  const checkin = localeStrings(lang, 'checkin');
  const ticket = page.getByRole('heading', { name: text(checkin, 'ticket', 'title') });
  const retry = page.getByRole('button', { name: text(checkin, 'camera', 'tryAgain') });
  const camera = page.getByRole('heading', { name: text(checkin, 'camera', 'title') });
  const declineTitle = localeStrings(lang, 'decline').title;
  const decline = page.getByRole('heading', { name: typeof declineTitle === 'string' ? declineTitle : '' });
  let tries = 1;
  for (const t0 = Date.now(); Date.now() - t0 < timeoutMs; await new Promise((r) => setTimeout(r, 100))) {
    if (await ticket.isVisible()) return { outcome: 'ticket', tries };
    if (await retry.isVisible()) {
      tries++;
      await retry.click({ timeout: 2_000 }).catch(() => undefined);
      await retry.waitFor({ state: 'hidden', timeout: 30_000 });
      continue;
    }
    if (!(await camera.isVisible())) {
      // Off the camera screen: the ticket (it may still be rendering) or the decline path.
      await ticket
        .or(decline)
        .first()
        .waitFor({ timeout: 10_000 })
        .catch(() => undefined);
      const outcome = (await ticket.isVisible()) ? 'ticket' : (await decline.isVisible()) ? 'decline' : 'elsewhere';
      return { outcome, tries };
    }
  }
  throw new Error(`the face check did not end in ${timeoutMs / 1000} s (${tries} tries)`);
}

/**
 * Starts noting every text the camera screen's status line shows (what the patient read, in order);
 * the returned function answers them so far.
 */
export async function recordInstructions(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __said: string[] }).__said = seen;
    const note = () => {
      const text = document.querySelector('[role="status"]')?.textContent?.trim();
      if (text && seen.at(-1) !== text) seen.push(text);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
    note();
  });
  return () => page.evaluate(() => (window as unknown as { __said: string[] }).__said.slice());
}
