import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyChar, ScannerBurstDetector, type BurstEvent } from '../../renderer/src/screens/decline/scanner-burst.js';

/** Feeds text as key events at the given gaps (ms); returns what the detector said at Enter. */
function type(text: string, gaps: number[], detector = new ScannerBurstDetector()): BurstEvent {
  let t = 1000;
  const keys = [...text, 'Enter'];
  let last: BurstEvent = { kind: 'other' };
  keys.forEach((k, i) => {
    t += gaps[i % gaps.length]!;
    const code = /[0-9]/.test(k) ? `Digit${k}` : /[a-z]/i.test(k) ? `Key${k.toUpperCase()}` : undefined;
    last = detector.push({ key: k, ...(code ? { code } : {}), shiftKey: /[A-Z]/.test(k), time: t });
  });
  return last;
}

/**
 * A seeded generator of human inter-key gaps: log-normal around `medianMs` (100 ms is ten digits a
 * second, a very fast typist), with one key in eight rolled over into a 15–45 ms gap.
 */
function humanGaps(seed: number, n: number, medianMs: number): number[] {
  let s = seed >>> 0 || 1;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  return Array.from({ length: n }, () => {
    if (rand() < 0.12) return 15 + rand() * 30; // two keys rolled over: a short gap now and then
    const normal = Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    return Math.max(35, medianMs * Math.exp(0.45 * normal));
  });
}

describe('USB scanner burst detector', () => {
  it('recognises a scanner typing a code at 5–30 ms per key, ending in Enter', () => {
    expect(type('482913', [8])).toEqual({ kind: 'scan', text: '482913' });
    expect(type('482913', [30, 5, 22, 12])).toEqual({ kind: 'scan', text: '482913' });
  });

  it('recognises a scanned share token with letters, dots, dashes and underscores', () => {
    const token = 'EGS1.q9-Ab_cdEFghIJklMNopQRstUV.Zx09aB';
    expect(type(token, [4])).toEqual({ kind: 'scan', text: token });
  });

  it('treats Enter typed by a person as Enter, not a scan', () => {
    expect(type('482913', [180])).toEqual({ kind: 'enter' });
    expect(type('482913', [90])).toEqual({ kind: 'enter' });
  });

  it('never mistakes human typing at realistic speeds for a scan (2,000 typed codes, 100–300 ms medians)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 100, max: 300 }),
        fc.stringMatching(/^[0-9]{6}$/),
        (seed, median, code) => {
          expect(type(code, humanGaps(seed, 7, median)).kind).toBe('enter');
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('does not count a few fast keys before a pause as a scan', () => {
    // Four rolled-over digits, a pause, then two more and Enter.
    expect(type('123456', [20, 20, 20, 20, 400, 20, 20])).toEqual({ kind: 'enter' });
  });

  it('needs at least six characters, and a slow Enter after a fast run is a person', () => {
    expect(type('12345', [5])).toEqual({ kind: 'enter' });
    expect(type('123456', [5, 5, 5, 5, 5, 5, 300])).toEqual({ kind: 'enter' });
  });

  it('reports where a fast run starts so the keypad can undo what the scanner typed into it', () => {
    const d = new ScannerBurstDetector();
    expect(d.push({ key: '1', code: 'Digit1', time: 0 })).toEqual({ kind: 'char', char: '1', startsRun: true });
    expect(d.push({ key: '2', code: 'Digit2', time: 10 })).toEqual({ kind: 'char', char: '2', startsRun: false });
    expect(d.push({ key: '3', code: 'Digit3', time: 500 })).toEqual({ kind: 'char', char: '3', startsRun: true });
  });

  it('reads the physical key, so a scanner works with the Russian or Kazakh layout active', () => {
    expect(keyChar({ key: 'у', code: 'KeyE', shiftKey: false })).toBe('e');
    expect(keyChar({ key: 'У', code: 'KeyE', shiftKey: true })).toBe('E');
    expect(keyChar({ key: '!', code: 'Digit1', shiftKey: true })).toBe('1');
    expect(keyChar({ key: 'ю', code: 'Period' })).toBe('.');
    expect(keyChar({ key: 'Backspace', code: 'Backspace' })).toBeUndefined();
  });
});
