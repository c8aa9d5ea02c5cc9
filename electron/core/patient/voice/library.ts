import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { shippedDir } from '../../platform/resources.js';
import { checkOgg, type OggAudio } from './ogg.js';
import { pinnedClips } from './pinned-clips.js';
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

/**
 * Reads a clinic recording without following links and without trusting a name twice (issue 17
 * item 14): opened O_NOFOLLOW, judged by fstat of the descriptor (a regular file, at most
 * `maxBytes`), at most `maxBytes` read from it; its folders (`voice/` and `voice/<lang>/`) must not
 * be links, checked before and after the open, and the name must still be the file opened.
 */
function readOverride(
  path: string,
  folders: readonly string[],
): { ok: true; data: Uint8Array<ArrayBuffer> } | { ok: false; problem: string } {
  const foldersReal = () =>
    folders.every((d) => {
      try {
        const st = lstatSync(d);
        return st.isDirectory() && !st.isSymbolicLink();
      } catch {
        return false;
      }
    });
  if (!foldersReal()) return { ok: false, problem: 'its folder is a link or not a folder (links are not followed)' };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    return {
      ok: false,
      problem:
        (err as NodeJS.ErrnoException).code === 'ELOOP'
          ? 'not a regular file (links are not followed)'
          : 'cannot be read',
    };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, problem: 'not a regular file (links are not followed)' };
    if (st.size > overrideLimits.maxBytes)
      return { ok: false, problem: `too large: ${st.size} bytes, at most ${overrideLimits.maxBytes}` };
    const named = lstatSync(path);
    if (!foldersReal() || named.ino !== st.ino || named.dev !== st.dev)
      return { ok: false, problem: 'the file changed while it was read' };
    const data = new Uint8Array(overrideLimits.maxBytes + 1);
    let got = 0;
    for (let n = 1; n > 0 && got < data.length; got += n) n = readSync(fd, data, got, data.length - got, null);
    if (got > overrideLimits.maxBytes)
      return { ok: false, problem: `too large: more than ${overrideLimits.maxBytes} bytes` };
    return { ok: true, data: data.slice(0, got) };
  } finally {
    closeSync(fd);
  }
}

/** Judges one clinic recording; `bundled` says whether the kiosk has a message with that key. */
export function judgeOverride(
  path: string,
  bundled: boolean,
  folders: readonly string[] = [dirname(dirname(path)), dirname(path)],
): { ok: true; data: Uint8Array<ArrayBuffer>; audio: OggAudio } | { ok: false; problem: string } {
  if (!bundled) return { ok: false, problem: 'no message has this name (see resources/voice/<lang>/ for the names)' };
  const read = readOverride(path, folders);
  if (!read.ok) return read;
  const data = read.data;
  const checked = checkOgg(data);
  if (!checked.ok) return { ok: false, problem: `not a usable Ogg Opus/Vorbis file: ${checked.problem}` };
  const { durationSec } = checked.audio;
  if (durationSec < overrideLimits.minSec || durationSec > overrideLimits.maxSec) {
    return {
      ok: false,
      problem: `lasts ${durationSec.toFixed(1)} s; a prompt must last ${overrideLimits.minSec}–${overrideLimits.maxSec} s`,
    };
  }
  return { ok: true, data, audio: checked.audio };
}

export interface VoiceLibrary {
  /** The clip to play, or null when there is none for this key. */
  clip(lang: VoiceLanguage, key: string): Clip | null;
  /** Every file in the clinic's override folder, with whether it is used and why not. */
  overrides(): OverrideReport[];
}

export function createVoiceLibrary(options: {
  dataDir: string;
  bundledDir?: string;
  warn?: (message: string) => void;
}): VoiceLibrary {
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
      // Shipped clips play only as shipped (hash-pinned in core: issue 17 item 14).
      const data = new Uint8Array(readFileSync(bundledPath(lang, key)));
      const pinned = pinnedClips[`${lang}/${key}.ogg`];
      if (!pinned || createHash('sha256').update(data).digest('hex') !== pinned) {
        const message = `voice: the shipped clip ${bundledPath(lang, key)} does not match the hash pinned in the app; it is not played.`;
        if (!warned.has(message)) {
          warned.add(message);
          warn(message);
        }
        return null;
      }
      return { source: 'bundled', data };
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
          out.push(
            judged.ok
              ? { file, lang, key, used: true, audio: judged.audio }
              : { file, lang, key, used: false, problem: judged.problem },
          );
        }
      }
      return out;
    },
  };
}
