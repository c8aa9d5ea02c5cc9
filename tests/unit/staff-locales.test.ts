import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../tools/harness/fixtures.js';

type Tree = { [k: string]: string | Tree };
const load = (lng: string): Tree =>
  JSON.parse(readFileSync(join(projectRoot, 'renderer/src/i18n/locales', lng, 'staff.json'), 'utf8')) as Tree;
const flat = (t: Tree, prefix = ''): Record<string, string> =>
  Object.fromEntries(
    Object.entries(t).flatMap(([k, v]) =>
      typeof v === 'string' ? [[prefix + k, v]] : Object.entries(flat(v, `${prefix}${k}.`)),
    ),
  );
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('staff screens translations', () => {
  const en = flat(load('en'));
  it.each(['kk', 'ru'])('%s has every English key, no empty text, and the same placeholders', (lng) => {
    const other = flat(load(lng));
    expect(Object.keys(other).sort()).toEqual(Object.keys(en).sort());
    for (const [k, v] of Object.entries(other)) {
      expect(v.trim(), `${lng}:${k}`).not.toBe('');
      expect(placeholders(v), `${lng}:${k}`).toEqual(placeholders(en[k]!));
    }
  });

  it('has every literal key the staff screens use', () => {
    const dir = join(projectRoot, 'renderer/src/screens/staff');
    const used = new Set<string>();
    for (const f of readdirSync(dir).filter((n) => /\.tsx?$/.test(n))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\bt\('(?:staff:)?([\w.-]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    for (const k of used) expect(Object.keys(en), k).toContain(k);
  });
});
