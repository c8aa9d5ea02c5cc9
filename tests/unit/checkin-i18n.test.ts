// The patient screens' words: every key in every language, real translations (not English left in
// place), and a translation for every instruction the presence policy can give.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { presenceMessageKeys } from '../../electron/core/presence/messages.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

const langs = ['kk', 'ru', 'en'] as const;
const namespaces = ['common', 'checkin', 'presence'] as const;
type Tree = { [key: string]: string | Tree };

const load = (lng: string, ns: string): Tree =>
  JSON.parse(readFileSync(join(projectRoot, 'renderer', 'src', 'i18n', 'locales', lng, `${ns}.json`), 'utf8')) as Tree;

/** Flattened keys with plural suffixes folded (`hint_one`, `hint_few` → `hint`). */
function keys(tree: Tree, prefix = ''): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') {
      const base = path.replace(/_(zero|one|two|few|many|other)$/, '');
      out.set(base, [...(out.get(base) ?? []), v]);
    } else for (const [kk, vv] of keys(v, path)) out.set(kk, vv);
  }
  return out;
}

describe('patient-screen translations', () => {
  for (const ns of namespaces) {
    it(`${ns}: the same keys in kk, ru and en, none empty, none left in English`, () => {
      const en = keys(load('en', ns));
      for (const lng of ['kk', 'ru'] as const) {
        const other = keys(load(lng, ns));
        expect([...other.keys()].sort()).toEqual([...en.keys()].sort());
        for (const [key, values] of other) {
          for (const v of values) expect(v.trim(), `${lng}/${ns}:${key}`).not.toBe('');
          // Language names and digit-only strings aside, a translation differs from the English.
          if (key !== 'languageName') expect(values, `${lng}/${ns}:${key} is still English`).not.toEqual(en.get(key));
        }
      }
    });
  }

  it('Russian plurals have one, few and many forms', () => {
    const ru = load('ru', 'common') as { idle: Tree };
    expect(
      Object.keys(ru.idle)
        .filter((k) => k.startsWith('countdown_'))
        .sort(),
    ).toEqual(['countdown_few', 'countdown_many', 'countdown_one', 'countdown_other']);
  });

  it('every instruction of the presence policy is translated in every language', () => {
    for (const lng of langs) {
      const words = load(lng, 'presence');
      for (const key of presenceMessageKeys)
        expect(words[key.replace(/^presence\./, '')], `${lng}: ${key}`).toBeTypeOf('string');
    }
  });

  it('every IIN problem core can answer has words', async () => {
    const { iinProblems } = await import('../../electron/core/patient/checkin/contract.js');
    for (const lng of langs) {
      const checkin = keys(load(lng, 'checkin'));
      for (const p of iinProblems) expect(checkin.has(`identify.problem.${p}`), `${lng}: ${p}`).toBe(true);
    }
  });
});
