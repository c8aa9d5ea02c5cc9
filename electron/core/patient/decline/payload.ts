import { CODE_LENGTH, MAX_QR_TEXT } from './limits.js';
import { parseShareToken } from './share-token.js';

/**
 * Form checks for what a patient hands the kiosk instead of a photo. The kiosk never knows whether a
 * code is genuine (the upstream decides); it only refuses what cannot be one. Both parsers are total:
 * any string in, a verdict out, never an exception, and the input is never echoed in a reason.
 */
/** `egov-rejected` is never a parser's: the upstream refused a well-formed code (decline service). */
export const rejectionReasons = [
  'empty',
  'too-long',
  'wrong-length',
  'bad-characters',
  'bad-token',
  'unknown-format',
  'egov-rejected',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

export type CodeResult = { ok: true; code: string } | { ok: false; reason: RejectionReason };
export type QrResult =
  | { ok: true; kind: 'code'; code: string }
  | { ok: true; kind: 'token'; token: string }
  | { ok: false; reason: RejectionReason };

const SIX_DIGITS = /^[0-9]{6}$/;
const DIGITS = /^[0-9]+$/;
/** Every character either format can contain; anything else (controls, '<', ':', '/', non-ASCII) is refused early. */
const QR_ALPHABET = /^[A-Za-z0-9._-]+$/;

/** A code typed on the keypad or keyboard: exactly six ASCII digits. */
export function parseCode(input: string): CodeResult {
  if (typeof input !== 'string' || input.length === 0) return { ok: false, reason: 'empty' };
  if (input.length > MAX_QR_TEXT) return { ok: false, reason: 'too-long' };
  if (!DIGITS.test(input)) return { ok: false, reason: 'bad-characters' };
  if (input.length !== CODE_LENGTH) return { ok: false, reason: 'wrong-length' };
  return SIX_DIGITS.test(input) ? { ok: true, code: input } : { ok: false, reason: 'wrong-length' };
}

/** The text of a QR code (camera or USB scanner): a six-digit code, an eGov share token, or nothing. */
export function parseQrPayload(text: string): QrResult {
  if (typeof text !== 'string' || text.length === 0) return { ok: false, reason: 'empty' };
  if (text.length > MAX_QR_TEXT) return { ok: false, reason: 'too-long' };
  if (!QR_ALPHABET.test(text)) return { ok: false, reason: 'bad-characters' };
  if (DIGITS.test(text)) {
    const code = parseCode(text);
    return code.ok ? { ok: true, kind: 'code', code: code.code } : code;
  }
  if (text.startsWith('EGS')) {
    const token = parseShareToken(text);
    return token.ok ? { ok: true, kind: 'token', token: token.token } : token;
  }
  return { ok: false, reason: 'unknown-format' };
}
