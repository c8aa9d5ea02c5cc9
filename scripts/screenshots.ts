// `npm run screenshots`: every patient screen in every language, as PNG files under screenshots/
// (not committed). Drives the built renderer in the browser host exactly as a patient would, with a
// fake camera made from a fixture photo; controls are found by role and their translated names.
import { mkdirSync, readFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startTestKiosk } from '../tests/support/browser.js';
import { projectRoot } from '../tests/support/fixtures.js';
import { iinCheckDigit } from '../electron/core/identity/iin.js';

type Lang = 'kk' | 'ru' | 'en';
const langs: Lang[] = ['kk', 'ru', 'en'];
const outDir = join(projectRoot, 'screenshots');
const localesDir = join(projectRoot, 'renderer', 'src', 'i18n', 'locales');

/** The visible words of a key, read from the same locale files the screens use. */
function words(lng: Lang, ns: string, key: string): string {
  const file = JSON.parse(readFileSync(join(localesDir, lng, `${ns}.json`), 'utf8')) as Record<string, unknown>;
  const value = key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), file);
  if (typeof value !== 'string') throw new Error(`missing ${lng}/${ns}:${key}`);
  return value;
}

const iin = (() => {
  for (let s = 4321; ; s++) {
    const check = iinCheckDigit(`9003013${s}`);
    if (check !== null) return `9003013${s}${check}`;
  }
})();

let count = 0;
/** Landscape 1280×800 by default; one extra pass in a tall portrait kiosk's 1080×1920. */
let suffix = '';
async function shot(page: Page, lng: Lang, name: string): Promise<void> {
  await page.waitForTimeout(300); // let transitions and fonts settle
  await page.screenshot({ path: join(outDir, `${lng}-${name}${suffix}.png`), fullPage: true });
  count++;
}

async function typeIin(page: Page, lng: Lang, value: string): Promise<void> {
  const keypad = page.getByRole('group', { name: words(lng, 'checkin', 'identify.keypad') });
  for (const d of value) await keypad.getByRole('button', { name: d, exact: true }).click();
}

async function photoFlow(lng: Lang, dataDir: string, viewport?: { width: number; height: number }): Promise<void> {
  const kiosk = await startTestKiosk({
    camera: 'photos/alex_lacamoire_3.jpg',
    config: { presence: { challenge: 'off' } },
    lang: lng,
    dataDir,
    keepDataDir: true,
    ...(viewport ? { viewport } : {}),
  });
  try {
    const { page } = kiosk;
    const t = (key: string) => words(lng, 'checkin', key);
    await page.getByRole('button', { name: t('attract.start'), exact: true }).waitFor();
    await shot(page, lng, '01-attract');
    await page.getByRole('button', { name: t('attract.start'), exact: true }).click();
    await shot(page, lng, '02-identify');
    await typeIin(page, lng, `${iin.slice(0, 11)}${(Number(iin[11]) + 1) % 10}`);
    await page.getByRole('button', { name: t('identify.continue') }).click();
    await page.getByRole('alert').filter({ hasText: t('identify.problem.checksum') }).waitFor();
    await shot(page, lng, '03-identify-wrong');
    await page.getByRole('button', { name: words(lng, 'common', 'keypad.clear') }).click();
    await typeIin(page, lng, iin);
    await page.getByRole('button', { name: t('identify.continue') }).click();
    await page.getByRole('heading', { name: t('consent.title') }).waitFor();
    await shot(page, lng, '04-consent');
    await page.getByRole('button', { name: t('consent.useCamera') }).click();
    await page.getByRole('heading', { name: t('ticket.title') }).waitFor({ timeout: 120_000 });
    await shot(page, lng, '06-ticket');
  } finally {
    await kiosk.close();
  }
}

/** The camera screen during the head-turn challenge (a still photo gets that far, then fails). */
async function challengeFlow(lng: Lang, dataDir: string): Promise<void> {
  const kiosk = await startTestKiosk({ camera: 'photos/alex_lacamoire_3.jpg', config: { ui: { maxFaceAttempts: 1 } }, lang: lng, dataDir, keepDataDir: true });
  try {
    const { page } = kiosk;
    const t = (key: string) => words(lng, 'checkin', key);
    await page.getByRole('button', { name: t('attract.start'), exact: true }).click();
    await typeIin(page, lng, iin);
    await page.getByRole('button', { name: t('identify.continue') }).click();
    await page.getByRole('button', { name: t('consent.useCamera') }).click();
    const turn = [words(lng, 'presence', 'turnLeft'), words(lng, 'presence', 'turnRight')];
    await page.getByRole('status').filter({ hasText: new RegExp(turn.join('|')) }).waitFor({ timeout: 60_000 });
    await shot(page, lng, '05-camera-challenge');
    // The photo never turns: the challenge fails and the decline path is offered.
    await page.getByRole('heading', { name: words(lng, 'decline', 'title') }).waitFor({ timeout: 60_000 });
    await shot(page, lng, '09-challenge-failed-decline');
  } finally {
    await kiosk.close();
  }
}

async function otherScreens(lng: Lang, dataDir: string): Promise<void> {
  // No camera, and the shortest inactivity the configuration allows.
  const kiosk = await startTestKiosk({ camera: 'none', config: { ui: { inactivityMs: 5_000, warningMs: 10_000 } }, lang: lng, dataDir, keepDataDir: true });
  try {
    const { page } = kiosk;
    const t = (key: string) => words(lng, 'checkin', key);
    await page.getByRole('button', { name: t('attract.start'), exact: true }).click();
    await typeIin(page, lng, iin);
    await page.getByRole('button', { name: t('identify.continue') }).click();
    await page.getByRole('alertdialog').waitFor({ timeout: 30_000 });
    await shot(page, lng, '07-idle-warning');
    await page.getByRole('button', { name: words(lng, 'common', 'idle.moreTime') }).click();
    await page.getByRole('button', { name: t('consent.useCamera') }).click();
    // No camera: the decline path opens by itself (its own screens belong to the decline part).
    await page.getByRole('heading', { level: 1 }).filter({ hasNotText: t('camera.title') }).first().waitFor({ timeout: 30_000 });
    await shot(page, lng, '08-no-camera-decline');
  } finally {
    await kiosk.close();
  }
}

async function main(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'kelu-screenshots-'));
  try {
    for (const lng of langs) {
      await photoFlow(lng, dataDir);
      await challengeFlow(lng, dataDir);
      await otherScreens(lng, dataDir);
      console.log(`screenshots: ${lng} done`);
    }
    suffix = '-portrait';
    await photoFlow('kk', dataDir, { width: 1080, height: 1920 });
    console.log('screenshots: kk portrait done');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`${count} screenshots in ${outDir}: ${readdirSync(outDir).length} files`);
}

main().catch((err: unknown) => {
  console.error(`screenshots: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
