/**
 * The DESIGN.md baselines re-measured in the same run: plain face-api calls (no worker, no
 * refinement) on the same frames, so the comparison is not skewed by how busy the shared machine is.
 *  - detect224: tinyFaceDetector at 224 alone (what live analysis builds on)
 *  - describe416: detectAllFaces(tiny 416).withFaceLandmarks().withFaceDescriptors()
 */
import type { RgbaFrame } from '../../electron/core/face/types.js';
import { loadPlainFaceApi } from './plain-faceapi.js';
import { percentile } from '../percentile.js';

export interface BaselineResult {
  baseline_detect224_p50_ms: number;
  baseline_describe416_p50_ms: number;
  baseline_describe416_cpu_ms: number;
}

export async function runBaseline(frames: RgbaFrame[], iterations: number): Promise<BaselineResult> {
  const { faceapi, toTensor } = await loadPlainFaceApi(['tinyFaceDetector', 'faceLandmark68Net', 'faceRecognitionNet']);
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
