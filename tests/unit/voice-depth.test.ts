// Issue 17 item 14: a clinic's voice override is opened without following links (the file or its
// folders), bounded by what is read and by the audio actually in it, and the shipped clips are
// hash-pinned.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkOgg } from '../../electron/core/patient/voice/ogg.js';
import { createVoiceLibrary, defaultVoiceDir } from '../../electron/core/patient/voice/library.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kelu-voice-depth-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const encode = (file: string, seconds: number) =>
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
    'libopus',
    '-b:a',
    '6k',
    file,
  ]);

/** Rewrites every page's granule position to at most `cap` samples and fixes the page checksums. */
function understateGranules(bytes: Uint8Array, cap: bigint): Uint8Array {
  const out = new Uint8Array(bytes);
  const view = new DataView(out.buffer);
  const table = new Uint32Array(256).map((_, i) => {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    return r >>> 0;
  });
  let at = 0;
  while (at < out.length) {
    const segments = out[at + 26]!;
    let body = 0;
    for (let i = 0; i < segments; i++) body += out[at + 27 + i]!;
    const end = at + 27 + segments + body;
    const g = view.getBigInt64(at + 6, true);
    if (g > cap) view.setBigInt64(at + 6, cap, true);
    view.setUint32(at + 22, 0, true);
    let crc = 0;
    for (let i = at; i < end; i++) crc = ((crc << 8) ^ table[((crc >>> 24) ^ out[i]!) & 0xff]!) >>> 0;
    view.setUint32(at + 22, crc, true);
    at = end;
  }
  return out;
}

describe('issue 17 item 14: voice overrides at depth', () => {
  it('a language folder that is a link to somewhere else is not used', () => {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    encode(join(elsewhere, 'presence.turnLeft.ogg'), 2);
    mkdirSync(join(dir, 'data', 'voice'), { recursive: true });
    symlinkSync(elsewhere, join(dir, 'data', 'voice', 'ru'));
    const lib = createVoiceLibrary({ dataDir: join(dir, 'data'), warn: () => undefined });
    expect(lib.clip('ru', 'presence.turnLeft')?.source).toBe('bundled');
  });

  it('a stream that declares 2 s but holds two minutes of audio is refused', () => {
    const file = join(dir, 'long.ogg');
    encode(file, 120);
    const honest = checkOgg(readFileSync(file));
    expect(honest).toMatchObject({ ok: true });
    const lying = understateGranules(readFileSync(file), 96_000n);
    const checked = checkOgg(lying);
    expect(checked.ok && checked.audio.durationSec < 100).toBe(false);
    mkdirSync(join(dir, 'data', 'voice', 'ru'), { recursive: true });
    writeFileSync(join(dir, 'data', 'voice', 'ru', 'presence.turnLeft.ogg'), lying);
    const lib = createVoiceLibrary({ dataDir: join(dir, 'data'), warn: () => undefined });
    expect(lib.clip('ru', 'presence.turnLeft')?.source).toBe('bundled');
  });

  it('a shipped clip that was changed is not played', () => {
    const bundledDir = join(dir, 'voice');
    cpSync(defaultVoiceDir(), bundledDir, { recursive: true });
    const lib = () => createVoiceLibrary({ dataDir: join(dir, 'data'), bundledDir, warn: () => undefined });
    expect(lib().clip('en', 'presence.turnLeft')?.source).toBe('bundled');
    encode(join(bundledDir, 'en', 'presence.turnLeft.ogg'), 2);
    expect(lib().clip('en', 'presence.turnLeft')).toBeNull();
  });
});
