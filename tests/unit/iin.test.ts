import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkIin, iinCheckDigit, maskIin } from '../../electron/core/platform/identity/iin.js';

/** Completes eleven digits with their check digit (null when no valid IIN starts so). */
function complete(first11: string): string | null {
  const check = iinCheckDigit(first11);
  return check === null ? null : `${first11}${check}`;
}

/** A checksum-correct IIN starting with these seven digits (date + century), whatever they mean. */
function withChecksum(first7: string): string {
  for (let serial = 0; serial < 100; serial++) {
    const iin = complete(`${first7}${String(serial).padStart(4, '0')}`);
    if (iin) return iin;
  }
  throw new Error('no serial found');
}

const now = new Date('2026-06-01T00:00:00Z');

describe('IIN validation', () => {
  it('accepts a well-formed IIN and computes the check digit by the published weights', () => {
    // 900101 3 0123 ?: weights 1..11 → (9*1+0*2+0*3+1*4+0*5+1*6+3*7+0*8+1*9+2*10+3*11) = 102 → 102 mod 11 = 3
    expect(iinCheckDigit('90010130123')).toBe(3);
    expect(checkIin('900101301233', now)).toEqual({ valid: true });
  });

  it('falls back to the second weights when the first sum gives 10', () => {
    // Find an 11-digit prefix whose first sum is 10 and check the second weights decide.
    const prefix = '88020230000';
    const digits = [...prefix].map(Number);
    const first = digits.reduce((s, d, i) => s + d * (i + 1), 0) % 11;
    const secondW = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    const second = digits.reduce((s, d, i) => s + d * secondW[i]!, 0) % 11;
    expect(first).toBe(10);
    expect(iinCheckDigit(prefix)).toBe(second === 10 ? null : second);
  });

  it('rejects wrong length, letters and empty input', () => {
    for (const bad of ['', '12345', '9001013012334', '90010130123a', ' 900101301233'])
      expect(checkIin(bad, now)).toEqual({ valid: false, problem: 'length' });
  });

  it('rejects impossible dates and birth dates in the future', () => {
    // 30 Feb, month 13, month 0, day 0, 29 Feb 2001, and 2030 (after "now")
    for (const first7 of ['9002303', '9013013', '9000013', '9001003', '0102295', '3001015'])
      expect(checkIin(withChecksum(first7), now)).toEqual({ valid: false, problem: 'date' });
  });

  it('accepts 29 February only in a leap year', () => {
    expect(checkIin(withChecksum('0002295'), now)).toEqual({ valid: true });
    expect(checkIin(withChecksum('9602293'), now)).toEqual({ valid: true });
    expect(checkIin(withChecksum('9702293'), now)).toEqual({ valid: false, problem: 'date' });
  });

  it('rejects a century digit outside 1–6', () => {
    for (const c of ['0', '7', '8', '9'])
      expect(checkIin(withChecksum(`900101${c}`), now)).toEqual({ valid: false, problem: 'century' });
    // 1 and 2 are the 1800s: 1 Jan 1890 is a real date
    expect(checkIin(withChecksum('9001011'), now)).toEqual({ valid: true });
  });

  it('rejects any single changed check digit', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1901-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 9 }),
        (date, serial, shift) => {
          const yy = String(date.getUTCFullYear() % 100).padStart(2, '0');
          const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
          const dd = String(date.getUTCDate()).padStart(2, '0');
          const centuryDigit = date.getUTCFullYear() >= 2000 ? '5' : '3';
          const iin = complete(`${yy}${mm}${dd}${centuryDigit}${String(serial).padStart(4, '0')}`);
          if (!iin) return;
          expect(checkIin(iin, now)).toEqual({ valid: true });
          const wrong = `${iin.slice(0, 11)}${(Number(iin[11]) + shift) % 10}`;
          expect(checkIin(wrong, now)).toEqual({ valid: false, problem: 'checksum' });
        },
      ),
    );
  });

  it('shows only the last four digits', () => {
    expect(maskIin('900101301233')).toBe('••••••••1233');
    expect(maskIin('900101301233')).not.toContain('9001');
  });
});
