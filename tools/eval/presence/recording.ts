/**
 * A recording as the kiosk's camera would deliver it: frames of `width`×`height` RGBA (letterboxed,
 * like the fake camera and the screen's own downscale), at `fps`, decoded by ffmpeg as a stream so
 * a long recording never sits in memory whole. For kioskctl eval-presence and the tests; frames are
 * never written anywhere.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { RgbaFrame } from '../../../electron/core/face/types.js';

export interface RecordingOptions {
  width: number;
  height: number;
  fps: number;
  /** Stop after this many seconds of the recording. */
  maxSeconds: number;
  /** An ffmpeg filter applied first, e.g. a fixed crop (a tighter camera; never tracking). */
  filter?: string;
}

/** The size the screen sends to core (renderer/src/screens/camera/capture.ts) and its cadence. */
export const kioskCadence: RecordingOptions = { width: 480, height: 360, fps: 10, maxSeconds: 60 };

/** Yields the frames of `file` (any format ffmpeg reads: video, or a still image as one frame). */
export async function* recordingFrames(
  file: string,
  options: RecordingOptions = kioskCadence,
): AsyncGenerator<RgbaFrame> {
  if (!existsSync(file)) throw new Error(`recording not found: ${file}`);
  const { width, height, fps, maxSeconds } = options;
  const vf = `${options.filter ? `${options.filter},` : ''}scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps}`;
  const child = spawn(
    'ffmpeg',
    ['-v', 'error', '-i', file, '-t', String(maxSeconds), '-vf', vf, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'ENOENT'
            ? 'ffmpeg is not installed; it is needed to decode recordings (apt-get install ffmpeg)'
            : err.message,
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg could not decode ${file}: ${stderr.trim().slice(0, 300)}`)),
    );
  });
  const size = width * height * 4;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= size) {
        yield { width, height, data: new Uint8Array(pending.subarray(0, size)) };
        pending = pending.subarray(size);
      }
    }
    await exited;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    exited.catch(() => undefined);
  }
}
