// `npm run screenshots`: every screen in every language, as PNG files under screenshots/ (not
// committed): the patient flow, the decline path, the staff console and the IT panel. Drives the
// built renderer in the browser host exactly as a patient or staff member would, with a fake camera
// made from a fixture photo (or from QR codes); controls are found by role and their translated
// names. `npm run screenshots -- --only decline,staff` renders some groups (patient, decline, staff)
// and keeps the other files.
import { mkdirSync, readFileSync, readdirSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { z } from 'zod';
import { parseOptionsOrExit } from '../electron/core/platform/cli-options.js';
import { startTestKiosk } from './harness/browser.js';
import { qrSequenceFeed } from './harness/decline-qr.js';
import { projectRoot } from './harness/fixtures.js';
import { seedStaff, type SeededPerson as Person } from './harness/staff.js';
import { iinCheckDigit } from '../electron/core/platform/identity/iin.js';
import { totpNow } from '../electron/core/staff/accounts/totp.js';
import { languages, type Language } from '../electron/shared/vocabulary/languages.js';

type Lang = Language;
const langs: readonly Lang[] = languages;
const outDir = join(projectRoot, 'screenshots');
const localesDir = join(projectRoot, 'renderer', 'src', 'i18n', 'locales');

/** The visible words of a key, read from the same locale files the screens use. */
function words(lng: Lang, ns: string, key: string, values: Record<string, unknown> = {}): string {
  const file = JSON.parse(readFileSync(join(localesDir, lng, `${ns}.json`), 'utf8')) as Record<string, unknown>;
  const value = key
    .split('.')
    .reduce<unknown>(
      (node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
      file,
    );
  if (typeof value !== 'string') throw new Error(`missing ${lng}/${ns}:${key}`);
  return value.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
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
    await page
      .getByRole('alert')
      .filter({ hasText: t('identify.problem.checksum') })
      .waitFor();
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
  const kiosk = await startTestKiosk({
    camera: 'photos/alex_lacamoire_3.jpg',
    config: { ui: { maxFaceAttempts: 1 } },
    lang: lng,
    dataDir,
    keepDataDir: true,
  });
  try {
    const { page } = kiosk;
    const t = (key: string) => words(lng, 'checkin', key);
    await page.getByRole('button', { name: t('attract.start'), exact: true }).click();
    await typeIin(page, lng, iin);
    await page.getByRole('button', { name: t('identify.continue') }).click();
    await page.getByRole('button', { name: t('consent.useCamera') }).click();
    const turn = [words(lng, 'presence', 'turnLeft'), words(lng, 'presence', 'turnRight')];
    await page
      .getByRole('status')
      .filter({ hasText: new RegExp(turn.join('|')) })
      .waitFor({ timeout: 60_000 });
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
  const kiosk = await startTestKiosk({
    camera: 'none',
    config: { ui: { inactivityMs: 5_000, warningMs: 10_000 } },
    lang: lng,
    dataDir,
    keepDataDir: true,
  });
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
    await page
      .getByRole('heading', { level: 1 })
      .filter({ hasNotText: t('camera.title') })
      .first()
      .waitFor({ timeout: 30_000 });
    await shot(page, lng, '08-no-camera-decline');
  } finally {
    await kiosk.close();
  }
}

/** A patient who declines the photo: attract → IIN → consent → "Check in without a photo". */
async function declineThePhoto(page: Page, lng: Lang, patientIin: string): Promise<void> {
  const t = (key: string) => words(lng, 'checkin', key);
  await page.getByRole('button', { name: t('attract.start'), exact: true }).click();
  await typeIin(page, lng, patientIin);
  await page.getByRole('button', { name: t('identify.continue') }).click();
  await page.getByRole('button', { name: t('consent.withoutPhoto') }).click();
  await page.getByRole('heading', { name: words(lng, 'decline', 'title') }).waitFor();
}

/** Another valid IIN per patient (the serial changes), so hand-offs are told apart. */
function patientIin(serial: number): string {
  for (let s = serial; ; s++) {
    const first11 = `9001013${String(s % 10000).padStart(4, '0')}`;
    const check = iinCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
}

/**
 * The decline path: code keypad, a wrong code, the QR camera rejecting a code that is not eGov's,
 * the ticket after a good code, and "please go to reception" (no code; too many wrong codes). The
 * camera plays QR codes that are not eGov codes, as the decline e2e test does.
 */
async function declineFlow(lng: Lang, dataDir: string, camera: string): Promise<void> {
  const kiosk = await startTestKiosk({
    camera,
    lang: lng,
    dataDir,
    keepDataDir: true,
    config: { sync: { background: false } },
  });
  try {
    const { page } = kiosk;
    const d = (key: string, opts?: Record<string, unknown>) => words(lng, 'decline', key, opts);
    const keypad = page.getByRole('group', { name: d('code.keypad') });
    const submit = page.getByRole('button', { name: d('code.submit') });
    const done = page.getByRole('button', { name: d('reception.done') });

    await declineThePhoto(page, lng, patientIin(7001));
    await shot(page, lng, '10-decline-keypad');
    for (const digit of '739') await keypad.getByRole('button', { name: digit, exact: true }).click();
    await shot(page, lng, '11-decline-keypad-typing');
    await submit.click();
    await page.getByRole('alert').waitFor();
    await shot(page, lng, '12-decline-wrong-code');
    // A wrong code is cleared: the patient types all six digits again.
    for (const digit of '739104') await keypad.getByRole('button', { name: digit, exact: true }).click();
    await submit.click();
    await page.getByRole('heading', { name: words(lng, 'checkin', 'ticket.title') }).waitFor();
    await shot(page, lng, '13-decline-code-ticket');
    await page.getByRole('button', { name: words(lng, 'checkin', 'ticket.done') }).click();

    await declineThePhoto(page, lng, patientIin(7101));
    await page.getByRole('button', { name: d('mode.qr') }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: d('problem.unknown-format') })
      .waitFor({ timeout: 60_000 });
    await shot(page, lng, '14-decline-qr-rejected');
    // Three different wrong QR codes use up the three attempts: the patient goes to reception.
    await page.getByRole('heading', { name: d('reception.title') }).waitFor({ timeout: 60_000 });
    await shot(page, lng, '15-decline-reception-too-many');
    await done.click();

    await declineThePhoto(page, lng, patientIin(7201));
    await page.getByRole('button', { name: d('noCode') }).click();
    await page.getByRole('heading', { name: d('reception.title') }).waitFor();
    await shot(page, lng, '16-decline-reception-no-code');
    await done.click();
  } finally {
    await kiosk.close();
  }
}

/**
 * The staff console in one language: sign-in (empty, wrong code), reception (hand-offs, the
 * resolve dialog, today's check-ins), admin (accounts, enrolment QR, report, audit) and the IT
 * panel. Run after declineFlow on the same data folder, so there are hand-offs and a check-in.
 */
async function staffFlow(lng: Lang, dataDir: string): Promise<void> {
  const people = await seedStaff(dataDir, [
    {
      username: `reception-${lng}`,
      role: 'reception',
      displayName: lng === 'en' ? 'Aigerim Nurlanovna' : 'Айгерим Нұрланқызы',
    },
    { username: `admin-${lng}`, role: 'admin', displayName: lng === 'en' ? 'Timur Bekov' : 'Тимур Беков' },
    { username: `it-${lng}`, role: 'it', displayName: lng === 'en' ? 'Dana Sarsenova' : 'Дана Сәрсенова' },
  ]);
  const kiosk = await startTestKiosk({
    camera: 'none',
    lang: lng,
    dataDir,
    keepDataDir: true,
    config: { sync: { background: false } },
  });
  try {
    const { page } = kiosk;
    const s = (key: string, opts?: Record<string, unknown>) => words(lng, 'staff', key, opts);
    const signIn = async (p: Person, code?: string) => {
      await page.getByRole('textbox', { name: s('login.username') }).fill(p.username);
      await page.getByLabel(s('login.password')).fill(p.password);
      await page.getByRole('textbox', { name: s('login.code') }).fill(code ?? totpNow(p.secret));
      await page.getByRole('button', { name: s('login.submit') }).click();
    };
    const signOut = async () => {
      await page.getByRole('button', { name: s('console.signOut') }).click();
      await page.getByRole('heading', { name: s('login.title') }).waitFor();
    };
    const consoleHeading = page.getByRole('heading', { name: s('console.title') });
    const tab = (key: string, ns = 'staff') => page.getByRole('tab', { name: words(lng, ns, key) });

    await page.getByRole('button', { name: words(lng, 'checkin', 'attract.start'), exact: true }).waitFor();
    await page.keyboard.press('Control+Alt+KeyS');
    await page.getByRole('heading', { name: s('login.title') }).waitFor();
    await shot(page, lng, '20-staff-login');
    await signIn(people[`reception-${lng}`]!, '000000');
    await page.getByRole('alert').waitFor();
    await shot(page, lng, '21-staff-login-wrong');

    await signIn(people[`reception-${lng}`]!);
    await consoleHeading.waitFor();
    await page.getByRole('table', { name: s('handoffs.waitingTable') }).waitFor();
    await shot(page, lng, '22-staff-handoffs');
    await page
      .getByRole('table', { name: s('handoffs.waitingTable') })
      .getByRole('button')
      .first()
      .click();
    await page.getByRole('dialog').waitFor();
    await shot(page, lng, '23-staff-handoff-resolve');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: s('cancel') })
      .click();
    await tab('tabs.today').click();
    await page.getByRole('table', { name: s('today.table') }).waitFor();
    await shot(page, lng, '24-staff-today');
    await signOut();

    await signIn(people[`admin-${lng}`]!);
    await consoleHeading.waitFor();
    await tab('tabs.accounts').click();
    await page.getByRole('table', { name: s('accounts.table') }).waitFor();
    await shot(page, lng, '25-staff-accounts');
    const form = page.getByRole('form', { name: s('accounts.add') });
    await form.getByRole('textbox', { name: s('col.username'), exact: true }).fill(`new-${lng}`);
    await form.getByRole('textbox', { name: s('col.name'), exact: true }).fill(lng === 'en' ? 'Dana K.' : 'Дана Қ.');
    await form.getByRole('combobox', { name: s('col.role') }).selectOption('reception');
    await form.getByLabel(s('accounts.initialPassword')).fill('a-long-initial-password');
    await form.getByRole('button', { name: s('accounts.create') }).click();
    await page.getByRole('dialog', { name: s('enrol.title', { username: `new-${lng}` }) }).waitFor();
    await shot(page, lng, '26-staff-enrolment-qr');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: s('enrol.done') })
      .click();
    await tab('tabs.report').click();
    await page.getByRole('table', { name: s('report.table') }).waitFor();
    await shot(page, lng, '27-staff-report');
    await tab('tabs.audit').click();
    await page.getByRole('button', { name: s('audit.verify') }).click();
    await page.getByRole('table', { name: s('audit.recent') }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: s('audit.ok').split('{{')[0]!.trim() })
      .waitFor();
    await shot(page, lng, '28-staff-audit');
    await signOut();

    await signIn(people[`it-${lng}`]!);
    await consoleHeading.waitFor();
    await page.getByRole('heading', { name: words(lng, 'it', 'title') }).waitFor();
    await page.waitForTimeout(1000); // the status and chart load after the heading
    await shot(page, lng, '29-it-panel');
  } finally {
    await kiosk.close();
  }
}

const groups = ['patient', 'decline', 'staff'] as const;
type Group = (typeof groups)[number];

async function main(): Promise<void> {
  const { only } = parseOptionsOrExit(
    'screenshots',
    process.argv.slice(2),
    z.object({
      only: z
        .string()
        .transform((v) => v.split(',').map((g) => g.trim()))
        .pipe(z.array(z.enum(groups, { message: `--only takes a comma-separated list of: ${groups.join(', ')}` })))
        .optional(),
    }),
  ).values;
  const wanted = (g: Group) => !only || only.includes(g);
  // A partial run keeps the other groups' files from an earlier full run.
  if (!only) rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'kelu-screenshots-'));
  // QR codes that are not eGov codes, in front of the camera, so the QR screen shows its rejection.
  const qrCamera =
    wanted('decline') || wanted('staff')
      ? await qrSequenceFeed(['https://example.org/not-an-egov-code', 'HELLO-1234', 'A'.repeat(300)], 2)
      : '';
  try {
    for (const lng of langs) {
      if (wanted('patient')) {
        await photoFlow(lng, dataDir);
        await challengeFlow(lng, dataDir);
        await otherScreens(lng, dataDir);
      }
      // The staff screens show the hand-offs and check-in the decline flow leaves behind.
      if (wanted('decline') || wanted('staff')) await declineFlow(lng, dataDir, qrCamera);
      if (wanted('staff')) await staffFlow(lng, dataDir);
      console.log(`screenshots: ${lng} done`);
    }
    if (wanted('patient')) {
      suffix = '-portrait';
      await photoFlow('kk', dataDir, { width: 1080, height: 1920 });
      console.log('screenshots: kk portrait done');
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`${count} screenshots in ${outDir}: ${readdirSync(outDir).length} files`);
}

main().catch((err: unknown) => {
  console.error(`screenshots: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
