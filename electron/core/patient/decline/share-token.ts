import { crc32 } from 'node:zlib';

/**
 * The eGov share token: Kelu's OWN format (not an eGov specification) for a QR code that carries
 * more than the six-digit code. docs/decline.md is the reference; this module is its only parser.
 *
 *   EGS1.<body>.<check>
 *
 *   EGS1   literal prefix and version (upper case, exactly as written)
 *   body   base64url without padding (RFC 4648 §5) of 16..256 opaque bytes, canonical encoding only
 *   check  base64url without padding of the big-endian CRC-32 of the body bytes (always 6 characters)
 *
 * The kiosk never interprets the body: it only checks the form and seals the token for the upstream.
 * The check catches truncated or mistyped scans (a USB scanner can drop a keystroke), not forgery.
 */
export const SHARE_TOKEN_PREFIX = 'EGS1.';
export const SHARE_TOKEN_MIN_BYTES = 16;
export const SHARE_TOKEN_MAX_BYTES = 256;
const CHECK_CHARS = 6;

/** Longest valid token: prefix + body for 256 bytes + '.' + check. */
export const SHARE_TOKEN_MAX_LENGTH =
  SHARE_TOKEN_PREFIX.length + encodedLength(SHARE_TOKEN_MAX_BYTES) + 1 + CHECK_CHARS;

export type ShareTokenResult = { ok: true; token: string } | { ok: false; reason: 'bad-token' };

const B64URL = /^[A-Za-z0-9_-]+$/;

/** Strict parser: anything not exactly in the documented form is rejected, never repaired. */
export function parseShareToken(text: string): ShareTokenResult {
  const bad = { ok: false, reason: 'bad-token' } as const;
  if (text.length > SHARE_TOKEN_MAX_LENGTH || !text.startsWith(SHARE_TOKEN_PREFIX)) return bad;
  const parts = text.slice(SHARE_TOKEN_PREFIX.length).split('.');
  if (parts.length !== 2) return bad;
  const [body, check] = parts as [string, string];
  if (check.length !== CHECK_CHARS || !B64URL.test(body) || !B64URL.test(check)) return bad;
  const bytes = decodeBase64Url(body);
  if (!bytes || bytes.length < SHARE_TOKEN_MIN_BYTES || bytes.length > SHARE_TOKEN_MAX_BYTES) return bad;
  const sum = decodeBase64Url(check);
  if (!sum || sum.length !== 4) return bad;
  if (Buffer.from(sum).readUInt32BE(0) !== crc32(bytes)) return bad;
  return { ok: true, token: text };
}

/** Builds a token from opaque bytes (the upstream's side of the format; used by tests and docs). */
export function formatShareToken(body: Uint8Array): string {
  if (body.length < SHARE_TOKEN_MIN_BYTES || body.length > SHARE_TOKEN_MAX_BYTES) {
    throw new RangeError(`a share token body is ${SHARE_TOKEN_MIN_BYTES}..${SHARE_TOKEN_MAX_BYTES} bytes`);
  }
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(body), 0);
  return `${SHARE_TOKEN_PREFIX}${Buffer.from(body).toString('base64url')}.${sum.toString('base64url')}`;
}

/**
 * base64url without padding, canonical only: Node's decoder silently skips bad characters and
 * ignores stray bits, so the result is re-encoded and must match the input exactly.
 */
function decodeBase64Url(s: string): Uint8Array | undefined {
  if (s.length % 4 === 1) return undefined;
  const bytes = Buffer.from(s, 'base64url');
  return bytes.toString('base64url') === s ? bytes : undefined;
}

function encodedLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}
