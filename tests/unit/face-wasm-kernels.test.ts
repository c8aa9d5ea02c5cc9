// The face worker's Concat for tfjs's wasm backend (face/wasm-kernels.ts) gives exactly what the
// stock kernel gives, on the concats face-api makes and on others.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { wasmDir } from '../../electron/core/face/backend.js';
import { registerFastConcat } from '../../electron/core/face/wasm-kernels.js';

const nodeRequire = createRequire(import.meta.url);
type Tf = typeof import('@tensorflow/tfjs');

describe('the wasm Concat kernel', () => {
  it('matches the stock kernel element for element', async () => {
    const tf = nodeRequire('@tensorflow/tfjs') as Tf;
    (nodeRequire('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')).setWasmPaths(
      wasmDir(),
    );
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    await tf.setBackend('wasm');
    await tf.ready();
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 255;
    const cases: Array<{ shapes: number[][]; axis: number; dtype?: 'float32' | 'int32' }> = [
      // face-api's normalisation: three mean planes on the channel axis.
      {
        shapes: [
          [1, 224, 224, 1],
          [1, 224, 224, 1],
          [1, 224, 224, 1],
        ],
        axis: 3,
      },
      {
        shapes: [
          [1, 160, 160, 1],
          [1, 160, 160, 1],
          [1, 160, 160, 1],
        ],
        axis: -1,
      },
      // Padding to a square: rows and columns.
      {
        shapes: [
          [360, 480, 3],
          [120, 480, 3],
        ],
        axis: 0,
      },
      {
        shapes: [
          [200, 150, 3],
          [200, 50, 3],
        ],
        axis: 1,
      },
      {
        shapes: [
          [100, 3, 40],
          [100, 5, 40],
          [100, 0, 40],
        ],
        axis: 1,
      },
      {
        shapes: [
          [300, 2],
          [300, 1],
        ],
        axis: 1,
        dtype: 'int32',
      },
      {
        shapes: [
          [2, 3],
          [2, 4],
        ],
        axis: 1,
      },
    ];
    const run = () =>
      cases.map(({ shapes, axis, dtype }) =>
        tf.tidy(() => {
          seed = 7;
          const xs = shapes.map((s) =>
            tf.tensor(Array.from({ length: s.reduce((a, b) => a * b, 1) }, random), s, dtype ?? 'float32'),
          );
          const out = tf.concat(xs, axis);
          return { shape: out.shape, values: Array.from(out.dataSync()) };
        }),
      );
    const stock = run();
    expect(registerFastConcat(tf)).toBe(true);
    const fast = run();
    expect(fast).toEqual(stock);
    expect(tf.memory().numTensors).toBe(0);
  });
});
