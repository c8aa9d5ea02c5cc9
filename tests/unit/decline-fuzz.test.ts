import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCode, parseQrPayload } from '../../electron/core/patient/decline/payload.js';
import { formatShareToken } from '../../electron/core/patient/decline/share-token.js';

/**
 * Fuzzing the two parsers that see hostile input. The oracle below is written independently of the
 * parsers, from the format as documented in docs/decline.md, so an accepted input is checked against
 * the documentation, not against the code that accepted it.
 */
function documentedToken(text: string): boolean {
  const m = /^EGS1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{6})$/.exec(text);
  if (!m) return false;
  const body = Buffer.from(m[1]!, 'base64url');
  const check = Buffer.from(m[2]!, 'base64url');
  return (
    body.length >= 16 &&
    body.length <= 256 &&
    body.toString('base64url') === m[1] &&
    check.length === 4 &&
    check.toString('base64url') === m[2] &&
    check.readUInt32BE(0) === crc32(body)
  );
}

const RUNS = 12_000;

/** Inputs near the valid ones as well as far away: random text, binary, digits, and mutated tokens. */
const anyText = fc.oneof(
  fc.string({ maxLength: 600 }),
  fc.string({ unit: 'binary', maxLength: 600 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.stringMatching(/^[0-9]{0,9}$/),
  fc.stringMatching(/^EGS1\.[A-Za-z0-9_.=+/-]{0,400}$/),
  fc
    .tuple(fc.uint8Array({ minLength: 10, maxLength: 270 }), fc.nat(), fc.string({ maxLength: 3 }))
    .map(([bytes, at, junk]) => {
      const token =
        bytes.length >= 16 && bytes.length <= 256
          ? formatShareToken(bytes)
          : `EGS1.${Buffer.from(bytes).toString('base64url')}.AAAAAA`;
      const i = at % (token.length + 1);
      return token.slice(0, i) + junk + token.slice(i + (junk.length > 0 ? 1 : 0));
    }),
);

describe('decline parsers under fuzzing', () => {
  it(`parseQrPayload: ${RUNS} random inputs, no exception, only documented forms accepted`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(anyText, (text) => {
        const r = parseQrPayload(text);
        if (!r.ok) return;
        accepted++;
        if (r.kind === 'code') expect(r.code).toMatch(/^[0-9]{6}$/);
        else expect(documentedToken(r.token)).toBe(true);
        expect(r.kind === 'code' ? r.code : r.token).toBe(text);
      }),
      { numRuns: RUNS },
    );
    // The generators must reach the accepting branches too, or the property says little.
    expect(accepted).toBeGreaterThan(100);
  });

  it('parseQrPayload accepts every well-formed share token (no false rejections)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 256 }), (bytes) => {
        const token = formatShareToken(bytes);
        expect(parseQrPayload(token)).toEqual({ ok: true, kind: 'token', token });
      }),
      { numRuns: 2_000 },
    );
  });

  it(`parseCode: ${RUNS} random inputs, no exception, only six ASCII digits accepted`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 20 }),
          fc.string({ unit: 'binary', maxLength: 20 }),
          fc.stringMatching(/^[0-9]{0,8}$/),
        ),
        (text) => {
          const r = parseCode(text);
          expect(r.ok).toBe(/^[0-9]{6}$/.test(text));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
