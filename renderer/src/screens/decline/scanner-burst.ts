/**
 * USB QR scanners present themselves as keyboards and "type" the code's text followed by Enter,
 * with a few milliseconds between keys. People type at 80–300 ms between keys, and even a fast
 * typist's rolled-over key pairs do not stay under the burst gap for a whole code. So: a run of at
 * least `minLength` characters, every gap (and the final Enter) within `maxGapMs`, is a scan.
 *
 * Pure logic, no DOM: the screen feeds it key events with their timestamps.
 */
export interface BurstOptions {
  /** Shortest scan: the six-digit code. */
  minLength: number;
  /** Longest gap between two keys of one scan (scanners: 2–20 ms; the margin absorbs event jitter). */
  maxGapMs: number;
  /** Longest scan kept; a longer burst is still reported so the core can reject it as too long. */
  maxLength: number;
}

export const defaultBurstOptions: BurstOptions = { minLength: 6, maxGapMs: 50, maxLength: 8192 };

export interface KeyInput {
  /** KeyboardEvent.key */
  key: string;
  /** KeyboardEvent.code: the physical key, independent of the keyboard layout. */
  code?: string;
  shiftKey?: boolean;
  /** ms, e.g. KeyboardEvent.timeStamp */
  time: number;
}

export type BurstEvent =
  /** A printable key; `startsRun` is true when it is not within the burst gap of the previous key. */
  | { kind: 'char'; char: string; startsRun: boolean }
  /** Enter that closes a fast run: the scanned text. */
  | { kind: 'scan'; text: string }
  /** Enter typed by a person. */
  | { kind: 'enter' }
  | { kind: 'other' };

/**
 * A scanner emulates a US keyboard, but the kiosk's layout may be Kazakh or Russian, where the same
 * physical key gives a Cyrillic letter. The physical key (`code`) is therefore preferred for the
 * characters an eGov payload can hold; anything else falls back to `key`.
 */
export function keyChar(e: Pick<KeyInput, 'key' | 'code' | 'shiftKey'>): string | undefined {
  const code = e.code ?? '';
  let m = /^(?:Digit|Numpad)([0-9])$/.exec(code);
  if (m) return m[1];
  m = /^Key([A-Z])$/.exec(code);
  if (m) {
    const upper = e.key.length === 1 && e.key !== e.key.toLowerCase() ? true : Boolean(e.shiftKey);
    return upper ? m[1] : m[1]!.toLowerCase();
  }
  if (code === 'Minus') return e.shiftKey ? '_' : '-';
  if (code === 'Period' || code === 'NumpadDecimal') return '.';
  return e.key.length === 1 ? e.key : undefined;
}

export class ScannerBurstDetector {
  private run = '';
  private last = -Infinity;

  constructor(private readonly options: BurstOptions = defaultBurstOptions) {}

  push(e: KeyInput): BurstEvent {
    const gap = e.time - this.last;
    if (e.key === 'Enter') {
      const isScan = this.run.length >= this.options.minLength && gap <= this.options.maxGapMs;
      const text = this.run;
      this.reset();
      return isScan ? { kind: 'scan', text } : { kind: 'enter' };
    }
    const char = keyChar(e);
    if (char === undefined) {
      // Shift and other modifiers arrive between a scanner's keys; they neither break nor extend a run.
      if (!['Shift', 'CapsLock', 'Alt', 'Control', 'Meta', 'AltGraph'].includes(e.key)) this.reset();
      return { kind: 'other' };
    }
    const startsRun = gap > this.options.maxGapMs;
    if (startsRun) this.run = '';
    if (this.run.length < this.options.maxLength) this.run += char;
    this.last = e.time;
    return { kind: 'char', char, startsRun };
  }

  reset(): void {
    this.run = '';
    this.last = -Infinity;
  }
}
