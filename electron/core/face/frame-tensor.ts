// Camera frames into tfjs tensors for the pipeline, without a fresh pixel array per frame, and with
// every copy of the pixels wiped once it is no longer needed.
import type { Tensor3D, Tf } from './pipeline-types.js';
import type { Box, FaceBackend, RgbaFrame } from './types.js';

export interface FrameTensors {
  toTensor(frame: RgbaFrame, region?: Box): Tensor3D;
  /** Disposes a tensor made by toTensor and wipes the pixels it may still have been reading. */
  release(t: Tensor3D): void;
}

export function createFrameTensors(tf: Tf, backend: FaceBackend): FrameTensors {
  const wipeAfterDispose = new WeakMap<Tensor3D, Float32Array>();
  const release = (t: Tensor3D): void => {
    t.dispose();
    wipeAfterDispose.get(t)?.fill(0);
  };

  /**
   * RGBA bytes → float RGB tensor [h, w, 3] in one pass (tfjs has no RGBA input in Node); of the
   * whole frame, or only of `region` (integer pixels inside the frame). On wasm the pixels are copied
   * into the wasm heap as the tensor is made, so one scratch array serves every frame (wiped at once):
   * no 2 MB allocation per frame for the garbage collector to chase.
   */
  let scratch = new Float32Array(0);
  const toTensor = (frame: RgbaFrame, region?: Box): Tensor3D => {
    const { data } = frame;
    const x0 = region?.x ?? 0;
    const y0 = region?.y ?? 0;
    const width = region?.width ?? frame.width;
    const height = region?.height ?? frame.height;
    const size = width * height * 3;
    if (backend === 'wasm' && scratch.length < size) scratch = new Float32Array(size);
    const rgb = backend === 'wasm' ? scratch.subarray(0, size) : new Float32Array(size);
    for (let y = 0, j = 0; y < height; y++) {
      for (let i = ((y0 + y) * frame.width + x0) * 4, end = i + width * 4; i < end; i += 4, j += 3) {
        rgb[j] = data[i] as number;
        rgb[j + 1] = data[i + 1] as number;
        rgb[j + 2] = data[i + 2] as number;
      }
    }
    const tensor = tf.tensor3d(rgb, [height, width, 3], 'float32');
    // wasm has copied the pixels; tfjs-node may read the array lazily, so it is wiped once the tensor is disposed.
    if (backend === 'wasm') rgb.fill(0);
    else wipeAfterDispose.set(tensor, rgb);
    return tensor;
  };
  return { toTensor, release };
}
