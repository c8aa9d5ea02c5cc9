/**
 * The DESIGN.md baselines re-measured in the same run: plain face-api calls (no worker, no
 * refinement) on the same frames, so the comparison is not skewed by how busy the shared machine is.
 *  - detect224: tinyFaceDetector at 224 alone (what live analysis builds on)
 *  - describe416: detectAllFaces(tiny 416).withFaceLandmarks().withFaceDescriptors()
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { wasmDir } from '../../electron/core/face/backend.js';
import { openModelPackage } from '../../electron/core/face/model-package.js';
import { readFaceApiNet } from '../../electron/core/face/models.js';
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { projectRoot } from '../harness/fixtures.js';
import { percentile } from '../percentile.js';

type FaceApi = typeof import('@vladmandic/face-api/dist/face-api.node-wasm.js');
const nodeRequire = createRequire(import.meta.url);

export interface BaselineResult {
  baseline_detect224_p50_ms: number;
  baseline_describe416_p50_ms: number;
  baseline_describe416_cpu_ms: number;
}

export async function runBaseline(frames: RgbaFrame[], iterations: number): Promise<BaselineResult> {
  const faceapi = nodeRequire('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  const core = nodeRequire('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  (nodeRequire('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')).setWasmPaths(
    wasmDir(),
  );
  core.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await core.setBackend('wasm');
  await core.ready();
  const tf = faceapi.tf;
  const names = ['tiny_face_detector_model', 'face_landmark_68_model', 'face_recognition_model'];
  const pkg = openModelPackage(join(projectRoot, 'models'));
  const nets = [faceapi.nets.tinyFaceDetector, faceapi.nets.faceLandmark68Net, faceapi.nets.faceRecognitionNet];
  names.forEach((n, i) => {
    const m = readFaceApiNet(pkg, `${n}-weights_manifest.json`);
    nets[i]!.loadFromWeightMap(tf.io.decodeWeights(m.data, m.specs as Parameters<typeof tf.io.decodeWeights>[1]));
  });
  const toTensor = (f: RgbaFrame) => {
    const rgb = new Float32Array(f.width * f.height * 3);
    for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
      rgb[j] = f.data[i] as number;
      rgb[j + 1] = f.data[i + 1] as number;
      rgb[j + 2] = f.data[i + 2] as number;
    }
    return tf.tensor3d(rgb, [f.height, f.width, 3]);
  };
  const tiny224 = new faceapi.TinyFaceDetectorOptions({ inputSize: 224 });
  const tiny416 = new faceapi.TinyFaceDetectorOptions({ inputSize: 416 });
  const time = async (fn: (t: ReturnType<typeof toTensor>) => Promise<void>): Promise<{ p50: number; cpu: number }> => {
    for (const f of frames) {
      const t = toTensor(f);
      await fn(t);
      t.dispose();
    }
    const ms: number[] = [];
    const c0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const t = toTensor(frames[i % frames.length] as RgbaFrame);
      const s = performance.now();
      await fn(t);
      ms.push(performance.now() - s);
      t.dispose();
    }
    const c = process.cpuUsage(c0);
    return { p50: percentile(ms, 50), cpu: (c.user + c.system) / 1000 / iterations };
  };
  const detect = await time(async (t) => {
    await faceapi.detectAllFaces(t, tiny224);
  });
  const describe = await time(async (t) => {
    await faceapi.detectAllFaces(t, tiny416).withFaceLandmarks().withFaceDescriptors();
  });
  const r = (v: number): number => Math.round(v * 10) / 10;
  return {
    baseline_detect224_p50_ms: r(detect.p50),
    baseline_describe416_p50_ms: r(describe.p50),
    baseline_describe416_cpu_ms: r(describe.cpu),
  };
}
