import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../electron/core/platform/config/schema.js';
import { createCore } from '../../electron/core/kiosk.js';

describe('configuration', () => {
  it('runs with no file: the embedded default is offline with the head-turn challenge on', () => {
    expect(defaultConfig.sync.upstreamUrl).toBe('');
    expect(defaultConfig.presence.challenge).toBe('head-turn');
  });

  it('takes a partial clinic file and keeps the other defaults', () => {
    const c = parseConfig({ presence: { challenge: 'off' } });
    expect(c.presence.challenge).toBe('off');
    expect(c.ui.inactivityMs).toBe(defaultConfig.ui.inactivityMs);
  });

  it('answers a wrong value and an unknown key with a message naming both', () => {
    expect(() => parseConfig({ presence: { challenge: 'blink' }, colour: 'red' }, 'kiosk.json')).toThrow(
      /kiosk\.json is not valid: presence\.challenge: .*Unrecognized key.*colour/,
    );
  });

  it('ui: voice on by default; the ticket text per language is the clinic’s, checked, absent by default', () => {
    expect(defaultConfig.ui).toMatchObject({ voice: 'on', voiceVolume: 0.8, ticketMessage: {} });
    const c = parseConfig({
      ui: { voice: 'off', voiceVolume: 0.5, ticketMessage: { ru: '  Пройдите в кабинет 12.  ' } },
    });
    expect(c.ui).toMatchObject({ voice: 'off', voiceVolume: 0.5, ticketMessage: { ru: 'Пройдите в кабинет 12.' } });
    expect(() => parseConfig({ ui: { voice: 'loud' } })).toThrow(/ui\.voice/);
    expect(() => parseConfig({ ui: { voiceVolume: 2 } })).toThrow(/ui\.voiceVolume/);
    expect(() => parseConfig({ ui: { ticketMessage: { de: 'Bitte warten' } } })).toThrow(
      /ui\.ticketMessage\.de: Unrecognized key/,
    );
    expect(() => parseConfig({ ui: { ticketMessage: { en: '' } } })).toThrow(/ui\.ticketMessage\.en/);
    expect(() => parseConfig({ ui: { ticketMessage: { en: 'x'.repeat(241) } } })).toThrow(/ui\.ticketMessage\.en/);
    expect(() => parseConfig({ ui: { ticketMessage: { en: 'Room 12\u0007\nor 13' } } })).toThrow(
      /ui\.ticketMessage\.en: one line of plain text/,
    );
  });
});

describe('router', () => {
  it('refuses unknown methods and bad input with a clear message', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kelu-config-router-'));
    const core = await createCore({ dataDir, config: defaultConfig });
    expect(await core.router.call('nope', {}, { transport: 'test' })).toMatchObject({
      ok: false,
      error: { code: 'unknown-method' },
    });
    expect(await core.router.call('system.info', { extra: 1 }, { transport: 'test' })).toMatchObject({
      ok: false,
      error: { code: 'bad-input' },
    });
    const info = await core.router.call('system.info', {}, { transport: 'test' });
    expect(info).toMatchObject({ ok: true, value: { languages: ['kk', 'ru', 'en'] } });
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('strict configuration at every depth (issue 11 item 12)', () => {
  it('refuses a misspelt key inside a section, naming its full path', () => {
    expect(() => parseConfig({ sync: { upstreamUrll: 'https://mis.example' } }, 'kiosk.json')).toThrow(
      /kiosk\.json is not valid: sync\.upstreamUrll: Unrecognized key/,
    );
  });

  it('refuses unknown keys in every object of the schema, at any depth (sections added later too)', () => {
    // Every object in the embedded default is an object of the schema: walk them all.
    const paths: string[][] = [];
    const walk = (value: unknown, path: string[]) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      if (path.length > 0) paths.push(path);
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    };
    walk(defaultConfig, []);
    expect(paths.length).toBeGreaterThanOrEqual(7);
    for (const path of paths) {
      const input = path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), { notASetting: 1 });
      expect(() => parseConfig(input), path.join('.')).toThrow(`${path.join('.')}.notASetting: Unrecognized key`);
    }
  });
});
