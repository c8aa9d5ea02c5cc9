import { loadImageFrame } from '../../electron/core/face/image-file.js';
import type { RgbaFrame } from '../../electron/core/face/types.js';

/**
 * Decodes an image file to an RGBA frame (what the camera path gives the engine). With `fit`, the
 * image is letterboxed into exactly that size (e.g. 640×480, as the kiosk sends), never cropped;
 * `region` first cuts out part of the image (to frame people as a kiosk camera would).
 */
export const loadRgba = (
  path: string,
  fit?: { width: number; height: number },
  region?: { left: number; top: number; width: number; height: number },
): Promise<RgbaFrame> => loadImageFrame(path, { ...(fit ? { contain: fit } : {}), ...(region ? { region } : {}) });

/** A copy of a frame (tests reuse fixtures after transferring them to the engine). */
export const copyFrame = (f: RgbaFrame): RgbaFrame => ({
  width: f.width,
  height: f.height,
  data: new Uint8Array(f.data),
});
