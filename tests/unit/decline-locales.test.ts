import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejectionReasons } from '../../electron/core/patient/decline/payload.js';

/** Every decline string exists in Kazakh, Russian and English, with each language's plural forms. */
const dir = join(import.meta.dirname, '../../renderer/src/i18n/locales');
const load = (lng: string) =>
  JSON.parse(readFileSync(join(dir, lng, 'decline.json'), 'utf8')) as Record<string, unknown>;

function keys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

/** A key without its plural suffix, so "_one/_few/_many/_other" compare as one. */
const base = (k: string) => k.replace(/_(zero|one|two|few|many|other)$/, '');

describe('decline translations', () => {
  const langs = ['kk', 'ru', 'en'] as const;
  const all = Object.fromEntries(langs.map((l) => [l, keys(load(l))])) as Record<(typeof langs)[number], string[]>;

  it('have the same strings in kk, ru and en, none empty', () => {
    const en = new Set(all.en.map(base));
    for (const l of langs) {
      expect(new Set(all[l].map(base)), l).toEqual(en);
      for (const k of all[l])
        expect(
          k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], load(l)),
          `${l}:${k}`,
        ).not.toBe('');
    }
  });

  it('have every plural form each language needs for counted strings', () => {
    for (const l of langs) {
      const forms = new Intl.PluralRules(l).resolvedOptions().pluralCategories;
      for (const counted of ['problem.attemptsLeft', 'code.entered']) {
        for (const f of forms) expect(all[l], `${l}: ${counted}_${f}`).toContain(`${counted}_${f}`);
      }
    }
  });

  it('explain every rejection reason core can give', () => {
    for (const l of langs)
      for (const r of rejectionReasons) expect(all[l], `${l}: problem.${r}`).toContain(`problem.${r}`);
  });
});
