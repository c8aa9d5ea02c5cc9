import sharp from 'sharp';
import type { RgbaFrame } from './types.js';

/**
 * An image file as the engine takes it: RGBA, EXIF-rotated, optionally cut to a region, then
 * letterboxed into `contain` (black bars, as a 640×480 camera frame) or shrunk so its longer side
 * is at most `maxSide`. For the tools that read pictures (eval-faces, upstream enrolment, tests);
 * the kiosk itself only ever sees camera frames.
 */
export async function loadImageFrame(
  path: string,
  options: {
    contain?: { width: number; height: number };
    maxSide?: number;
    region?: { left: number; top: number; width: number; height: number };
  } = {},
): Promise<RgbaFrame> {
  let img = sharp(path).rotate();
  if (options.region) img = img.extract(options.region);
  if (options.contain)
    img = img.resize(options.contain.width, options.contain.height, {
      fit: 'contain',
      background: { r: 0, g: 0, b: 0, alpha: 1 },
    });
  else if (options.maxSide)
    img = img.resize(options.maxSide, options.maxSide, { fit: 'inside', withoutEnlargement: true });
  const { data, info } = await img.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  // A fresh Uint8Array over its own ArrayBuffer, so it can be transferred to the engine.
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}
