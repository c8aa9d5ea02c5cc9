/**
 * A faster Concat for tfjs's wasm backend, registered in the face worker in place of the stock one.
 *
 * Why: face-api normalises the detector's input by concatenating three [1, S, S, 1] mean planes on
 * the channel axis, every frame. The stock wasm Concat (written in JS) copies each outer row with a
 * `subarray` + `set` per input: for that concat, 3 × S² tiny copies and as many short-lived array
 * views (S = 224: 150,000 per frame). Profiled in the face worker: about 9 ms of CPU a frame plus
 * the garbage it leaves, a quarter of the whole analysis (docs/presence.md, "Cost"). The same copy
 * as a plain element loop costs a fraction of a millisecond.
 *
 * The result is identical element for element (tests/unit/face-wasm-kernels.test.ts compares it with
 * the stock kernel); strings and concats with few outer rows (where the stock kernel's block copies
 * are already fast) still go to the stock kernel.
 */
type TfCore = typeof import('@tensorflow/tfjs');
type TensorInfo = import('@tensorflow/tfjs').TensorInfo;
type KernelConfig = import('@tensorflow/tfjs').KernelConfig;

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/** Below this many outer rows the stock kernel copies big blocks and is as fast. */
const MIN_ROWS = 64;

/** Replaces the wasm backend's Concat with the element-loop copy; answers whether it did. */
export function registerFastConcat(tf: TfCore): boolean {
  const stock = tf.getKernel('Concat', 'wasm') as KernelConfig | undefined;
  if (!stock) return false;
  const stockFunc = stock.kernelFunc;
  const kernelFunc: KernelConfig['kernelFunc'] = (args) => {
    const inputs = args.inputs as unknown as TensorInfo[];
    const backend = args.backend as unknown as WasmBackendLike;
    if (!Array.isArray(inputs) || inputs.length < 2) return stockFunc(args);
    const first = inputs[0] as TensorInfo;
    if (inputs.some((t) => t.dtype === 'string' || t.dtype !== first.dtype)) return stockFunc(args);
    const axis = tf.util.parseAxisParam((args.attrs as { axis: number | number[] }).axis, first.shape)[0] as number;
    const present = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
    const head = present[0];
    if (!head || present.length < 2) return stockFunc(args);
    const rows = tf.util.sizeFromShape(head.shape.slice(0, axis));
    if (rows < MIN_ROWS) return stockFunc(args);
    const shapes = inputs.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const outShape = tf.backend_util.computeOutShape(shapes, axis);
    // The output first: allocating may grow the wasm heap, which detaches views taken before.
    const out = backend.makeOutput(outShape, first.dtype);
    const widths = present.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
    const sources = present.map((t) => backend.typedArrayFromHeap(t));
    const target = backend.typedArrayFromHeap(out);
    let o = 0;
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < sources.length; i++) {
        const width = widths[i] as number;
        const source = sources[i] as Float32Array;
        let s = r * width;
        if (width > 32) {
          target.set(source.subarray(s, s + width), o);
          o += width;
        } else for (const end = s + width; s < end;) target[o++] = source[s++] as number;
      }
    }
    return out;
  };
  tf.unregisterKernel('Concat', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
  return true;
}
