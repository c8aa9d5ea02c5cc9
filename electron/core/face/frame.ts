/**
 * Validation of RGBA frames, run by the client before posting and again in the worker (a frame
 * crosses a thread boundary, so the worker trusts nothing). Errors say exactly what is wrong.
 */
import { FaceEngineError, type RgbaFrame } from './types.js';

/** Largest side and pixel count accepted: well above any camera frame, far below what would exhaust memory. */
export const MAX_SIDE = 4096;
export const MAX_PIXELS = 4096 * 4096;

const bad = (message: string): never => {
  throw new FaceEngineError('bad-frame', message);
};

/** Returns the frame typed, or throws FaceEngineError('bad-frame') naming the problem. */
export function validateFrame(frame: unknown): RgbaFrame {
  if (typeof frame !== 'object' || frame === null) return bad('Frame must be an object { width, height, data }.');
  const { width, height, data } = frame as Record<string, unknown>;
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v))
      return bad(`Frame ${name} must be an integer number of pixels, got ${describeValue(v)}.`);
    if (v <= 0) return bad(`Frame ${name} must be at least 1 pixel, got ${v}.`);
    if (v > MAX_SIDE) return bad(`Frame ${name} ${v} is larger than the ${MAX_SIDE} pixels accepted.`);
  }
  const w = width as number;
  const h = height as number;
  if (w * h > MAX_PIXELS) return bad(`Frame ${w}×${h} has more than the ${MAX_PIXELS} pixels accepted.`);
  if (!(data instanceof Uint8Array) && !(data instanceof Uint8ClampedArray)) {
    return bad(`Frame data must be a Uint8Array or Uint8ClampedArray of RGBA bytes, got ${describeValue(data)}.`);
  }
  const expected = w * h * 4;
  if (data.length !== expected) {
    const hint =
      data.length === 0
        ? ' (its buffer is empty: was it already transferred to the engine? pass { keep: true } to reuse a frame)'
        : data.length === w * h * 3
          ? ' (that is RGB; the engine takes RGBA, 4 bytes a pixel)'
          : '';
    return bad(`Frame data has ${data.length} bytes; a ${w}×${h} RGBA frame needs ${expected}${hint}.`);
  }
  return { width: w, height: h, data };
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
