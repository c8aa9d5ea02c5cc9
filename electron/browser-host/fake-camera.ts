// Turns an image or a video into the y4m file Chromium plays as a fake webcam
// (--use-file-for-fake-video-capture). Chromium loops the file, so a still image needs only a few frames.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';

export interface FakeCameraOptions {
  width?: number;
  height?: number;
  /** Frames per second of the y4m; Chromium paces playback by it. */
  fps?: number;
  /** Length of the feed made from a still image (videos keep their own length, capped by maxSeconds). */
  stillSeconds?: number;
  maxSeconds?: number;
  /** Where made feeds are kept between runs; keyed by the input's path, size, mtime and the options. */
  cacheDir?: string;
}

const videoExtensions = new Set(['.mp4', '.webm', '.mov', '.mkv', '.avi', '.m4v', '.gif']);

export const defaultCameraCacheDir = (): string => join(tmpdir(), 'kelu-fake-camera');

/**
 * Makes (or reuses) a y4m feed from `input`, letterboxed to width×height so faces keep their shape.
 * A `.y4m` input is used as it is. Throws one readable message when the file or ffmpeg is missing.
 */
export async function makeFakeCameraFeed(input: string, options: FakeCameraOptions = {}): Promise<string> {
  const file = resolve(input);
  if (!existsSync(file)) throw new Error(`Camera file not found: ${file}`);
  if (extname(file).toLowerCase() === '.y4m') return file;
  const { width = 640, height = 480, fps = 10, stillSeconds = 2, maxSeconds = 20 } = options;
  const cacheDir = options.cacheDir ?? defaultCameraCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  const st = statSync(file);
  const isVideo = videoExtensions.has(extname(file).toLowerCase());
  const key = createHash('sha256')
    .update(JSON.stringify([file, st.size, st.mtimeMs, width, height, fps, stillSeconds, maxSeconds, isVideo]))
    .digest('hex')
    .slice(0, 20);
  const out = join(cacheDir, `${key}.y4m`);
  if (existsSync(out)) return out;

  const scale = `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${fps}`;
  const inputArgs = isVideo
    ? ['-i', file, '-t', String(maxSeconds)]
    : ['-loop', '1', '-i', file, '-t', String(stillSeconds)];
  // Write beside the target and rename, so a concurrent run never reads a half-written feed.
  const partial = `${out}.${process.pid}.partial.y4m`;
  await runFfmpeg([
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    ...inputArgs,
    '-vf',
    scale,
    '-pix_fmt',
    'yuv420p',
    '-an',
    '-f',
    'yuv4mpegpipe',
    partial,
  ]);
  renameSync(partial, out);
  return out;
}

function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'ENOENT'
            ? 'ffmpeg is not installed; it is needed to make the fake camera feed (apt-get install ffmpeg)'
            : err.message,
        ),
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`ffmpeg could not convert the camera file: ${stderr.trim().slice(0, 400)}`)),
    );
  });
}
