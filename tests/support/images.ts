import sharp from 'sharp';
import type { RgbaFrame } from '../../electron/core/face/types.js';

/**
 * Decodes an image file to an RGBA frame (what the camera path gives the engine). With `fit`, the
 * image is letterboxed into exactly that size (e.g. 640×480, as the kiosk sends), never cropped;
 * `region` first cuts out part of the image (to frame people as a kiosk camera would).
 */
export async function loadRgba(
  path: string,
  fit?: { width: number; height: number },
  region?: { left: number; top: number; width: number; height: number },
): Promise<RgbaFrame> {
  let img = sharp(path).rotate();
  if (region) img = img.extract(region);
  if (fit) img = img.resize(fit.width, fit.height, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 1 } });
  const { data, info } = await img.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  // A fresh Uint8Array over its own ArrayBuffer, so it can be transferred to the engine.
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

/** A copy of a frame (tests reuse fixtures after transferring them to the engine). */
export const copyFrame = (f: RgbaFrame): RgbaFrame => ({ width: f.width, height: f.height, data: new Uint8Array(f.data) });
