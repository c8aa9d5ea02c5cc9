// Shared steps for the patient-flow end-to-end tests: drive the kiosk by roles and visible names
// only, as a patient (or an outside Playwright script) would.
import type { Page } from 'playwright-core';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { databaseFileName } from '../../electron/core/platform/store/index.js';
import { iinCheckDigit } from '../../electron/core/platform/identity/iin.js';

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
