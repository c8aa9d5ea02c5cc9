// The spoken guidance clips: the shipped ones (every message key, every language, small), and the
// checks a clinic's own recording in <data>/voice must pass (format, duration, size).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { voiceCheckCommand } from '../../tools/kioskctl/commands/voice-check.js';
import { checkOgg } from '../../electron/core/patient/voice/ogg.js';
import { createVoiceLibrary, defaultVoiceDir, overrideLimits } from '../../electron/core/patient/voice/library.js';
import { projectRoot } from '../../tools/harness/fixtures.js';

const locales = join(projectRoot, 'renderer/src/i18n/locales');
const shipped = defaultVoiceDir();

function encode(file: string, seconds: number, codec: 'libopus' | 'libvorbis', extra: string[] = []): void {
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=330:duration=${seconds}`,
    '-ac',
    '1',
    '-c:a',
    codec,
    ...extra,
    file,
  ]);
}

describe('shipped clips (npm run make-voice)', () => {
  it('exist for every presence instruction and voice prompt in kk, ru and en, none stale', () => {
    const r = spawnSync(process.execPath, [join(projectRoot, 'tools/make-voice.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    for (const lang of ['kk', 'ru', 'en']) {
      const keys = ['presence', 'voice'].flatMap((ns) =>
        Object.keys(JSON.parse(readFileSync(join(locales, lang, `${ns}.json`), 'utf8')) as object).map(
          (k) => `${ns}.${k}.ogg`,
        ),
      );
      expect(readdirSync(join(shipped, lang)).sort()).toEqual(keys.sort());
    }
  });

  it('are mono Ogg Opus prompts of a few seconds, under 2 MB together', () => {
    let total = 0;
    for (const lang of ['kk', 'ru', 'en']) {
      for (const name of readdirSync(join(shipped, lang))) {
        const bytes = readFileSync(join(shipped, lang, name));
        total += bytes.length;
        const checked = checkOgg(bytes);
        expect(checked, `${lang}/${name}`).toMatchObject({ ok: true, audio: { codec: 'opus', channels: 1 } });
        if (checked.ok) expect(checked.audio.durationSec, `${lang}/${name}`).toBeLessThanOrEqual(overrideLimits.maxSec);
      }
    }
    expect(total).toBeLessThan(2 * 1024 * 1024);
  });
});

describe('a clinic’s recording', () => {
  let dir: string;
  let warnings: string[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-voice-'));
    mkdirSync(join(dir, 'voice', 'ru'), { recursive: true });
    warnings = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const library = () => createVoiceLibrary({ dataDir: dir, warn: (m) => warnings.push(m) });
  const override = (name: string) => join(dir, 'voice', 'ru', name);

  it('in Opus or Vorbis replaces the shipped clip of that key; its duration is measured', () => {
    encode(override('presence.turnLeft.ogg'), 2, 'libopus');
    encode(override('presence.turnRight.ogg'), 3, 'libvorbis');
    const lib = library();
    expect(lib.clip('ru', 'presence.turnLeft')).toMatchObject({ source: 'clinic' });
    expect(lib.clip('ru', 'presence.turnRight')).toMatchObject({ source: 'clinic' });
    expect(lib.clip('kk', 'presence.turnLeft')).toMatchObject({ source: 'bundled' });
    const report = Object.fromEntries(lib.overrides().map((o) => [o.key, o]));
    expect(report['presence.turnLeft']!.audio!.durationSec).toBeCloseTo(2, 1);
    expect(report['presence.turnRight']!.audio).toMatchObject({ codec: 'vorbis' });
    expect(report['presence.turnRight']!.audio!.durationSec).toBeCloseTo(3, 1);
    expect(warnings).toEqual([]);
  });

  it('is refused, with the reason, when too long, too short, too large, not Ogg, damaged, cut off, video, a link or of no known key', () => {
    encode(override('voice.identify.ogg'), 12, 'libopus');
    encode(override('voice.consent.ogg'), 0.1, 'libopus');
    writeFileSync(override('voice.camera.ogg'), Buffer.alloc(overrideLimits.maxBytes + 1, 1));
    writeFileSync(override('voice.decline.ogg'), 'RIFF....WAVEfmt not ogg at all');
    encode(override('voice.ticket.ogg'), 2, 'libopus');
    const damaged = readFileSync(override('voice.ticket.ogg'));
    damaged[damaged.length - 10] = damaged[damaged.length - 10]! ^ 0xff;
    writeFileSync(override('voice.ticket.ogg'), damaged);
    encode(override('voice.attract.ogg'), 2, 'libopus');
    const whole = readFileSync(override('voice.attract.ogg'));
    writeFileSync(override('voice.attract.ogg'), whole.subarray(0, Math.floor(whole.length / 2)));
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=duration=2',
      '-f',
      'lavfi',
      '-i',
      'testsrc=duration=2:size=64x64',
      '-c:a',
      'libopus',
      '-c:v',
      'libtheora',
      override('voice.failedTry.ogg'),
    ]);
    symlinkSync(join(shipped, 'ru', 'voice.helpComing.ogg'), override('voice.helpComing.ogg'));
    encode(override('voice.noSuchPrompt.ogg'), 1, 'libopus');
    writeFileSync(override('notes.txt'), 'recorded by Aigul');

    const lib = library();
    const problems = Object.fromEntries(lib.overrides().map((o) => [o.key, o.used ? 'used' : o.problem]));
    expect(problems).toEqual({
      'voice.identify': expect.stringMatching(/^lasts 12\.0 s; a prompt must last 0\.3–10 s$/),
      'voice.consent': expect.stringMatching(/^lasts 0\.1 s/),
      'voice.camera': expect.stringMatching(/^too large: 262145 bytes, at most 262144$/),
      'voice.decline': expect.stringMatching(/not an Ogg file$/),
      'voice.ticket': expect.stringMatching(/checksum error in the Ogg page at byte \d+$/),
      'voice.attract': expect.stringMatching(/cut off/),
      'voice.failedTry': expect.stringMatching(/more than one stream/),
      'voice.helpComing': expect.stringMatching(/not a regular file/),
      'voice.noSuchPrompt': expect.stringMatching(/no message has this name/),
      'notes.txt': expect.stringMatching(/not an \.ogg file/),
    });
    // Each refused file plays the shipped clip instead, and IT is told once why.
    for (const key of [
      'voice.identify',
      'voice.consent',
      'voice.camera',
      'voice.decline',
      'voice.ticket',
      'voice.attract',
      'voice.failedTry',
      'voice.helpComing',
    ]) {
      expect(lib.clip('ru', key), key).toMatchObject({ source: 'bundled' });
      expect(lib.clip('ru', key), key).toMatchObject({ source: 'bundled' });
    }
    expect(warnings).toHaveLength(8);
    expect(warnings[0]).toMatch(
      /^voice: the clinic recording .*voice\.identify\.ogg is not used: lasts 12\.0 s.*The kiosk's own clip plays instead\.$/,
    );
    expect(statSync(override('voice.identify.ogg')).isFile()).toBe(true);
  });

  it('names only keys the kiosk has: no path, no other file', () => {
    const lib = library();
    for (const key of [
      '../kelu',
      'presence/../../etc/passwd',
      'presence.turnLeft.ogg',
      'voice.',
      'staff.title',
      'presence.noSuchKey',
    ])
      expect(lib.clip('ru', key), key).toBeNull();
  });

  it('kioskctl voice-check tells IT which files are used and why the others are refused', async () => {
    encode(override('presence.turnLeft.ogg'), 2, 'libopus');
    writeFileSync(override('presence.turnRight.ogg'), 'not audio');
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      expect(await voiceCheckCommand.run(['--data-dir', dir])).toBe(1);
    } finally {
      log.mockRestore();
    }
    expect(lines).toEqual([
      expect.stringMatching(/^used +.*presence\.turnLeft\.ogg \(opus, 2\.0 s\)$/),
      expect.stringMatching(
        /^REFUSED +.*presence\.turnRight\.ogg: not a usable Ogg Opus\/Vorbis file: not an Ogg file$/,
      ),
    ]);
  });
});
