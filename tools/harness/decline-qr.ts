import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { iinCheckDigit } from '../../electron/core/platform/identity/iin.js';

/** A QR code image generated at test time (qrcode → PNG). Bytes are encoded in byte mode as they are. */
export async function qrPng(text: string | Uint8Array, width = 360): Promise<Buffer> {
  const data = typeof text === 'string' ? text : [{ data: Buffer.from(text), mode: 'byte' as const }];
  return QRCode.toBuffer(data as string, { errorCorrectionLevel: 'M', margin: 4, width, type: 'png' });
}

/** The same image as raw RGBA (through sharp), the shape zxing-wasm reads. */
export async function qrRgba(
  text: string | Uint8Array,
  width = 360,
): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const { data, info } = await sharp(await qrPng(text, width))
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

/**
 * Generated pictures and feeds are kept in one folder, named by what they hold, so reruns reuse
 * them instead of filling the temp folder; written beside the target and renamed, so a concurrent
 * run never reads half a file.
 */
const cacheDir = join(tmpdir(), 'kelu-decline-tests');

async function cached(name: string, make: (partial: string) => Promise<void>): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, name);
  if (existsSync(file)) return file;
  const partial = `${file}.${process.pid}.partial${name.slice(name.lastIndexOf('.'))}`;
  await make(partial);
  renameSync(partial, file);
  return file;
}

const keyOfPayloads = (payloads: Array<string | Uint8Array>, ...extra: unknown[]) => {
  const h = createHash('sha256');
  for (const p of payloads)
    h.update(typeof p === 'string' ? `s:${p}` : `b:${Buffer.from(p).toString('hex')}`).update('\0');
  return h.update(JSON.stringify(extra)).digest('hex').slice(0, 20);
};

/** A QR image file (for the fake camera). */
export async function qrImageFile(text: string | Uint8Array, width = 460): Promise<string> {
  return cached(`qr-${keyOfPayloads([text], width)}.png`, async (f) => writeFileSync(f, await qrPng(text, width)));
}

/** A blank (white) camera picture. */
export async function blankImageFile(): Promise<string> {
  return cached('blank-640x480.png', async (f) => {
    await sharp({ create: { width: 640, height: 480, channels: 3, background: '#ffffff' } })
      .png()
      .toFile(f);
  });
}

/**
 * A y4m camera feed that shows each QR code in turn for `secondsEach` (Chromium loops it), so one
 * browser sees several payloads. Made with ffmpeg from PNGs generated now.
 */
export async function qrSequenceFeed(payloads: Array<string | Uint8Array>, secondsEach = 2): Promise<string> {
  return cached(`seq-${keyOfPayloads(payloads, secondsEach)}.y4m`, (out) => makeSequence(payloads, secondsEach, out));
}

async function makeSequence(payloads: Array<string | Uint8Array>, secondsEach: number, out: string): Promise<void> {
  const dir = join(cacheDir, `frames-${process.pid}-${keyOfPayloads(payloads)}`);
  mkdirSync(dir, { recursive: true });
  for (const [i, p] of payloads.entries()) writeFileSync(join(dir, `qr-${i}.png`), await qrPng(p, 470));
  const vf =
    'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=white,setsar=1,fps=10';
  await new Promise<void>((done, fail) => {
    const ff = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-y',
        '-framerate',
        String(1 / secondsEach),
        '-i',
        join(dir, 'qr-%d.png'),
        '-vf',
        vf,
        '-pix_fmt',
        'yuv420p',
        '-f',
        'yuv4mpegpipe',
        out,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
    ff.on('error', fail);
    ff.on('close', (code) => (code === 0 ? done() : fail(new Error(`ffmpeg failed: ${err}`))));
  });
  rmSync(dir, { recursive: true, force: true });
}

/** A valid IIN (checksum and date) for a test patient: born 1990-01-01, serial `serial`. */
export function testIin(serial = 12): string {
  for (let s = serial; ; s++) {
    const first11 = `9001013${String(s % 10000).padStart(4, '0')}`;
    const check = iinCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
}

/**
 * Types `text` and Enter the way a USB scanner does: key events `gapMs` apart BY THEIR OWN
 * TIMESTAMPS. A real scanner's events carry the operating system's input times, so a busy kiosk
 * does not stretch the gaps; Playwright's keyboard.type would take its times from when each CDP
 * call arrives, which on a loaded test machine can be 100 ms apart. CDP's Input.dispatchKeyEvent
 * takes the time explicitly, so the page sees what a scanner produces.
 */
export async function scannerType(page: Page, text: string, gapMs = 6): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const start = Date.now() / 1000;
    const keys = [...text].map(keyOf);
    keys.push({ key: 'Enter', code: 'Enter', vk: 13, text: '\r', shift: false });
    for (const [i, k] of keys.entries()) {
      const timestamp = start + (i * gapMs) / 1000;
      const common = {
        key: k.key,
        code: k.code,
        windowsVirtualKeyCode: k.vk,
        nativeVirtualKeyCode: k.vk,
        modifiers: k.shift ? 8 : 0,
        timestamp,
      };
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', text: k.text, unmodifiedText: k.text, ...common });
      await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...common, timestamp: timestamp + 0.002 });
    }
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

function keyOf(ch: string): { key: string; code: string; vk: number; text: string; shift: boolean } {
  if (/^[0-9]$/.test(ch)) return { key: ch, code: `Digit${ch}`, vk: ch.charCodeAt(0), text: ch, shift: false };
  if (/^[a-z]$/.test(ch))
    return { key: ch, code: `Key${ch.toUpperCase()}`, vk: ch.toUpperCase().charCodeAt(0), text: ch, shift: false };
  if (/^[A-Z]$/.test(ch)) return { key: ch, code: `Key${ch}`, vk: ch.charCodeAt(0), text: ch, shift: true };
  if (ch === '.') return { key: '.', code: 'Period', vk: 190, text: '.', shift: false };
  if (ch === '-') return { key: '-', code: 'Minus', vk: 189, text: '-', shift: false };
  if (ch === '_') return { key: '_', code: 'Minus', vk: 189, text: '_', shift: true };
  throw new Error(`scannerType: no key for ${JSON.stringify(ch)}`);
}
