// The patient's screens without the face engine: a wrong IIN, and the inactivity reset (WCAG 2.2.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKiosk, type TestKiosk } from '../../tools/harness/browser.js';
import { enterIin, validIin } from '../../tools/harness/checkin.js';

describe('identify and inactivity', () => {
  let kiosk: TestKiosk;
  beforeAll(async () => {
    // The shortest inactivity the configuration allows, so the reset is seen within the test.
    kiosk = await startTestKiosk({
      camera: 'none',
      config: { ui: { inactivityMs: 5_000, warningMs: 3_000 } },
      lang: 'en',
    });
  });
  afterAll(async () => {
    await kiosk?.close();
  });

  it('a wrong IIN gets a clear message and does not move on', async () => {
    const { page } = kiosk;
    const good = validIin(1111);
    const wrong = `${good.slice(0, 11)}${(Number(good[11]) + 1) % 10}`;
    await enterIin(page, wrong);
    await expect
      .poll(() => page.getByRole('alert').first().innerText())
      .toBe('This IIN is not valid. Please check each digit.');
    expect(await page.getByRole('heading', { name: 'Enter your IIN' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'A quick face check' }).count()).toBe(0);

    // Too short: told how long an IIN is.
    const field = page.getByRole('textbox', { name: 'Your IIN (12 digits)' });
    await field.fill('90030');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().innerText())
      .toBe('An IIN has exactly 12 digits. Please check the number.');

    // An impossible date (31 February).
    await field.fill('900231312345');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toMatch(/date of birth|not valid/);

    // The right one, tapped on the keypad and confirmed with a physical Enter, moves on and is shown masked only.
    const keypad = page.getByRole('group', { name: 'Number keypad' });
    await keypad.getByRole('button', { name: 'Clear' }).click();
    for (const digit of good) await keypad.getByRole('button', { name: digit, exact: true }).click();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'A quick face check' }).waitFor();
    const body = await page.locator('body').innerText();
    expect(body).toContain(`••••••••${good.slice(-4)}`);
    expect(body).not.toContain(good);
    await page.getByRole('button', { name: 'Start over' }).click();
    await page.getByRole('button', { name: 'Check in', exact: true }).waitFor();
  });

  it('"Check in without a photo" on the consent screen goes to the decline path with the patient still identified', async () => {
    const { page } = kiosk;
    const iin = validIin(3333);
    await enterIin(page, iin);
    await page.getByRole('heading', { name: 'A quick face check' }).waitFor();
    // The two choices are equal: same size, same style.
    const camera = await page.getByRole('button', { name: 'Use the camera' }).boundingBox();
    const without = await page.getByRole('button', { name: 'Check in without a photo' }).boundingBox();
    expect(
      camera && without && Math.abs(camera.width - without.width) < 2 && Math.abs(camera.height - without.height) < 2,
    ).toBe(true);
    expect(camera!.height).toBeGreaterThanOrEqual(44);
    await page.getByRole('button', { name: 'Check in without a photo' }).click();
    await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor();
    expect(await page.locator('main').innerText()).toContain(`••••••••${iin.slice(-4)}`);
    await page.getByRole('button', { name: 'Start over' }).click();
    await page.getByRole('button', { name: 'Check in', exact: true }).waitFor();
  });

  it('warns before resetting, "I need more time" keeps the entry, then the reset leaves nothing on screen', async () => {
    const { page } = kiosk;
    const iin = validIin(2222);
    await enterIin(page, iin);
    await page.getByRole('heading', { name: 'A quick face check' }).waitFor();
    const masked = `••••••••${iin.slice(-4)}`;
    expect(await page.locator('body').innerText()).toContain(masked);

    const warning = page.getByRole('alertdialog', { name: 'Are you still there?' });
    await warning.waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'I need more time' }).click();
    await warning.waitFor({ state: 'detached' });
    expect(await page.getByRole('heading', { name: 'A quick face check' }).count()).toBe(1);

    // Now nobody answers: the warning comes back and the kiosk resets.
    await warning.waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Check in', exact: true }).waitFor({ timeout: 15_000 });
    const body = await page.locator('body').innerText();
    expect(body).not.toContain(masked);
    expect(body).not.toContain(iin.slice(-4));
    expect(await page.getByRole('textbox').count()).toBe(0);
  });
});
