// kioskctl eval-faces: every image through the real engine, once, with a progress bar; and each
// pair's reference images for the templates.
import cliProgress from 'cli-progress';
import type { FaceEngineClient } from '../../../../electron/core/face/engine.js';
import { loadImageFrame } from '../../../../electron/core/face/image-file.js';
import { FaceEngineError, type FaceAnalysis, type RgbaFrame } from '../../../../electron/core/face/types.js';

export interface DescribedImages {
  /** By resolved path: the descriptor and face of each image that showed exactly one face. */
  descriptors: Map<string, number[]>;
  faces: Map<string, FaceAnalysis>;
  attempted: Set<string>;
  skipped: Array<{ file: string; reason: string }>;
  /** Milliseconds per image described (detect + landmarks + descriptor). */
  times: number[];
  /** Per pair (with templates): its reference images, or null when the person has too few with a face. */
  references: Array<string[] | null>;
}

export function progressBar(): cliProgress.SingleBar {
  return new cliProgress.SingleBar(
    {
      format:
        'eval-faces: described {value}/{total} images, {skipped} skipped |{bar}| {percentage}% · eta {eta_formatted}',
      stream: process.stderr,
      noTTYOutput: true,
      notTTYSchedule: 15_000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
}

export async function describeImages(input: {
  engine: FaceEngineClient;
  bar: cliProgress.SingleBar;
  /** [resolved path, file as listed] of every image wanted up front. */
  files: Array<[string, string]>;
  orders: string[][] | null;
  maxK: number;
  pathOf: (file: string) => string;
  maxSide: number;
}): Promise<DescribedImages> {
  const { engine, bar, files, orders, maxK, pathOf } = input;
  const descriptors = new Map<string, number[]>();
  const faces = new Map<string, FaceAnalysis>();
  const attempted = new Set<string>();
  const skipped: Array<{ file: string; reason: string }> = [];
  const times: number[] = [];
  /** Describes an image once (by resolved path); no face, several faces or an unreadable file: skipped and listed. */
  const describeOnce = async (path: string, file: string): Promise<void> => {
    if (attempted.has(path)) return;
    attempted.add(path);
    let frame: RgbaFrame | null = null;
    try {
      frame = await loadImageFrame(path, { maxSide: input.maxSide });
    } catch {
      skipped.push({ file, reason: 'unreadable' });
    }
    if (frame) {
      const t0 = performance.now();
      try {
        const { descriptor, face } = await engine.describe(frame);
        descriptors.set(path, descriptor);
        faces.set(path, face);
        times.push(performance.now() - t0);
      } catch (err) {
        if (!(err instanceof FaceEngineError && (err.code === 'no-face' || err.code === 'several-faces'))) throw err;
        times.push(performance.now() - t0);
        skipped.push({ file, reason: err.code });
      }
    }
    bar.update(attempted.size, { skipped: skipped.length });
  };
  bar.start(files.length, 0, { skipped: 0 });
  for (const [path, file] of files) await describeOnce(path, file);
  // Each pair's reference images: the first maxK of its order that have a descriptor (the same for every K).
  const references: Array<string[] | null> = [];
  for (const order of orders ?? []) {
    const got: string[] = [];
    for (const file of order) {
      if (got.length === maxK) break;
      const path = pathOf(file);
      if (!attempted.has(path)) {
        bar.setTotal(bar.getTotal() + 1);
        await describeOnce(path, file);
      }
      if (descriptors.has(path)) got.push(path);
      else if (file === order[0]) break; // file_y itself has no descriptor: the pair is skipped anyway
    }
    references.push(got.length === maxK && got[0] === pathOf(order[0] as string) ? got : null);
  }
  return { descriptors, faces, attempted, skipped, times, references };
}
