import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shippedDir } from '../../platform/resources.js';
import { checkOgg, type OggAudio } from './ogg.js';
import { languages } from '../../../shared/vocabulary/languages.js';

/**
 * Spoken guidance clips: one Ogg file per language and message key. The kiosk ships
 * `resources/voice/<lang>/<key>.ogg` (made by `npm run make-voice` with espeak-ng); a clinic may
 * replace any of them with its own recording in `<data>/voice/<lang>/<key>.ogg`, which is used only
 * if it passes the checks below (else the shipped clip plays and IT is told why).
 */

/** The voice clips come in every language the kiosk speaks. */
export const voiceLanguages = languages;
export type VoiceLanguage = (typeof voiceLanguages)[number];
/** A message key: the translation's namespace and key (`presence.turnLeft`, `voice.identify`). */
export const voiceKeyPattern = /^(presence|voice)\.[A-Za-z][A-Za-z0-9]{0,47}$/;

/** Limits for a clinic's recording: a short prompt, small enough to load at once. */
export const overrideLimits = { maxBytes: 256 * 1024, minSec: 0.3, maxSec: 10 } as const;

export interface Clip {
  source: 'clinic' | 'bundled';
  data: Uint8Array<ArrayBuffer>;
}

export interface OverrideReport {
  file: string;
  lang: string;
  key: string;
  used: boolean;
  /** Why the kiosk refuses the file (when not used). */
  problem?: string;
  audio?: OggAudio;
}

export const defaultVoiceDir = (): string => shippedDir('voice');

/** Judges one clinic recording; `bundled` says whether the kiosk has a message with that key. */
export function judgeOverride(path: string, bundled: boolean): { ok: true; data: Uint8Array<ArrayBuffer>; audio: OggAudio } | { ok: false; problem: string } {
  if (!bundled) return { ok: false, problem: 'no message has this name (see resources/voice/<lang>/ for the names)' };
  const stat = lstatSync(path);
  if (!stat.isFile()) return { ok: false, problem: 'not a regular file (links are not followed)' };
  if (stat.size > overrideLimits.maxBytes) return { ok: false, problem: `too large: ${stat.size} bytes, at most ${overrideLimits.maxBytes}` };
  const data = new Uint8Array(readFileSync(path));
  const checked = checkOgg(data);
  if (!checked.ok) return { ok: false, problem: `not a usable Ogg Opus/Vorbis file: ${checked.problem}` };
  const { durationSec } = checked.audio;
  if (durationSec < overrideLimits.minSec || durationSec > overrideLimits.maxSec) {
    return { ok: false, problem: `lasts ${durationSec.toFixed(1)} s; a prompt must last ${overrideLimits.minSec}–${overrideLimits.maxSec} s` };
  }
  return { ok: true, data, audio: checked.audio };
}

export interface VoiceLibrary {
  /** The clip to play, or null when there is none for this key. */
  clip(lang: VoiceLanguage, key: string): Clip | null;
  /** Every file in the clinic's override folder, with whether it is used and why not. */
  overrides(): OverrideReport[];
}

export function createVoiceLibrary(options: { dataDir: string; bundledDir?: string; warn?: (message: string) => void }): VoiceLibrary {
  const bundledDir = options.bundledDir ?? defaultVoiceDir();
  const overrideDir = join(options.dataDir, 'voice');
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const warned = new Set<string>();
  const bundledPath = (lang: string, key: string) => join(bundledDir, lang, `${key}.ogg`);
  const isBundled = (lang: string, key: string) => voiceKeyPattern.test(key) && existsSync(bundledPath(lang, key));

  function clinicClip(lang: VoiceLanguage, key: string): Uint8Array<ArrayBuffer> | null {
    const path = join(overrideDir, lang, `${key}.ogg`);
    if (!existsSync(path)) return null;
    const judged = judgeOverride(path, true);
    if (judged.ok) return judged.data;
    const message = `voice: the clinic recording ${path} is not used: ${judged.problem}. The kiosk's own clip plays instead.`;
    if (!warned.has(message)) {
      warned.add(message);
      warn(message);
    }
    return null;
  }

  return {
    clip(lang, key) {
      if (!voiceLanguages.includes(lang) || !isBundled(lang, key)) return null;
      const clinic = clinicClip(lang, key);
      if (clinic) return { source: 'clinic', data: clinic };
      return { source: 'bundled', data: new Uint8Array(readFileSync(bundledPath(lang, key))) };
    },
    overrides() {
      const out: OverrideReport[] = [];
      if (!existsSync(overrideDir)) return out;
      for (const lang of readdirSync(overrideDir).sort()) {
        const langDir = join(overrideDir, lang);
        if (!(voiceLanguages as readonly string[]).includes(lang) || !lstatSync(langDir).isDirectory()) {
          out.push({ file: langDir, lang, key: '', used: false, problem: 'not a language folder (kk, ru or en)' });
          continue;
        }
        for (const name of readdirSync(langDir).sort()) {
          const file = join(langDir, name);
          const key = name.replace(/\.ogg$/, '');
          if (!name.endsWith('.ogg')) {
            out.push({ file, lang, key, used: false, problem: 'not an .ogg file' });
            continue;
          }
          const judged = judgeOverride(file, isBundled(lang, key));
          out.push(judged.ok ? { file, lang, key, used: true, audio: judged.audio } : { file, lang, key, used: false, problem: judged.problem });
        }
      }
      return out;
    },
  };
}
