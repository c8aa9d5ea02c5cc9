// The browser host's pure parts: Chromium's command line per camera mode, its own command line,
// and the byte encoding that carries camera frames across the Playwright binding.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs } from '../../electron/browser-host/chromium-args.js';
import { parseCliArgs } from '../../electron/browser-host/cli-args.js';
import { isTrustedFrame } from '../../electron/browser-host/host.js';
import { decodeFromPage, encodeForPage } from '../../electron/browser-host/page-bridge.js';

describe('Chromium command line', () => {
  it('plays a y4m file as the only camera', () => {
    const args = chromiumArgs({ camera: { kind: 'file', y4m: '/tmp/feed.y4m' }, runningAsRoot: false });
    expect(args).toContain('--use-fake-device-for-media-stream');
    expect(args).toContain('--use-file-for-fake-video-capture=/tmp/feed.y4m');
    expect(args).not.toContain('--no-sandbox');
  });

  it('asks for zero capture devices when there is no camera, and no fake feed at all for the real webcam', () => {
    const none = chromiumArgs({ camera: { kind: 'none' }, runningAsRoot: true });
    expect(none).toContain('--use-fake-device-for-media-stream=device-count=0');
    expect(none.some((a) => a.startsWith('--use-file-for-fake-video-capture'))).toBe(false);
    expect(none).toContain('--no-sandbox');
    const real = chromiumArgs({ camera: { kind: 'real' }, runningAsRoot: false });
    expect(real.some((a) => a.startsWith('--use-fake-device-for-media-stream'))).toBe(false);
  });

  it('keeps Chromium quiet and binds DevTools to loopback only when asked', () => {
    const args = chromiumArgs({
      camera: { kind: 'none' },
      runningAsRoot: false,
      remoteDebuggingPort: 9222,
      lang: 'kk',
    });
    for (const flag of [
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).toContain('--remote-debugging-port=9222');
    expect(args).toContain('--remote-debugging-address=127.0.0.1');
    expect(args).toContain('--lang=kk');
    expect(
      chromiumArgs({ camera: { kind: 'none' }, runningAsRoot: false }).some((a) => a.startsWith('--remote-debugging')),
    ).toBe(false);
  });
});

describe('start:browser command line', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every option and loads the configuration through the schema', () => {
    const config = join(dir, 'challenge-off.json');
    writeFileSync(config, JSON.stringify({ presence: { challenge: 'off' } }));
    const options = parseCliArgs([
      '--camera',
      'face.jpg',
      '--data-dir',
      dir,
      '--config',
      config,
      '--headless',
      '--lang',
      'en',
      '--remote-debugging-port',
      '9222',
    ]);
    expect(options).not.toBe('help');
    if (options === 'help') return;
    expect(options).toMatchObject({
      camera: 'face.jpg',
      dataDir: dir,
      headless: true,
      lang: 'en',
      remoteDebuggingPort: 9222,
    });
    expect(options.config?.presence.challenge).toBe('off');
    // Everything not named keeps its embedded default.
    expect(options.config?.presence.minFaceWidthRatio).toBe(0.22);
  });

  it.skipIf(process.platform !== 'linux')(
    'defaults the data dir to the per-user app data folder (Linux: $XDG_CONFIG_HOME/kelu)',
    () => {
      const options = parseCliArgs([], { XDG_CONFIG_HOME: '/home/k/.config' });
      if (options === 'help') throw new Error('unexpected help');
      expect(options.dataDir).toBe('/home/k/.config/kelu');
      expect(options.headless).toBeUndefined();
    },
  );

  it('answers bad input with a message naming the problem', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ presence: { challenge: 'sometimes' } }));
    expect(() => parseCliArgs(['--config', bad])).toThrow(/presence\.challenge/);
    writeFileSync(bad, '{ not json');
    expect(() => parseCliArgs(['--config', bad])).toThrow(/not valid JSON/);
    expect(() => parseCliArgs(['--config', join(dir, 'missing.json')])).toThrow(/Cannot read/);
    expect(() => parseCliArgs(['--lang', 'de'])).toThrow(/--lang must be kk, ru or en/);
    expect(() => parseCliArgs(['--remote-debugging-port', '70000'])).toThrow(/0–65535/);
    expect(() => parseCliArgs(['--remote-debugging-port', 'abc'])).toThrow(/number/);
    expect(() => parseCliArgs(['--frobnicate'])).toThrow();
    expect(parseCliArgs(['--help'])).toBe('help');
  });
});

describe('frames across the binding', () => {
  it('decodes tagged base64 back into the same bytes and array kind, deep inside the input', () => {
    const data = new Uint8ClampedArray(320 * 240 * 4).map((_, i) => (i * 7) & 255);
    const tagged = {
      frame: { width: 320, height: 240, data: { '$kelu:bytes': Buffer.from(data).toString('base64'), clamped: true } },
      list: [{ '$kelu:bytes': 'AQID', clamped: false }],
    };
    const decoded = decodeFromPage(tagged) as { frame: { data: Uint8ClampedArray }; list: Uint8Array[] };
    expect(decoded.frame.data).toBeInstanceOf(Uint8ClampedArray);
    expect(Buffer.from(decoded.frame.data).equals(Buffer.from(data))).toBe(true);
    expect(decoded.list[0]).toBeInstanceOf(Uint8Array);
    expect([...decoded.list[0]!]).toEqual([1, 2, 3]);
    // Its own buffer, not a view into Node's shared pool.
    expect(decoded.list[0]!.buffer.byteLength).toBe(3);
  });

  it('drops __proto__ keys and encodes results for the page', () => {
    const decoded = decodeFromPage(JSON.parse('{"__proto__":{"polluted":true},"a":1}')) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(decoded).toEqual({ a: 1 });
    expect(encodeForPage({ ok: true, value: { bytes: new Uint8Array([9, 8]), skip: undefined } })).toEqual({
      ok: true,
      value: { bytes: { '$kelu:bytes': 'CQg=', clamped: false } },
    });
  });

  it('takes calls only from the kiosk page’s main frame', () => {
    expect(isTrustedFrame({ url: () => 'http://kelu.localhost/', parentFrame: () => null })).toBe(true);
    expect(isTrustedFrame({ url: () => 'http://kelu.localhost/', parentFrame: () => ({}) as never })).toBe(false);
    expect(isTrustedFrame({ url: () => 'https://example.com/', parentFrame: () => null })).toBe(false);
    expect(isTrustedFrame({ url: () => 'about:blank', parentFrame: () => null })).toBe(false);
  });
});
