// The photo path end to end: Debian Chromium, the built renderer, the real core (face models on
// wasm, SQLite, libsodium) and a fake camera made from the shared face fixtures.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestKiosk } from '../../tools/harness/browser.js';
import { fixture, builtInThreshold } from '../../tools/harness/fixtures.js';
import { loadRgba } from '../../tools/harness/images.js';
import { createFaceEngine } from '../../electron/core/face/engine.js';
import {
  getSodium,
  openSealed,
  verifyDetached,
  visitSigningMessage,
} from '../../electron/core/platform/crypto/index.js';
import {
  devUpstreamKeyPairFile,
  loadDeviceKeys,
  plainFileProtector,
  readUpstreamKeyPair,
} from '../../electron/core/delivery/keys/index.js';
import { envelopeSchema } from '../../electron/shared/protocol/envelope.js';
import { projectRoot } from '../../tools/harness/fixtures.js';
import { euclidean, outboxRows, startPhotoCheckin, validIin } from '../../tools/harness/checkin.js';

// One data dir for the whole file, so the final privacy check reads what every test left behind.
const dataDir = mkdtempSync(join(tmpdir(), 'kelu-e2e-checkin-'));
const challengeOff = { presence: { challenge: 'off' as const } };
const seen = { iins: [] as string[], descriptors: [] as number[][] };

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('photo check-in', () => {
  it('the right person gets a ticket, and the sealed envelope holds their descriptor', async () => {
    const iin = validIin(1234);
    seen.iins.push(iin);
    const kiosk = await startTestKiosk({
      camera: 'photos/alex_lacamoire_3.jpg',
      config: challengeOff,
      lang: 'en',
      dataDir,
    });
    let ticket: string;
    try {
      const { page } = kiosk;
      await startPhotoCheckin(page, iin);
      await page.getByRole('heading', { name: 'You are checked in' }).waitFor({ timeout: 120_000 });
      ticket = ((await page.getByLabel(/^Your number is /).getAttribute('aria-label')) ?? '').replace(
        'Your number is ',
        '',
      );
      expect(ticket).toMatch(/^A-\d{3}$/);
      await expect(page.getByText('••••••••' + iin.slice(-4), { exact: false }).count()).resolves.toBeGreaterThan(0);
      expect(await page.content()).not.toContain(iin);
    } finally {
      await kiosk.close();
    }

    // Open the envelope as the upstream would: verify the device's signature, then unseal.
    const rows = outboxRows(dataDir);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    const sodium = await getSodium();
    const device = await loadDeviceKeys(
      dataDir,
      plainFileProtector(() => undefined),
    );
    expect(device).not.toBeNull();
    const message = visitSigningMessage(sodium, {
      id: row.id,
      deviceId: row.device_id,
      createdAt: row.created_at,
      sealed: new Uint8Array(row.sealed),
    });
    expect(verifyDetached(sodium, new Uint8Array(row.sig), message, device!.publicKey)).toBe(true);
    const upstream = await readUpstreamKeyPair(devUpstreamKeyPairFile());
    const opened = openSealed(sodium, new Uint8Array(row.sealed), upstream.publicKey, upstream.secretKey);
    expect(opened).not.toBeNull();
    const envelope = envelopeSchema.parse(JSON.parse(sodium.to_string(opened!)));
    expect(envelope.method).toBe('face');
    expect(envelope.iin).toBe(iin);
    expect(envelope.face?.presence.challenge).toBe('off');
    const descriptor = envelope.face!.descriptor;
    seen.descriptors.push(descriptor);

    // The descriptor is this person's: near another photo of him, far from someone else.
    const engine = await createFaceEngine({
      modelsDir: join(projectRoot, 'models'),
      backend: 'wasm',
      log: () => undefined,
    });
    try {
      const same = await engine.describe(
        await loadRgba(fixture('photos/alex_lacamoire_2.jpg'), { width: 640, height: 480 }),
      );
      const other = await engine.describe(await loadRgba(fixture('photos/obama_2.jpg'), { width: 640, height: 480 }));
      const threshold = builtInThreshold();
      expect(euclidean(descriptor, same.descriptor)).toBeLessThan(threshold);
      expect(euclidean(descriptor, other.descriptor)).toBeGreaterThan(threshold);
    } finally {
      await engine.close();
    }
  });

  it('a blank camera gets guidance and no visit is stored', async () => {
    const before = outboxRows(dataDir).length;
    const kiosk = await startTestKiosk({ camera: 'hard/no_face_white.png', config: challengeOff, lang: 'en', dataDir });
    try {
      const { page } = kiosk;
      const iin = validIin(2345);
      seen.iins.push(iin);
      await startPhotoCheckin(page, iin);
      await expect
        .poll(() => page.getByRole('status').innerText(), { timeout: 90_000, interval: 500 })
        .toBe('Look at the camera so we can see your face');
      // Keep looking for a while: guidance stays, no ticket appears.
      await page.waitForTimeout(4_000);
      expect(await page.getByRole('heading', { name: 'You are checked in' }).count()).toBe(0);
      expect(await page.getByRole('status').innerText()).toBe('Look at the camera so we can see your face');
    } finally {
      await kiosk.close();
    }
    expect(outboxRows(dataDir).length).toBe(before);
  });

  it('two people in the picture are asked to come one at a time, and no visit is stored', async () => {
    const before = outboxRows(dataDir).length;
    const kiosk = await startTestKiosk({ camera: 'hard/two_people.jpg', config: challengeOff, lang: 'en', dataDir });
    try {
      const { page } = kiosk;
      const iin = validIin(3456);
      seen.iins.push(iin);
      await startPhotoCheckin(page, iin);
      await expect
        .poll(() => page.getByRole('status').innerText(), { timeout: 90_000, interval: 500 })
        .toBe('One person at a time, please');
      await page.waitForTimeout(3_000);
      expect(await page.getByRole('heading', { name: 'You are checked in' }).count()).toBe(0);
    } finally {
      await kiosk.close();
    }
    expect(outboxRows(dataDir).length).toBe(before);
  });

  it('with the challenge on, a still photo fails the head turn and the decline path is offered', async () => {
    const before = outboxRows(dataDir).length;
    const kiosk = await startTestKiosk({
      camera: 'photos/alex_lacamoire_3.jpg',
      config: { presence: { challenge: 'head-turn', challengeTimeoutMs: 4_000 }, ui: { maxFaceAttempts: 1 } },
      lang: 'en',
      dataDir,
    });
    try {
      const { page } = kiosk;
      const iin = validIin(4567);
      seen.iins.push(iin);
      await startPhotoCheckin(page, iin);
      // The challenge is asked for (the photo holds still well enough to get there)…
      await expect
        .poll(() => page.getByRole('status').innerText(), { timeout: 90_000, interval: 300 })
        .toMatch(/turn your head to your (left|right)/);
      // …and, the photo never turning, it fails and the patient is offered the way without a photo.
      await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor({ timeout: 60_000 });
      await page.getByRole('button', { name: 'I have no code' }).waitFor();
      expect(await page.getByRole('heading', { name: 'You are checked in' }).count()).toBe(0);
    } finally {
      await kiosk.close();
    }
    expect(outboxRows(dataDir).length).toBe(before);
  });

  it('after a failed try the patient may try again, and after the last one the decline path is offered', async () => {
    const kiosk = await startTestKiosk({
      camera: 'photos/alex_lacamoire_3.jpg',
      config: { presence: { challenge: 'head-turn', challengeTimeoutMs: 3_000 }, ui: { maxFaceAttempts: 2 } },
      lang: 'en',
      dataDir,
    });
    try {
      const { page } = kiosk;
      const iin = validIin(8901);
      seen.iins.push(iin);
      await startPhotoCheckin(page, iin);
      await page.getByRole('button', { name: 'Try again' }).waitFor({ timeout: 90_000 });
      // The failed try says why (a still photo never turns: the head turn was not confirmed).
      expect(await page.getByRole('status').innerText()).toBe(
        'That did not work. You can try once more. We could not confirm the head turn.',
      );
      // Nobody presses "Try again": the next try starts by itself (ui.retryAfterMs, default 4 s).
      await expect
        .poll(() => page.getByRole('status').innerText(), { timeout: 90_000, interval: 300 })
        .toMatch(/turn your head to your (left|right)/);
      await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor({ timeout: 60_000 });
    } finally {
      await kiosk.close();
    }
  });

  it('with no camera at all, the decline path and reception are offered', async () => {
    const kiosk = await startTestKiosk({ camera: 'none', config: challengeOff, lang: 'en', dataDir });
    try {
      const { page } = kiosk;
      const iin = validIin(5678);
      seen.iins.push(iin);
      await startPhotoCheckin(page, iin);
      // The decline path opens by itself, saying why, and reception is one tap away.
      await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor({ timeout: 30_000 });
      expect(await page.locator('main').innerText()).toContain('The camera could not be used.');
      await page.getByRole('button', { name: 'I have no code' }).click();
      await page.getByRole('heading', { name: 'Please go to the reception desk' }).waitFor();
    } finally {
      await kiosk.close();
    }
  });

  it('a camera unplugged mid-way leads to the decline path, not a blank screen', async () => {
    const kiosk = await startTestKiosk({ camera: 'hard/no_face_white.png', config: challengeOff, lang: 'en', dataDir });
    try {
      const { page } = kiosk;
      const iin = validIin(7890);
      seen.iins.push(iin);
      await startPhotoCheckin(page, iin);
      await expect
        .poll(() => page.getByRole('status').innerText(), { timeout: 90_000, interval: 500 })
        .toBe('Look at the camera so we can see your face');
      // What Chromium does when a USB camera is pulled: the track ends.
      await page.evaluate(() => {
        const stream = document.querySelector('video')?.srcObject;
        if (!(stream instanceof MediaStream)) throw new Error('no live camera stream');
        for (const track of stream.getVideoTracks()) track.dispatchEvent(new Event('ended'));
      });
      await page.getByRole('heading', { name: 'Check in without a photo' }).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'I have no code' }).waitFor();
    } finally {
      await kiosk.close();
    }
  });

  it('leaves no image, raw frame, plaintext IIN or descriptor in the data folder', () => {
    expect(seen.descriptors.length).toBeGreaterThan(0);
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(dataDir);
    expect(files.some((f) => f.endsWith('kelu.db'))).toBe(true);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff]);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.includes(jpeg), `${file} holds JPEG bytes`).toBe(false);
      expect(bytes.includes(png), `${file} holds PNG bytes`).toBe(false);
      // A raw frame is at least 320×240×4 bytes of pixels; nothing else here is that big except the database.
      if (!/kelu\.db/.test(file)) expect(bytes.length, `${file} is as big as a raw frame`).toBeLessThan(320 * 240 * 4);
      const text = bytes.toString('latin1');
      for (const iin of seen.iins) expect(text.includes(iin), `${file} holds a plaintext IIN`).toBe(false);
      for (const d of seen.descriptors) {
        expect(text.includes(String(d[0])), `${file} holds a descriptor value as text`).toBe(false);
        expect(
          bytes.includes(Buffer.from(new Float32Array(d.slice(0, 4)).buffer)),
          `${file} holds descriptor floats`,
        ).toBe(false);
        expect(
          bytes.includes(Buffer.from(new Float64Array(d.slice(0, 2)).buffer)),
          `${file} holds descriptor doubles`,
        ).toBe(false);
      }
    }
  });
});
