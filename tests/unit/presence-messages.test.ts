import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presenceMessageKeys } from '../../electron/core/presence/index.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

describe('presence instructions', () => {
  it.each(['kk', 'ru', 'en'])('has words for every instruction the policy can give, in %s', (lang) => {
    const file = join(projectRoot, 'renderer', 'src', 'i18n', 'locales', lang, 'presence.json');
    const words = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const missing = presenceMessageKeys.filter((key) => {
      const text = words[key.replace(/^presence\./, '')];
      return typeof text !== 'string' || text.trim() === '';
    });
    expect(missing).toEqual([]);
  });
});
