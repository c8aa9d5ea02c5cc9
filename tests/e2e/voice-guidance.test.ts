// Spoken guidance end to end: the built renderer in Debian Chromium through the browser host (which
// runs Chromium with --mute-audio: the test watches the kiosk's one audio element — which clip, in
// which language, from where — and its play and end events, never the sound), the real core and
// face engine, a fake camera playing real recordings of people turning their heads.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import { totpNow } from '../../electron/core/staff/accounts/totp.js';
import { startTestKiosk, type TestKiosk } from '../../tools/harness/browser.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { writeFramedHeadTurn } from '../support/head-turn.js';
import { voiceTiming } from '../../renderer/src/components/voice-player.js';
import { seedStaff, type SeededPerson } from '../../tools/harness/staff.js';
import { validIin } from '../../tools/harness/checkin.js';

type Lang = 'kk' | 'ru' | 'en';
type Strings = Record<string, Record<string, string>>;
const locale = (lang: Lang, ns: string) =>
  JSON.parse(readFileSync(join(projectRoot, 'renderer/src/i18n/locales', lang, `${ns}.json`), 'utf8')) as Strings;

interface Played {
  key: string;
  lang: string;
  source: string;
  src: string;
  /** When it started (page clock, ms). */
  at: number;
}
interface Log {
  plays: Played[];
  /** When each clip stopped (ended, or paused by mute), page clock. */
  stops: number[];
  /** Each instruction text the camera screen showed, in order, once per change. */
  shown: string[];
  /** The same, with the moment it appeared. */
  shownAt: Array<{ text: string; at: number }>;
}

/** Records the audio element's play and stop events and the instruction line's changes, in the page. */
async function record(page: Page): Promise<void> {
  await page.waitForSelector('audio.voice-audio', { state: 'attached' });
  await page.evaluate(() => {
    const w = window as unknown as { __voice: Log };
    w.__voice = { plays: [], stops: [], shown: [], shownAt: [] };
    const audio = document.querySelector('audio.voice-audio') as HTMLAudioElement;
    const d = audio.dataset;
    audio.addEventListener('play', () =>
      w.__voice.plays.push({
        key: d.key ?? '',
        lang: d.lang ?? '',
        source: d.source ?? '',
        src: audio.currentSrc,
        at: Date.now(),
      }),
    );
    audio.addEventListener('ended', () => w.__voice.stops.push(Date.now()));
    audio.addEventListener('pause', () => w.__voice.stops.push(Date.now()));
    const seen = () => {
      const text = document.querySelector('.instruction')?.textContent ?? '';
      if (text && w.__voice.shown.at(-1) !== text) {
        w.__voice.shown.push(text);
        w.__voice.shownAt.push({ text, at: Date.now() });
      }
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** Each instruction's text on screen in `lang` → its message key (`presence.turnLeft`). */
/**
 * The presence key of a text the instruction line showed: an instruction itself, or a failed try's
 * line, which ends with its reason ("That did not work. … Keep your face in view.").
 */
function instructionKeys(lang: Lang): {
  get(text: string): string | undefined;
  exact(text: string): string | undefined;
} {
  const byText = new Map(
    Object.entries(locale(lang, 'presence')).map(([k, text]) => [text as unknown as string, `presence.${k}`]),
  );
  return {
    exact: (text) => byText.get(text),
    get: (text) =>
      byText.get(text) ??
      [...byText].find(([reason]) => text.endsWith(` ${reason}.`) || text.endsWith(` ${reason}`))?.[1],
  };
}

const log = (page: Page): Promise<Log> => page.evaluate(() => (window as unknown as { __voice: Log }).__voice);

/** Is `sub` a subsequence of `all` (same order, gaps allowed)? */
function isSubsequence(sub: readonly string[], all: readonly string[]): boolean {
  let i = 0;
  for (const x of all) if (i < sub.length && sub[i] === x) i++;
  return i === sub.length;
}

/** Waits until the prompt `key` has started playing (a patient listens before touching on). */
async function heard(page: Page, key: string, from = 'bundled'): Promise<void> {
  await expect
    .poll(async () => (await log(page)).plays.some((p) => p.key === key && p.source === from), { timeout: 20_000 })
    .toBe(true);
}

async function toCamera(page: Page, lang: Lang): Promise<void> {
  const checkin = locale(lang, 'checkin');
  await page.getByRole('button', { name: checkin.attract!.start!, exact: true }).click();
  await page.getByRole('heading', { name: checkin.identify!.title! }).waitFor();
  await heard(page, 'voice.identify');
  await page.keyboard.type(validIin(4321));
  await page.getByRole('button', { name: checkin.identify!.continue! }).click();
  await page.getByRole('heading', { name: checkin.consent!.title! }).waitFor();
  await heard(page, 'voice.consent');
  await page.getByRole('button', { name: checkin.consent!.useCamera! }).click();
  await page.getByRole('heading', { name: checkin.camera!.title! }).waitFor();
}

/**
 * The instructions shown that were never spoken, and why not, under the player's rules: one
 * prompt at a time, only the newest waiting one kept, a pause after each, no repeat within
 * `repeatGapMs`. An instruction that stayed on screen past the end of the prompt playing when it
 * appeared (and its pause, plus `slackMs` for loading the clip) should have been heard.
 */
function unexplainedSilences(log: Log, keyOf: { exact(text: string): string | undefined }, slackMs = 1500): string[] {
  const stopAfter = (t: number) => log.stops.find((s) => s >= t) ?? Infinity;
  const problems: string[] = [];
  log.shownAt.forEach(({ text, at }, i) => {
    // A failed try's line is said as "that did not work" (voice.failedTry), not as its reason.
    const key = keyOf.exact(text);
    if (!key) return;
    const until = log.shownAt[i + 1]?.at ?? Infinity;
    const heard = log.plays.some((p) => p.key === key && p.at >= at - 50 && p.at < until + slackMs);
    if (heard) return;
    const saidJustBefore = log.plays.some(
      (p) => p.key === key && at - p.at < voiceTiming.repeatGapMs + slackMs && p.at <= at,
    );
    if (saidJustBefore) return;
    const busy = log.plays.filter((p) => p.at <= at && stopAfter(p.at) + voiceTiming.pauseAfterMs + slackMs > at);
    const freeAt = Math.max(...busy.map((p) => stopAfter(p.at) + voiceTiming.pauseAfterMs + slackMs));
    if (busy.length && until <= freeAt) return; // it gave way to a newer instruction while another prompt played
    problems.push(`${key} shown at +${at - (log.shownAt[0]?.at ?? at)} ms for ${until - at} ms, never spoken`);
  });
  return problems;
}

describe('spoken guidance during a real head-turn session (a man turning at a webcam, the default head-turn challenge)', () => {
  const work = mkdtempSync(join(tmpdir(), 'kelu-voice-turn-'));
  let turn = '';
  beforeAll(async () => {
    const engine = await createFaceEngine({
      modelsDir: join(projectRoot, 'models'),
      requestTimeoutMs: 60_000,
      log: () => {},
    });
    try {
      // He stands still for 6 s before turning, as a patient listening to the camera screen's prompt
      // would: without it, on a fast machine the whole challenge can pass while "Look at the camera" is said.
      turn = (await writeFramedHeadTurn(engine, work, { stillSeconds: 6 })).file;
    } finally {
      await engine.close();
    }
  }, 600_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe.each(['kk', 'ru', 'en'] as const)('in %s', (lang) => {
    let kiosk: TestKiosk;
    beforeAll(async () => {
      kiosk = await startTestKiosk({
        camera: turn,
        lang,
        config: { sync: { background: false }, ui: { inactivityMs: 600_000 } },
      });
    });
    afterAll(async () => {
      await kiosk?.close();
    });

    it('each instruction (the hold, the side to turn, the way back) and the result are spoken in the order shown, in the patient’s language, none dropped but by the player’s rules', async () => {
      const { page } = kiosk;
      await record(page);
      await toCamera(page, lang);
      const checkin = locale(lang, 'checkin');
      const keyOf = instructionKeys(lang);
      // The session runs to its end: a ticket, or a failed try.
      const ticket = page.getByRole('heading', { name: checkin.ticket!.title! });
      const retry = page.getByRole('button', { name: checkin.camera!.tryAgain! });
      await ticket
        .or(retry)
        .first()
        .waitFor({ timeout: 150_000 })
        .catch(async (err: unknown) => {
          const l = await log(page);
          throw new Error(
            `[${lang}] no end of session; spoken: ${l.plays.map((p) => p.key).join(' ')}; shown: ${l.shown.join(' | ')}`,
            { cause: err },
          );
        });
      const result = (await ticket.isVisible()) ? 'voice.ticket' : 'voice.failedTry';
      await heard(page, result);
      // The session's log, to its result (after a failed try the next one starts by itself: ui.retryAfterMs).
      const whole = await log(page);
      const resultAt = whole.plays.find((p) => p.key === result)!.at;
      const l: Log = {
        ...whole,
        plays: whole.plays.filter((p) => p.at <= resultAt),
        shownAt: whole.shownAt.filter((x) => x.at <= resultAt),
        shown: whole.shownAt.filter((x) => x.at <= resultAt).map((x) => x.text),
      };
      const keys = l.plays.map((p) => p.key);
      const spoken = keys.filter((k) => k.startsWith('presence.'));
      const shownKeys = l.shown.map((text) => keyOf.get(text)).filter((k): k is string => k !== undefined);
      const story = `spoken ${keys.join(' ')}; shown ${shownKeys.join(' ')}`;
      // Every clip is the kiosk's own, in the language on screen.
      expect(
        l.plays.every((p) => p.lang === lang && p.source === 'bundled' && p.src.startsWith('blob:')),
        story,
      ).toBe(true);
      // The challenge ran and was spoken: the side to turn, or — when he was already turning while the
      // previous prompt played, so the side gave way to the next instruction — the way back.
      const challenge = spoken.filter((k) =>
        ['presence.turnLeft', 'presence.turnRight', 'presence.turnBack'].includes(k),
      );
      expect(challenge.length, story).toBeGreaterThan(0);
      expect(
        shownKeys.some((k) => k === 'presence.turnLeft' || k === 'presence.turnRight'),
        story,
      ).toBe(true);
      // Each instruction spoken was on screen, spoken in the order shown, and the result came last.
      expect(isSubsequence(spoken, shownKeys), story).toBe(true);
      expect(isSubsequence([challenge[0]!, result], keys), story).toBe(true);
      expect(keys.at(-1), story).toBe(result);
      expect(
        spoken.some((k, i) => i > 0 && spoken[i - 1] === k),
        story,
      ).toBe(false);
      // And nothing shown went unsaid but what the player's rules drop (a prompt that gave way to a newer one).
      expect(unexplainedSilences(l, keyOf), story).toEqual([]);
    });
  });
});

describe.each(['kk', 'ru', 'en'] as const)(
  'spoken guidance in %s while a patient is guided (a man moving in front of the camera); muting',
  (lang) => {
    let kiosk: TestKiosk;
    beforeAll(async () => {
      kiosk = await startTestKiosk({
        camera: 'video/hamilton_clip.mp4',
        lang,
        config: {
          presence: { challenge: 'head-turn' },
          sync: { background: false },
          ui: { maxFaceAttempts: 3, inactivityMs: 600_000 },
        },
      });
    });
    afterAll(async () => {
      await kiosk?.close();
    });

    it('each screen’s prompt, then the instructions as they appear, in order, in the patient’s language; muting stops it', async () => {
      const { page } = kiosk;
      await record(page);
      await toCamera(page, lang);
      const keyOf = instructionKeys(lang);
      // The session runs until the patient has heard a few instructions.
      await expect
        .poll(async () => (await log(page)).plays.filter((p) => p.key.startsWith('presence.')).length, {
          timeout: 90_000,
          interval: 500,
        })
        .toBeGreaterThanOrEqual(3)
        .catch(async (err: unknown) => {
          const l = await log(page);
          console.error(
            `[${lang}] spoken: ${l.plays.map((p) => p.key).join(' ')}\n[${lang}] shown: ${l.shown.join(' | ')}`,
          );
          throw err;
        });
      const { plays, shown } = await log(page);
      // Every clip is the kiosk's own, in the language on screen, and they play one after another.
      expect(plays.every((p) => p.lang === lang && p.source === 'bundled' && p.src.startsWith('blob:'))).toBe(true);
      const screens = plays.map((p) => p.key).filter((k) => k.startsWith('voice.'));
      // (The camera's title may give way to its first instruction if that comes while "consent" is still being said.)
      expect(isSubsequence(['voice.identify', 'voice.consent'], screens)).toBe(true);
      expect(
        plays
          .slice(plays.findIndex((p) => p.key === 'voice.consent') + 1)
          .every((p) => p.key === 'voice.camera' || p.key.startsWith('presence.')),
      ).toBe(true);
      // Each instruction spoken was on screen, and they are spoken in the order they appeared.
      const spoken = plays.map((p) => p.key).filter((k) => k.startsWith('presence.'));
      const shownKeys = shown.map((text) => keyOf.get(text)).filter((k): k is string => k !== undefined);
      expect(shownKeys.length).toBeGreaterThanOrEqual(spoken.length);
      expect(isSubsequence(spoken, shownKeys), `spoken ${spoken.join(',')} vs shown ${shownKeys.join(',')}`).toBe(true);
      // The same prompt again within the player's repeat gap would be a repeat faster than anyone
      // can follow; after it, a prompt still on screen is a reminder (voice-player.ts).
      const said = plays.filter((p) => p.key.startsWith('presence.'));
      const quickRepeat = said.some(
        (p, i) => i > 0 && said[i - 1]!.key === p.key && p.at - said[i - 1]!.at < voiceTiming.repeatGapMs,
      );
      expect(quickRepeat, `spoken ${spoken.join(',')}`).toBe(false);

      // Mute: the sound stops at once and nothing more plays while the instructions go on changing.
      const common = locale(lang, 'common');
      await page.getByRole('button', { name: common.voice!.mute! }).click();
      expect(await page.evaluate(() => (document.querySelector('audio.voice-audio') as HTMLAudioElement).paused)).toBe(
        true,
      );
      const muted = await log(page);
      await expect
        .poll(async () => (await log(page)).shown.length, { timeout: 60_000, interval: 500 })
        .toBeGreaterThanOrEqual(muted.shown.length + 2);
      expect((await log(page)).plays.length).toBe(muted.plays.length);
      // Sound back on: the current instruction is said again.
      await page.getByRole('button', { name: common.voice!.unmute! }).click();
      await expect
        .poll(async () => (await log(page)).plays.length, { timeout: 20_000 })
        .toBeGreaterThan(muted.plays.length);
    });
  },
);

describe('spoken challenge side and results (a still photo reaches the head-turn challenge and fails it)', () => {
  let kiosk: TestKiosk;
  beforeAll(async () => {
    kiosk = await startTestKiosk({
      camera: 'photos/alex_lacamoire_3.jpg',
      lang: 'en',
      config: {
        presence: { challenge: 'head-turn', challengeTimeoutMs: 3_000 },
        sync: { background: false },
        ui: { maxFaceAttempts: 2, inactivityMs: 600_000 },
      },
    });
  });
  afterAll(async () => {
    await kiosk?.close();
  });

  it('the side to turn, "that did not work", the way without a photo and "go to reception" are heard in that order', async () => {
    const { page } = kiosk;
    await record(page);
    await toCamera(page, 'en');
    await page.getByRole('button', { name: 'Try again' }).waitFor({ timeout: 60_000 });
    await heard(page, 'voice.failedTry');
    // The next try starts by itself (ui.retryAfterMs) and fails too: the decline path.
    await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor({ timeout: 60_000 });
    await heard(page, 'voice.decline');
    await page.getByRole('button', { name: 'I have no code' }).click();
    await heard(page, 'voice.goToReception');
    const keys = (await log(page)).plays.map((p) => p.key);
    const turn = keys.find((k) => k === 'presence.turnLeft' || k === 'presence.turnRight');
    expect(turn, keys.join(' ')).toBeDefined();
    // "We could not confirm the head turn" may give way to "That did not work", said at the same moment: only the newest waiting prompt is kept.
    expect(
      isSubsequence([turn!, 'voice.failedTry', 'voice.decline', 'voice.goToReception'], keys),
      keys.join(' '),
    ).toBe(true);
  });
});

/** A short tone as Ogg Opus (ffmpeg), standing in for a clinic's recording of a native speaker. */
function toneOgg(file: string, seconds: number): void {
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:duration=${seconds}`,
    '-ac',
    '1',
    '-c:a',
    'libopus',
    '-b:a',
    '24k',
    file,
  ]);
}

describe('a clinic’s own recordings in <data>/voice', () => {
  let kiosk: TestKiosk;
  let dataDir: string;
  let it1: SeededPerson;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-voice-e2e-'));
    it1 = (await seedStaff(dataDir, [{ username: 'it1', role: 'it' }])).it1!;
    const dir = join(dataDir, 'voice', 'en');
    mkdirSync(dir, { recursive: true });
    toneOgg(join(dir, 'voice.identify.ogg'), 1.5); // good: used
    toneOgg(join(dir, 'voice.consent.ogg'), 14); // too long: refused
    writeFileSync(join(dir, 'voice.decline.ogg'), 'ID3 this is an mp3 renamed to .ogg'); // not Ogg: refused
    toneOgg(join(dir, 'voice.doesNotExist.ogg'), 1); // no such message
    kiosk = await startTestKiosk({ camera: 'none', dataDir, lang: 'en', config: { sync: { background: false } } });
  });
  afterAll(async () => {
    await kiosk?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a valid file replaces the shipped clip; a bad one is refused (the shipped clip plays) with a message for IT', async () => {
    const { page } = kiosk;
    await record(page);
    await page.getByRole('button', { name: 'Check in', exact: true }).click();
    await heard(page, 'voice.identify', 'clinic');
    await page.keyboard.type(validIin(4322));
    await page.getByRole('button', { name: 'Continue' }).click();
    await heard(page, 'voice.consent', 'bundled');
    // No camera here: "Use the camera" leads to the decline path, whose prompt is refused too.
    await page.getByRole('button', { name: 'Use the camera' }).click();
    await heard(page, 'voice.decline', 'bundled');

    // IT's view (role it): which files are used and, for the others, why not.
    const call = (method: string, input: unknown) =>
      page.evaluate(
        ([m, i]) =>
          (
            window as unknown as { kiosk: { call(m: string, i: unknown): Promise<{ ok: boolean; value?: unknown }> } }
          ).kiosk.call(m as string, i),
        [method, input] as const,
      );
    expect(await call('voice.overrides', {})).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(
      await call('staff.login', { username: it1.username, password: it1.password, code: totpNow(it1.secret) }),
    ).toMatchObject({ ok: true });
    const answer = (await call('voice.overrides', {})) as {
      ok: true;
      value: { files: Array<{ key: string; used: boolean; problem?: string }> };
    };
    const byKey = Object.fromEntries(answer.value.files.map((f) => [f.key, f]));
    expect(byKey['voice.identify']).toMatchObject({ used: true });
    expect(byKey['voice.consent']).toMatchObject({
      used: false,
      problem: expect.stringMatching(/lasts 14\.0 s; a prompt must last 0\.3–10 s/),
    });
    expect(byKey['voice.decline']).toMatchObject({
      used: false,
      problem: expect.stringMatching(/not a usable Ogg Opus\/Vorbis file: not an Ogg file/),
    });
    expect(byKey['voice.doesNotExist']).toMatchObject({
      used: false,
      problem: expect.stringMatching(/no message has this name/),
    });
    // The page names a language and a key, never a path: anything else is refused before core reads a file.
    for (const key of ['../../kelu.db', 'voice.identify/../../x', 'presence.turnLeft.ogg', 'other.key']) {
      expect(await call('voice.clip', { lang: 'en', key })).toMatchObject({ ok: false });
    }
    expect(await call('voice.clip', { lang: 'xx', key: 'voice.identify' })).toMatchObject({ ok: false });
  });
});
