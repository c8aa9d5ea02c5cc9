import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCode, parseQrPayload } from '../../electron/core/patient/decline/payload.js';
import {
  formatShareToken,
  parseShareToken,
  SHARE_TOKEN_MAX_LENGTH,
} from '../../electron/core/patient/decline/share-token.js';
import { MAX_QR_TEXT } from '../../electron/core/patient/decline/limits.js';

describe('eGov code form check', () => {
  it('accepts exactly six ASCII digits, leading zeros included', () => {
    expect(parseCode('012345')).toEqual({ ok: true, code: '012345' });
    expect(parseCode('999999')).toEqual({ ok: true, code: '999999' });
  });

  it('tells a short or long code apart from one with letters, spaces or foreign digits', () => {
    expect(parseCode('')).toEqual({ ok: false, reason: 'empty' });
    expect(parseCode('1234')).toEqual({ ok: false, reason: 'wrong-length' });
    expect(parseCode('1234567')).toEqual({ ok: false, reason: 'wrong-length' });
    expect(parseCode('12a456')).toEqual({ ok: false, reason: 'bad-characters' });
    expect(parseCode(' 123456')).toEqual({ ok: false, reason: 'bad-characters' });
    expect(parseCode('123456\n')).toEqual({ ok: false, reason: 'bad-characters' });
    // Arabic-Indic and full-width digits look like digits but are not the code's alphabet.
    expect(parseCode('١٢٣٤٥٦')).toEqual({ ok: false, reason: 'bad-characters' });
    expect(parseCode('１２３４５６')).toEqual({ ok: false, reason: 'bad-characters' });
  });
});

describe('QR payloads', () => {
  it('reads a QR holding a six-digit code as that code', () => {
    expect(parseQrPayload('482913')).toEqual({ ok: true, kind: 'code', code: '482913' });
  });

  it('reads a well-formed eGov share token and returns it unchanged', () => {
    const token = formatShareToken(randomBytes(48));
    expect(parseQrPayload(token)).toEqual({ ok: true, kind: 'token', token });
  });

  it('accepts share tokens at both ends of the body size range and nothing beyond', () => {
    expect(parseShareToken(formatShareToken(randomBytes(16))).ok).toBe(true);
    const longest = formatShareToken(randomBytes(256));
    expect(longest.length).toBe(SHARE_TOKEN_MAX_LENGTH);
    expect(parseShareToken(longest).ok).toBe(true);
    expect(() => formatShareToken(randomBytes(15))).toThrow(RangeError);
    expect(() => formatShareToken(randomBytes(257))).toThrow(RangeError);
  });

  it('rejects a token with a flipped character, a wrong check, padding, extra parts or a lower-case prefix', () => {
    const token = formatShareToken(Buffer.alloc(32, 7));
    const body = token.split('.')[1]!;
    const flipped = token.replace(body, (body[0] === 'A' ? 'B' : 'A') + body.slice(1));
    expect(parseQrPayload(flipped)).toEqual({ ok: false, reason: 'bad-token' });
    expect(parseQrPayload(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toEqual({
      ok: false,
      reason: 'bad-token',
    });
    expect(parseQrPayload(token.slice(0, -2))).toEqual({ ok: false, reason: 'bad-token' });
    expect(parseQrPayload(`${token}.AAAA`)).toEqual({ ok: false, reason: 'bad-token' });
    expect(parseQrPayload(`${token}=`)).toEqual({ ok: false, reason: 'bad-characters' });
    expect(parseQrPayload(token.replace('EGS1', 'egs1'))).toEqual({ ok: false, reason: 'unknown-format' });
    expect(parseQrPayload(token.replace('EGS1', 'EGS2'))).toEqual({ ok: false, reason: 'bad-token' });
  });

  it('rejects a non-canonical base64url body (stray low bits) even when the check matches its bytes', () => {
    // 17 bytes encode to 23 characters whose last one carries 4 unused bits; a canonical encoder zeroes them.
    const token = formatShareToken(Buffer.alloc(17, 0));
    const [, body, check] = token.split('.') as [string, string, string];
    const tampered = `EGS1.${body.slice(0, -1)}B.${check}`; // 'A' → 'B' sets an unused bit, same bytes
    expect(Buffer.from(`${body.slice(0, -1)}B`, 'base64url')).toEqual(Buffer.from(body, 'base64url'));
    expect(parseQrPayload(tampered)).toEqual({ ok: false, reason: 'bad-token' });
  });

  it('rejects hostile payloads with a reason and without echoing them', () => {
    const hostile: Array<[string, string]> = [
      ['x'.repeat(MAX_QR_TEXT + 1), 'too-long'],
      ['9'.repeat(100_000), 'too-long'],
      ['<script>alert(1)</script>', 'bad-characters'],
      ['<img src=x onerror=alert(1)>', 'bad-characters'],
      ['https://egov.kz/login?code=123456', 'bad-characters'],
      ['javascript:alert(1)', 'bad-characters'],
      ['file:///etc/passwd', 'bad-characters'],
      ['\u0000\u0001\u0002\u00ff\ufffd', 'bad-characters'],
      ['123456\u200b', 'bad-characters'],
      ['1234567', 'wrong-length'],
      ['DROP_TABLE_visits', 'unknown-format'],
      ['', 'empty'],
    ];
    for (const [text, reason] of hostile) {
      const r = parseQrPayload(text);
      expect(r, JSON.stringify(text.slice(0, 40))).toEqual({ ok: false, reason });
      expect(JSON.stringify(r)).not.toContain(text.slice(0, 8) || '\u0000never');
    }
  });
});
