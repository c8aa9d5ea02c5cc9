import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeQr } from '../../electron/core/patient/decline/qr-reader.js';
import { parseQrPayload } from '../../electron/core/patient/decline/payload.js';
import { formatShareToken } from '../../electron/core/patient/decline/share-token.js';
import { qrRgba } from '../../tools/harness/decline-qr.js';

// zxing-wasm in Node with its .wasm passed as wasmBinary from node_modules (no network involved),
// on QR images generated now by the qrcode library.
describe('QR decoding with zxing-wasm in Node', () => {
  it('reads a six-digit code from a generated QR image and the parser accepts it', async () => {
    const text = await decodeQr(await qrRgba('305917'));
    expect(text).toBe('305917');
    expect(parseQrPayload(text!)).toEqual({ ok: true, kind: 'code', code: '305917' });
  });

  it('reads a share token from a generated QR image', async () => {
    const token = formatShareToken(randomBytes(64));
    const text = await decodeQr(await qrRgba(token, 480));
    expect(text).toBe(token);
    expect(parseQrPayload(text!)).toMatchObject({ ok: true, kind: 'token' });
  });

  it('decodes hostile QR codes and the parser refuses each of them', async () => {
    const cases: Array<[string | Uint8Array, string]> = [
      ['https://example.com/?code=123456', 'bad-characters'],
      ['<script>alert(1)</script>', 'bad-characters'],
      ['A'.repeat(1500), 'too-long'],
    ];
    for (const [payload, reason] of cases) {
      const text = await decodeQr(await qrRgba(payload, 600));
      expect(text).toBeDefined();
      expect(parseQrPayload(text!)).toEqual({ ok: false, reason });
    }
    const binary = await decodeQr(await qrRgba(new Uint8Array([0, 1, 2, 0xff, 0xfe, 0x80, 0x0a, 0x3c]), 400));
    expect(binary).toBeDefined();
    expect(parseQrPayload(binary!).ok).toBe(false);
  });

  it('finds nothing in a blank image', async () => {
    const blank = { data: new Uint8ClampedArray(320 * 240 * 4).fill(255), width: 320, height: 240 };
    expect(await decodeQr(blank)).toBeUndefined();
  });
});
