#!/usr/bin/env node
// Makes the kiosk's spoken guidance: one Ogg Opus clip per message key and language, from the
// translation files, with Debian's offline synthesiser (espeak-ng) and ffmpeg.
//
//   npm run make-voice              # (re)make resources/voice/<lang>/<ns>.<key>.ogg for every key
//   npm run make-voice -- --check   # only check that every key has its clip (no synthesiser needed)
//
// Voiced namespaces: `presence` (every instruction the presence policy can give, so a new key in
// presence.json needs only a re-run) and `voice` (each screen's spoken title and main action, the
// results, "staff are coming"). Clips of keys no longer in the files are deleted.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const localesDir = join(root, 'renderer/src/i18n/locales');
const outDir = join(root, 'resources/voice');
const namespaces = ['presence', 'voice'];
/** espeak-ng voice per kiosk language (espeak-ng --voices). */
const voices = { kk: 'kk', ru: 'ru', en: 'en' };
/** Words per minute: a little slower than espeak's default 175, for elderly listeners. */
const speed = '150';
const check = process.argv.includes('--check');

function keysOf(lang) {
  const out = [];
  for (const ns of namespaces) {
    const strings = JSON.parse(readFileSync(join(localesDir, lang, `${ns}.json`), 'utf8'));
    for (const [key, text] of Object.entries(strings)) {
      if (typeof text !== 'string') throw new Error(`${lang}/${ns}.json: "${key}" must be a plain string to be spoken`);
      if (!/^[A-Za-z][A-Za-z0-9]{0,47}$/.test(key)) throw new Error(`${lang}/${ns}.json: "${key}" is not a usable clip name`);
      out.push({ name: `${ns}.${key}`, text });
    }
  }
  return out;
}

function synthesise(lang, text, file, scratch) {
  const wav = join(scratch, 'clip.wav');
  execFileSync('espeak-ng', ['-v', voices[lang], '-s', speed, '-w', wav, '--stdin'], { input: text });
  execFileSync('ffmpeg', [
    '-loglevel', 'error', '-y', '-i', wav,
    '-ac', '1', '-ar', '16000', '-c:a', 'libopus', '-b:a', '16k', '-application', 'voip',
    '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact', file,
  ]);
}

let missing = 0;
let total = 0;
let bytes = 0;
const scratch = check ? '' : mkdtempSync(join(tmpdir(), 'kelu-voice-'));
try {
  for (const lang of Object.keys(voices)) {
    const dir = join(outDir, lang);
    mkdirSync(dir, { recursive: true });
    const keys = keysOf(lang);
    const wanted = new Set(keys.map((k) => `${k.name}.ogg`));
    for (const { name, text } of keys) {
      const file = join(dir, `${name}.ogg`);
      if (check) {
        if (!existsSync(file)) {
          console.error(`missing: ${lang}/${name}.ogg ("${text}")`);
          missing++;
        }
      } else {
        synthesise(lang, text, file, scratch);
      }
      if (existsSync(file)) bytes += statSync(file).size;
      total++;
    }
    for (const name of readdirSync(dir)) {
      if (wanted.has(name)) continue;
      if (check) {
        console.error(`stale: ${lang}/${name} (no such key in the translation files)`);
        missing++;
      } else rmSync(join(dir, name));
    }
  }
} finally {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
console.log(`${total} clips in ${Object.keys(voices).length} languages, ${(bytes / 1024).toFixed(0)} KiB in resources/voice${missing ? `; ${missing} missing or stale` : ''}`);
process.exit(missing ? 1 : 0);
