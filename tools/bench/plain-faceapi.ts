/**
 * Plain face-api in this thread, on tfjs's wasm backend (no worker, no kiosk pipeline): what the
 * benchmarks measure the kiosk against, in the same run. One loader for the baselines, the stage
 * profile and time to ticket.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { wasmDir } from '../../electron/core/face/backend.js';
import { openModelPackage } from '../../electron/core/face/model-package.js';
import { readFaceApiNet } from '../../electron/core/face/models.js';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { projectRoot } from '../harness/fixtures.js';

type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');
type NetName = 'tinyFaceDetector' | 'faceLandmark68Net' | 'faceLandmark68TinyNet' | 'faceRecognitionNet';
const nodeRequire = createRequire(import.meta.url);

const weightFiles: Record<NetName, string> = {
  tinyFaceDetector: 'tiny_face_detector_model',
  faceLandmark68Net: 'face_landmark_68_model',
  faceLandmark68TinyNet: 'face_landmark_68_tiny_model',
  faceRecognitionNet: 'face_recognition_model',
};

/** face-api with `nets` loaded from the built-in model package, and a frame → tensor copy (of `region`, or all). */
export async function loadPlainFaceApi(nets: NetName[]) {
  const faceapi = nodeRequire('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  const tfc = nodeRequire('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  (nodeRequire('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')).setWasmPaths(
    wasmDir(),
  );
  tfc.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tfc.setBackend('wasm');
  await tfc.ready();
  const tf = faceapi.tf;
  const pkg = openModelPackage(join(projectRoot, 'models'));
  for (const net of nets) {
    const m = readFaceApiNet(pkg, `${weightFiles[net]}-weights_manifest.json`);
    faceapi.nets[net].loadFromWeightMap(
      tf.io.decodeWeights(m.data, m.specs as Parameters<typeof tf.io.decodeWeights>[1]),
    );
  }
  const toTensor = (f: RgbaFrame, r = { x: 0, y: 0, width: f.width, height: f.height }) => {
    const rgb = new Float32Array(r.width * r.height * 3);
    for (let y = 0, j = 0; y < r.height; y++) {
      for (let i = ((r.y + y) * f.width + r.x) * 4, end = i + r.width * 4; i < end; i += 4, j += 3) {
        rgb[j] = f.data[i] as number;
        rgb[j + 1] = f.data[i + 1] as number;
        rgb[j + 2] = f.data[i + 2] as number;
      }
    }
    return tf.tensor3d(rgb, [r.height, r.width, 3]);
  };
  return { faceapi, tfc, tf, toTensor };
}
