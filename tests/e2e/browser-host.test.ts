// The browser host: the built renderer in Debian Chromium with window.kiosk bound to the real core
// router, a fake webcam made from a fixture photo, and an outside Playwright attaching over CDP.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { method, type Handlers } from '../../electron/shared/api/define.js';
import { createRouter } from '../../electron/shared/api/router.js';
import { createCore, type Core } from '../../electron/core/kiosk.js';
import { parseConfig } from '../../electron/core/platform/config/schema.js';
import { startBrowserHost, type BrowserHost } from '../../electron/browser-host/host.js';
import { kioskOrigin } from '../../electron/browser-host/serve-renderer.js';
import { cameraFeed } from '../../tools/harness/camera.js';
import { fixture } from '../../tools/harness/fixtures.js';
import { ensureBuilt, startTestKiosk, type TestKiosk } from '../../tools/harness/browser.js';

// A method only this test adds to the real router, to see bytes cross the binding both ways.
const echoContract = {
  'test.echoFrame': method({
    summary: 'Digest of a frame, and the frame back',
    input: z
      .object({ frame: z.object({ width: z.number(), height: z.number(), data: z.instanceof(Uint8ClampedArray) }) })
      .strict(),
    output: z.object({ sha256: z.string(), length: z.number(), back: z.instanceof(Uint8Array) }),
  }),
};
const echoHandlers: Handlers<typeof echoContract> = {
  'test.echoFrame': ({ frame }) => ({
    sha256: createHash('sha256').update(frame.data).digest('hex'),
    length: frame.data.length,
    back: new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength),
  }),
};

const sampleStep = 7;

/**
 * Mean absolute difference (0–255) between a 640×480 camera frame, sampled as RGB every
 * `sampleStep` pixels, and a picture letterboxed the same way.
 */
async function differenceFromPicture(sampledRgb: number[], picture: string): Promise<number> {
  const { data } = await sharp(picture)
    .resize(640, 480, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let sum = 0;
  let n = 0;
  for (let p = 0, s = 0; p < 640 * 480; p += sampleStep, s += 3) {
    for (let c = 0; c < 3; c++) {
      sum += Math.abs(sampledRgb[s + c]! - data[p * 3 + c]!);
      n++;
    }
  }
  return sum / n;
}

describe('browser host with a fake camera and an extra test method', () => {
  let host: BrowserHost;
  let core: Core;
  let dataDir: string;

  beforeAll(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'kelu-bh-'));
    const real = await createCore({
      dataDir,
      developmentKeys: true,
      config: parseConfig({ clinicId: 'bh-test-clinic', presence: { challenge: 'off' } }),
    });
    const echo = createRouter(echoContract, echoHandlers);
    core = {
      ...real,
      router: {
        methods: () => [...real.router.methods(), ...echo.methods()],
        call: (m, input, ctx) =>
          Object.hasOwn(echoContract, m) ? echo.call(m, input, ctx) : real.router.call(m, input, ctx),
      },
    };
    host = await startBrowserHost({
      core,
      dataDir,
      camera: await cameraFeed('photos/obama_480p.jpg'),
      headless: true,
      remoteDebuggingPort: 0,
    });
  });

  afterAll(async () => {
    await host?.close();
    await core?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives the page window.kiosk bound to the core router, in a secure context', async () => {
    const result = await host.page.evaluate(async () => ({
      secure: window.isSecureContext,
      origin: location.origin,
      host: window.kiosk.host,
      info: await window.kiosk.call('system.info', {}),
      bad: await window.kiosk.call('system.info', { extra: 1 } as never),
      unknown: await window.kiosk.call('no.such' as never, {} as never),
    }));
    expect(result.secure).toBe(true);
    expect(result.origin).toBe(kioskOrigin);
    expect(result.host).toBe('browser-host');
    expect(result.info).toMatchObject({
      ok: true,
      value: { clinicId: 'bh-test-clinic', presence: { challenge: 'off' } },
    });
    expect(result.bad).toMatchObject({ ok: false, error: { code: 'bad-input' } });
    expect(result.unknown).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
  });

  it('carries 640×480 and 320×240 RGBA frames across the binding byte for byte, both ways', async () => {
    for (const [width, height] of [
      [640, 480],
      [320, 240],
    ] as const) {
      const page = await host.page.evaluate(
        async ({ width, height }) => {
          const data = new Uint8ClampedArray(width * height * 4);
          crypto.getRandomValues(new Uint8Array(data.buffer, 0, 65536));
          for (let i = 65536; i < data.length; i++) data[i] = (i * 131 + (i >> 9)) & 255;
          const digest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', data)), (b) =>
            b.toString(16).padStart(2, '0'),
          ).join('');
          const r = (await window.kiosk.call(
            'test.echoFrame' as never,
            { frame: { width, height, data } } as never,
          )) as unknown as {
            ok: boolean;
            value: { sha256: string; length: number; back: Uint8Array };
          };
          const back = r.value.back;
          let same = back instanceof Uint8Array && back.length === data.length;
          for (let i = 0; same && i < data.length; i++) same = back[i] === data[i];
          return { digest, ok: r.ok, sha256: r.value.sha256, length: r.value.length, backIntact: same };
        },
        { width, height },
      );
      expect(page.ok).toBe(true);
      expect(page.length).toBe(width * height * 4);
      expect(page.sha256).toBe(page.digest);
      expect(page.backIntact).toBe(true);
    }
  });

  it('plays the fixture photo as the webcam to getUserMedia', async () => {
    const frame = await host.page.evaluate(async (step) => {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = stream;
      await video.play();
      await new Promise((r) => setTimeout(r, 300));
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const g = canvas.getContext('2d')!;
      g.drawImage(video, 0, 0);
      const rgba = g.getImageData(0, 0, canvas.width, canvas.height).data;
      const pixels: number[] = [];
      for (let p = 0; p < canvas.width * canvas.height; p += step)
        pixels.push(rgba[p * 4]!, rgba[p * 4 + 1]!, rgba[p * 4 + 2]!);
      stream.getTracks().forEach((t) => t.stop());
      return { width: canvas.width, height: canvas.height, pixels };
    }, sampleStep);
    expect([frame.width, frame.height]).toEqual([640, 480]);
    const same = await differenceFromPicture(frame.pixels, fixture('photos/obama_480p.jpg'));
    const other = await differenceFromPicture(frame.pixels, fixture('photos/biden_1.jpg'));
    console.log(`camera frame vs its picture: ${same.toFixed(1)}; vs another photo: ${other.toFixed(1)}`);
    // The feed went through yuv420p, so it is close to its own picture, and far from another one.
    expect(same).toBeLessThan(8);
    expect(other).toBeGreaterThan(same * 2);
  });

  it('delivers core events to the page’s onEvent listeners until they stop listening', async () => {
    await host.page.evaluate(() => {
      const seen: unknown[] = [];
      (window as unknown as { seenEvents: unknown[] }).seenEvents = seen;
      const stop = window.kiosk.onEvent((e) => {
        seen.push(e);
        if (seen.length === 2) stop();
      });
    });
    core.events.emit('download.saved', { file: 'first.csv' });
    core.events.emit('download.saved', { file: 'second.csv' });
    core.events.emit('download.saved', { file: 'third.csv' });
    await host.page.waitForFunction(() => (window as unknown as { seenEvents: unknown[] }).seenEvents.length >= 2);
    // One more round trip, so a third event (if it were wrongly delivered) has arrived too.
    await host.page.evaluate(() => window.kiosk.call('system.info', {}));
    expect(await host.page.evaluate(() => (window as unknown as { seenEvents: unknown[] }).seenEvents)).toEqual([
      { topic: 'download.saved', data: { file: 'first.csv' } },
      { topic: 'download.saved', data: { file: 'second.csv' } },
    ]);
  });

  it('refuses every request to another origin (the kiosk loads nothing from outside)', async () => {
    const outcome = await host.page.evaluate(async () => {
      try {
        await fetch('https://example.com/');
        return 'loaded';
      } catch {
        return 'blocked';
      }
    });
    expect(outcome).toBe('blocked');
    const traversal = await host.page.evaluate(async () => (await fetch('/../../package.json')).status);
    expect(traversal).toBe(404);
  });

  it('lets an outside Playwright attach over CDP and drive the same page', async () => {
    expect(host.cdpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const outside = await chromium.connectOverCDP(host.cdpUrl!);
    try {
      const pages = outside.contexts().flatMap((c) => c.pages());
      const kiosk = pages.find((p) => p.url().startsWith(kioskOrigin));
      expect(kiosk, `pages seen: ${pages.map((p) => p.url()).join(', ')}`).toBeDefined();
      const info = await kiosk!.evaluate(() => window.kiosk.call('system.info', {}));
      expect(info).toMatchObject({ ok: true, value: { clinicId: 'bh-test-clinic' } });
      expect(await kiosk!.title()).toBe('Kelu');
    } finally {
      await outside.close();
    }
    // Disconnecting the outside client leaves the kiosk running.
    expect(await host.page.evaluate(async () => (await window.kiosk.call('system.info', {})).ok)).toBe(true);
  });
});

/** A port nobody listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

describe('browser host without a camera, on a fixed DevTools port', () => {
  let kiosk: TestKiosk;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    kiosk = await startTestKiosk({ camera: 'none', remoteDebuggingPort: port });
  });
  afterAll(async () => {
    await kiosk?.close();
  });

  it('shows the page no camera: getUserMedia rejects with NotFoundError and no video input is listed', async () => {
    const result = await kiosk.page.evaluate(async () => {
      const kinds = (await navigator.mediaDevices.enumerateDevices()).map((d) => d.kind);
      try {
        await navigator.mediaDevices.getUserMedia({ video: true });
        return { kinds, error: 'none' };
      } catch (err) {
        return { kinds, error: (err as DOMException).name };
      }
    });
    expect(result.error).toBe('NotFoundError');
    expect(result.kinds).not.toContain('videoinput');
  });

  it('answers on the DevTools port it was given', async () => {
    expect(kiosk.cdpUrl).toBe(`http://127.0.0.1:${port}`);
    const version = (await (await fetch(`${kiosk.cdpUrl}/json/version`)).json()) as { Browser: string };
    expect(version.Browser).toMatch(/Chrom/);
  });

  it('refuses to start on a DevTools port that is taken, saying so', async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    try {
      const taken = (busy.address() as AddressInfo).port;
      await expect(startTestKiosk({ camera: 'none', remoteDebuggingPort: taken })).rejects.toThrow(
        `The DevTools port ${taken} is in use`,
      );
    } finally {
      await new Promise((done) => busy.close(done));
    }
  });
});
