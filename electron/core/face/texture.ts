/**
 * Passive presentation-attack detection ("texture"): MiniFASNet (minivision's Silent-Face-Anti-
 * Spoofing, Apache-2.0) run with onnxruntime-node on the tracked face of a frame. Each net looks
 * at a crop around the face box (the box scaled by the net's own factor: 2.7 and 4.0) resized to
 * 80×80, BGR, channels first, raw 0–255; the softmax's index 1 is "real". The score of a frame is
 * the mean of the nets' real probabilities (the original sums them). Runs in the face worker.
 */
import { openOrtSession, requireOrt, type OrtSession } from './onnx-runtime.js';
import type { Box, RgbaFrame } from './types.js';
import { FaceEngineError } from './types.js';

export interface TextureNet {
  /** The ONNX graph's bytes (verified against the package manifest before this is called). */
  bytes: Uint8Array;
  /** Crop side as a multiple of the face box (the prefix of minivision's file names). */
  scale: number;
  /** Input side, px (80). */
  inputSize: number;
  /** Index of "real" in the net's output. */
  realIndex: number;
}

/**
 * The crop minivision's code takes (`_get_new_box`): `scale`× the box about its centre, the scale
 * reduced so the crop fits the frame, shifted to stay inside it. Integer pixel bounds, inclusive.
 */
export function textureCropBox(
  frame: { width: number; height: number },
  box: Box,
  scale: number,
): { x0: number; y0: number; x1: number; y1: number } {
  const w = frame.width;
  const h = frame.height;
  const s = Math.min((h - 1) / box.height, (w - 1) / box.width, scale);
  const nw = box.width * s;
  const nh = box.height * s;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  let x0 = cx - nw / 2;
  let y0 = cy - nh / 2;
  let x1 = cx + nw / 2;
  let y1 = cy + nh / 2;
  if (x0 < 0) {
    x1 -= x0;
    x0 = 0;
  }
  if (y0 < 0) {
    y1 -= y0;
    y0 = 0;
  }
  if (x1 > w - 1) {
    x0 -= x1 - w + 1;
    x1 = w - 1;
  }
  if (y1 > h - 1) {
    y0 -= y1 - h + 1;
    y1 = h - 1;
  }
  return { x0: Math.max(0, Math.trunc(x0)), y0: Math.max(0, Math.trunc(y0)), x1: Math.trunc(x1), y1: Math.trunc(y1) };
}

/**
 * The net's input: the crop resized to side×side as OpenCV's INTER_LINEAR does (half-pixel
 * centres), BGR planes, raw 0–255.
 */
export function textureInput(frame: RgbaFrame, box: Box, scale: number, side: number): Float32Array {
  const { x0, y0, x1, y1 } = textureCropBox(frame, box, scale);
  const cw = x1 - x0 + 1;
  const ch = y1 - y0 + 1;
  const plane = side * side;
  const out = new Float32Array(plane * 3);
  const sx = cw / side;
  const sy = ch / side;
  const { width, data } = frame;
  for (let dy = 0; dy < side; dy++) {
    let fy = (dy + 0.5) * sy - 0.5;
    if (fy < 0) fy = 0;
    let iy = Math.floor(fy);
    if (iy >= ch - 1) {
      iy = ch - 1;
      fy = iy;
    }
    const wy = fy - iy;
    const r0 = (y0 + iy) * width;
    const r1 = (y0 + Math.min(iy + 1, ch - 1)) * width;
    for (let dx = 0; dx < side; dx++) {
      let fx = (dx + 0.5) * sx - 0.5;
      if (fx < 0) fx = 0;
      let ix = Math.floor(fx);
      if (ix >= cw - 1) {
        ix = cw - 1;
        fx = ix;
      }
      const wx = fx - ix;
      const c0 = x0 + ix;
      const c1 = x0 + Math.min(ix + 1, cw - 1);
      const o = dy * side + dx;
      for (let c = 0; c < 3; c++) {
        const p00 = data[(r0 + c0) * 4 + c] as number;
        const p01 = data[(r0 + c1) * 4 + c] as number;
        const p10 = data[(r1 + c0) * 4 + c] as number;
        const p11 = data[(r1 + c1) * 4 + c] as number;
        const v = (p00 * (1 - wx) + p01 * wx) * (1 - wy) + (p10 * (1 - wx) + p11 * wx) * wy;
        // RGBA channel c → BGR plane 2 − c.
        out[(2 - c) * plane + o] = v;
      }
    }
  }
  return out;
}

export interface TextureScorer {
  /** Real-face probability of the face in `box` (0–1): the mean of the nets' softmax "real". */
  score(frame: RgbaFrame, box: Box): Promise<number>;
}

export async function createTextureScorer(nets: readonly TextureNet[], modelId: string): Promise<TextureScorer> {
  const ort = requireOrt(
    `The texture model ${modelId}`,
    'Reinstall the kiosk software; the photo check stays off until it loads.',
    'models',
  );
  const sessions: Array<{ net: TextureNet; session: OrtSession; input: string; output: string }> = [];
  for (const net of nets) {
    const session = await openOrtSession(ort, net.bytes, `The texture model ${modelId}`);
    const input = session.inputNames[0];
    const output = session.outputNames[0];
    if (!input || !output) throw new FaceEngineError('models', `The texture model ${modelId} has no input or output.`);
    sessions.push({ net, session, input, output });
  }
  const score = async (frame: RgbaFrame, box: Box): Promise<number> => {
    let sum = 0;
    for (const { net, session, input, output } of sessions) {
      const pixels = textureInput(frame, box, net.scale, net.inputSize);
      try {
        const out = await session.run({
          [input]: new ort.Tensor('float32', pixels, [1, 3, net.inputSize, net.inputSize]),
        });
        const logits = Array.from(out[output]?.data ?? [], Number);
        if (logits.length <= net.realIndex)
          throw new FaceEngineError('failed', `The texture model ${modelId} gave ${logits.length} outputs.`);
        const max = Math.max(...logits);
        const exps = logits.map((l) => Math.exp(l - max));
        const total = exps.reduce((a, b) => a + b, 0);
        sum += (exps[net.realIndex] as number) / total;
      } finally {
        pixels.fill(0);
      }
    }
    return sum / sessions.length;
  };
  // Warm-up: the first run allocates and optimises.
  await score(
    { width: 160, height: 120, data: new Uint8Array(160 * 120 * 4).fill(128) },
    { x: 50, y: 30, width: 60, height: 60 },
  );
  return { score };
}
