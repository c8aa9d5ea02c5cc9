// Automated accessibility check (axe-core, WCAG 2.0–2.2 A/AA rules) on every patient screen in
// kk, ru and en: the built renderer in Debian Chromium through the browser host, the real core, a
// fake camera playing a fixture photo. Any serious or critical violation fails the test.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKiosk, type TestKiosk } from '../../tools/harness/browser.js';
import { testIin } from '../../tools/harness/decline-qr.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

type Lang = 'kk' | 'ru' | 'en';
type Strings = Record<string, Record<string, string> & Record<string, unknown>>;
const locale = (lang: Lang, ns: string) =>
  JSON.parse(readFileSync(join(projectRoot, 'renderer/src/i18n/locales', lang, `${ns}.json`), 'utf8')) as Strings;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** Runs axe in the page (evaluated over CDP, so the page's CSP does not block it) and keeps serious and critical findings. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, options: object): Promise<{ violations: Violation[] }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe.each(['kk', 'ru', 'en'] as const)('accessibility of every patient screen in %s', (lang) => {
  let kiosk: TestKiosk;
  const found: Record<string, string[]> = {};
  const check = async (screen: string) => {
    found[screen] = await seriousViolations(kiosk.page);
  };

  beforeAll(async () => {
    kiosk = await startTestKiosk({
      camera: 'photos/alex_lacamoire_3.jpg',
      lang,
      config: {
        presence: { challenge: 'head-turn', challengeTimeoutMs: 3_000 },
        sync: { background: false },
        ui: { maxFaceAttempts: 1, inactivityMs: 5_000, warningMs: 60_000 },
      },
    });
  });
  afterAll(async () => {
    await kiosk?.close();
  });

  it('has no serious or critical axe violation on attract, identify, consent, camera, decline, reception, ticket, help and idle warning', async () => {
    const { page } = kiosk;
    const checkin = locale(lang, 'checkin');
    const common = locale(lang, 'common');
    const decline = locale(lang, 'decline');
    const heading = (name: string) => page.getByRole('heading', { name }).waitFor({ timeout: 60_000 });

    await heading(checkin.attract!.title!);
    await check('attract');
    await page.getByRole('button', { name: checkin.attract!.start!, exact: true }).click();
    await heading(checkin.identify!.title!);
    await check('identify');
    await page.keyboard.type('123456789012');
    await page.getByRole('button', { name: checkin.identify!.continue! }).click();
    await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    await check('identify-wrong-iin');
    await page.getByRole('button', { name: (common.keypad as unknown as Record<string, string>).clear! }).click();
    await page.keyboard.type(testIin(601));
    await page.getByRole('button', { name: checkin.identify!.continue! }).click();
    await heading(checkin.consent!.title!);
    await check('consent');
    await page.getByRole('button', { name: (common.help as unknown as Record<string, string>).button! }).click();
    await page.getByText((common.help as unknown as Record<string, string>).coming!).waitFor();
    await check('consent-help');
    await page.getByRole('button', { name: checkin.consent!.useCamera! }).click();
    await heading(checkin.camera!.title!);
    await page.getByRole('progressbar').waitFor();
    await check('camera');
    // The idle warning (5 s without a touch here) over the camera screen.
    await page.getByRole('alertdialog').waitFor({ timeout: 30_000 });
    await check('idle-warning');
    await page.getByRole('button', { name: (common.idle as unknown as Record<string, string>).moreTime! }).click();
    // One failed try ends the photo path here: the decline screen, with the keypad and the QR mode.
    await heading(decline.title as unknown as string);
    await check('decline-code');
    const mode = decline.mode as unknown as Record<string, string>;
    await page.getByRole('button', { name: mode.qr! }).click();
    await check('decline-qr');
    await page.getByRole('button', { name: mode.code! }).click();
    await page.getByRole('button', { name: decline.noCode as unknown as string }).click();
    await heading((decline.reception as unknown as Record<string, string>).title!);
    await check('reception');
    await page.getByRole('button', { name: (decline.reception as unknown as Record<string, string>).done! }).click();

    // A ticket, through the eGov code.
    await page.getByRole('button', { name: checkin.attract!.start!, exact: true }).click();
    await page.keyboard.type(testIin(602));
    await page.getByRole('button', { name: checkin.identify!.continue! }).click();
    await page.getByRole('button', { name: checkin.consent!.withoutPhoto! }).click();
    await heading(decline.title as unknown as string);
    await page.keyboard.type('739104', { delay: 150 });
    await page.getByRole('button', { name: (decline.code as unknown as Record<string, string>).submit! }).click();
    await heading(checkin.ticket!.title!);
    await check('ticket');

    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
    expect(Object.keys(found)).toHaveLength(11);
    // The check itself can fail: a button with no name on the same screen is reported at once.
    await page.evaluate(() => document.querySelector('main')?.append(document.createElement('button')));
    expect(await seriousViolations(page)).toEqual([expect.stringMatching(/^button-name \(critical\)/)]);
  });
});
