// The staff screens translate core's errors by the key core gives them, never by their English text.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import i18next, { type TFunction } from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorKeys } from '../../electron/shared/api/define.js';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import { errorKeyText, errorText } from '../../renderer/src/screens/staff/errors.js';
import { KioskError } from '../../renderer/src/kiosk.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { seedStaff } from '../../tools/harness/staff.js';

const languages = ['kk', 'ru', 'en'] as const;
type Tree = { [k: string]: string | Tree };
const staffWords = (lng: string): Tree =>
  JSON.parse(readFileSync(join(projectRoot, 'renderer/src/i18n/locales', lng, 'staff.json'), 'utf8')) as Tree;

/** A staff screen's `t` in one language, with no fallback: a missing translation shows as its key. */
async function staffT(lng: (typeof languages)[number]): Promise<TFunction> {
  const i18n = i18next.createInstance();
  await i18n.init({
    resources: { [lng]: { staff: staffWords(lng) } },
    lng,
    fallbackLng: false,
    ns: ['staff'],
    defaultNS: 'staff',
    interpolation: { escapeValue: false },
    showSupportNotice: false,
  });
  return i18n.t;
}

/** What the bridge hands the screen for a failed call (renderer/src/kiosk.ts does the same). */
function asKioskError(result: Awaited<ReturnType<Core['router']['call']>>): KioskError {
  if (result.ok) throw new Error('expected the call to fail');
  return new KioskError(result.error.code, result.error.message, result.error.key);
}

describe('staff screens: error keys', () => {
  it.each(languages)('%s has words for every key core can give an error', async (lng) => {
    const t = await staffT(lng);
    const words = staffWords(lng);
    for (const key of errorKeys) {
      const id = errorKeyText[key];
      expect(id, key).toBeTypeOf('string');
      expect(t(id), `${lng}: ${key}`).not.toBe(id.replace(/^staff:/, ''));
      expect((words.errors as Tree)[id.replace(/^staff:errors\./, '')], `${lng}: ${key}`).toMatch(/\S/);
    }
  });

  it('translates by key: the same English text without a key stays core text, an unknown key is the generic message', async () => {
    const t = await staffT('ru');
    expect(
      errorText(t, new KioskError('unauthenticated', 'Wrong username, password or code', 'staff.wrong-credentials')),
    ).toBe(t('staff:errors.wrongCredentials'));
    // Text that once matched a pattern: a key problem whose words say "does not match" is not an IIN mismatch.
    const keyProblem = 'Not provisioned: The device key in /data/device.key does not match its public key.';
    expect(errorText(t, new KioskError('failed', keyProblem))).toBe(keyProblem);
    expect(errorText(t, new KioskError('failed', 'Too many wrong attempts: locked', 'no-such-key'))).toBe(
      t('staff:errors.generic'),
    );
    expect(errorText(t, new Error('boom'))).toBe(t('staff:errors.generic'));
  });
});

describe('staff screens: a core error reaches its translation', () => {
  let dir: string;
  let core: Core;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-staff-errors-'));
    await seedStaff(dir, [{ username: 'aigerim', role: 'reception' }]);
    core = await createCore({ dataDir: dir, developmentKeys: true, config: defaultConfig });
  });
  afterAll(async () => {
    await core?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a wrong password and then the lockout are shown in each language, in English with the same words as before', async () => {
    const login = () =>
      core.router.call(
        'staff.login',
        { username: 'aigerim', password: 'not-the-password', code: '000000' },
        { transport: 'test' },
      );
    const wrong = asKioskError(await login());
    expect(wrong.key).toBe('staff.wrong-credentials');
    for (let i = 1; i < defaultConfig.staff.maxFailures - 1; i++) await login();
    const locked = asKioskError(await login());
    expect(locked.key).toBe('staff.locked');
    for (const lng of languages) {
      const t = await staffT(lng);
      const errors = staffWords(lng).errors as Tree;
      expect(errorText(t, wrong), lng).toBe(errors.wrongCredentials);
      expect(errorText(t, locked), lng).toBe(errors.locked);
      // The key, not the wording, chooses the translation: core may reword its English freely.
      expect(errorText(t, new KioskError(wrong.code, 'Reworded by core', wrong.key)), lng).toBe(
        errors.wrongCredentials,
      );
    }
    const en = await staffT('en');
    expect(errorText(en, wrong)).toBe('Wrong username, password or code.');
    expect(errorText(en, locked)).toBe(
      'Too many wrong attempts: this account is locked for a while. An admin can unlock it.',
    );
  });
});
