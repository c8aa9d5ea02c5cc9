// Issue 19: the IT screen's enrolment form says every refusal core can answer in kk, ru and en,
// with the same placeholders (the hub's own reason goes in `{{reason}}`).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enrolRefusals } from '../../electron/core/delivery/sync/contract.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

type Tree = { [k: string]: string | Tree };
const enrolWords = (lng: string): Record<string, string> => {
  const setup = JSON.parse(
    readFileSync(join(projectRoot, 'renderer/src/i18n/locales', lng, 'setup.json'), 'utf8'),
  ) as Tree;
  const flat = (t: Tree, prefix = ''): Array<[string, string]> =>
    Object.entries(t).flatMap(([k, v]) => (typeof v === 'string' ? [[prefix + k, v]] : flat(v, `${prefix}${k}.`)));
  return Object.fromEntries(flat(setup.enrol as Tree));
};
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('the enrolment form’s words', () => {
  const en = enrolWords('en');
  it('has words for every refusal core answers', () => {
    for (const r of enrolRefusals) expect(Object.keys(en), r).toContain(`refusal.${r}`);
    expect(en['refusal.refused']).toContain('{{reason}}');
  });
  it.each(['kk', 'ru'])('%s has every English key, real text, and the same placeholders', (lng) => {
    const other = enrolWords(lng);
    expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(other)) {
      expect(v.trim(), `${lng}:${k}`).not.toBe('');
      if (!/^(url|token)$/.test(k)) expect(v, `${lng}:${k}`).not.toBe(en[k]);
      expect(placeholders(v), `${lng}:${k}`).toEqual(placeholders(en[k]!));
    }
  });
});
