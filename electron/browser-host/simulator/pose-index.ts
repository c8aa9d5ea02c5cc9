// The patient simulator's index of a recording: its frames decoded once to JPEG (for the page to
// draw) and analysed by the kiosk's own face engine (for their pose: yaw, pitch, box). Kept on disk
// outside the project, in the user's cache folder, keyed by the recording's SHA-256, so a recording
// is decoded and analysed once; nothing of it is ever written into the kiosk's data folder.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { FaceEngine, RgbaFrame } from '../../core/face/types.js';

/** Frames per second kept from a recording: enough for a smooth turn, few enough to index quickly. */
export const indexFps = 15;
/**
 * The longer side of the kept frames. The camera (640×480) often shows a face larger than a small
 * recording filmed it; a webcam's own pipeline sharpens, so a small recording is enlarged here once
 * with Lanczos and a mild unsharp mask (otherwise every enlarged face reads as blurred to the kiosk's
 * sharpness check), and the page mostly scales down.
 */
const keptSide = 960;
/** Bump when the index format or the way it is made changes. */
const indexVersion = 4;

const boxSchema = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });
const entrySchema = z.object({
  /** Frame number (0-based); the JPEG is `NNNNN.jpg` (1-based, ffmpeg's numbering). */
  n: z.number().int().nonnegative(),
  /** Pose from the engine's landmarks; absent when no single face was found. */
  yaw: z.number().optional(),
  pitch: z.number().optional(),
  /** Face box in pixels of the kept frame. */
  box: boxSchema.optional(),
  /** The engine's sharpness (variance of the Laplacian over the face) at the kept size. */
  sharpness: z.number().optional(),
});
export const poseIndexSchema = z.object({
  version: z.literal(4),
  sha256: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  fps: z.number().positive(),
  frames: z.array(entrySchema),
});
export type PoseIndex = z.infer<typeof poseIndexSchema>;
export type PoseEntry = z.infer<typeof entrySchema>;

export interface IndexedRecording {
  file: string;
  /** Folder holding the JPEG frames and index.json. */
  dir: string;
  index: PoseIndex;
}

/** `$XDG_CACHE_HOME/kelu-simulator` (default ~/.cache), or the temp folder when there is no home. */
export function defaultSimulatorCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : tmpdir());
  return join(base, 'kelu-simulator');
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The index of `file`, made when missing (ffmpeg + the face engine; `engine` is asked for lazily, so
 * a cached index needs no engine). Throws one readable message when the file or ffmpeg is missing.
 */
export async function indexRecording(
  input: string,
  options: { cacheDir?: string; engine: () => Promise<Pick<FaceEngine, 'analyze'>>; log?: (line: string) => void },
): Promise<IndexedRecording> {
  const file = resolve(input);
  if (!existsSync(file)) throw new Error(`Simulator recording not found: ${file}`);
  const sha256 = await fileSha256(file);
  const dir = join(options.cacheDir ?? defaultSimulatorCacheDir(), `${sha256.slice(0, 32)}-v${indexVersion}`);
  const indexFile = join(dir, 'index.json');
  if (existsSync(indexFile)) {
    const parsed = poseIndexSchema.safeParse(JSON.parse(readFileSync(indexFile, 'utf8')));
    if (parsed.success && parsed.data.sha256 === sha256) return { file, dir, index: parsed.data };
  }
  options.log?.(`simulator: indexing ${file} (once; cached in ${dir})`);
  const partial = `${dir}.${process.pid}.partial`;
  removeAbandoned(dir);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const { width, height } = await probeSize(file);
  const scale = keptSide / Math.max(width, height);
  const w = Math.max(2, Math.round((width * scale) / 2) * 2);
  const h = Math.max(2, Math.round((height * scale) / 2) * 2);
  const vf = `scale=${w}:${h}:flags=lanczos${scale > 1.05 ? ',unsharp=7:7:1.2' : ''},setsar=1,fps=${indexFps}`;
  await run('ffmpeg', ['-v', 'error', '-y', '-i', file, '-vf', vf, '-q:v', '2', join(partial, '%05d.jpg')]);
  const jpegs = readdirSync(partial).filter((f) => f.endsWith('.jpg')).length;
  const engine = await options.engine();
  const frames: PoseEntry[] = [];
  let n = 0;
  // The same frames as the JPEGs (same filter chain), decoded raw for the engine.
  const filter = `scale=${w}:${h}:flags=lanczos${scale > 1.05 ? ',unsharp=7:7:1.2' : ''}`;
  for await (const frame of rawFrames(file, w, h, `${filter},fps=${indexFps}`)) {
    if (n >= jpegs) break;
    const analysis = await engine.analyze(frame);
    const face = analysis.faces.length === 1 ? analysis.faces[0] : undefined;
    frames.push(
      face
        ? {
            n,
            yaw: round(face.pose.yawDeg),
            pitch: round(face.pose.pitchDeg),
            box: roundBox(face.box),
            sharpness: Math.round(face.quality.sharpness),
          }
        : { n },
    );
    n++;
  }
  const index: PoseIndex = { version: indexVersion, sha256, width: w, height: h, fps: indexFps, frames };
  writeFileSync(join(partial, 'index.json'), JSON.stringify(index));
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return { file, dir, index };
}

/** Removes half-made indexes of `dir` left by processes that no longer run (killed while indexing). */
function removeAbandoned(dir: string): void {
  const parent = dirname(dir);
  const prefix = `${basename(dir)}.`;
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    const m = name.startsWith(prefix) ? /\.(\d+)\.partial$/.exec(name) : null;
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(parent, name), { recursive: true, force: true });
  }
}

/** The frames of `file` through `vf`, decoded by ffmpeg as a stream of w×h RGBA frames. */
async function* rawFrames(file: string, w: number, h: number, vf: string): AsyncGenerator<RgbaFrame> {
  const child = spawn('ffmpeg', ['-v', 'error', '-i', file, '-vf', vf, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const size = w * h * 4;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= size) {
        yield { width: w, height: h, data: new Uint8Array(pending.subarray(0, size)) };
        pending = pending.subarray(size);
      }
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
const roundBox = (b: { x: number; y: number; width: number; height: number }) => ({
  x: round(b.x),
  y: round(b.y),
  width: round(b.width),
  height: round(b.height),
});

async function probeSize(file: string): Promise<{ width: number; height: number }> {
  // ffmpeg without an output names the input's streams on stderr and exits 1; ffprobe is not always installed.
  const info = await run('ffmpeg', ['-hide_banner', '-i', file], true);
  const m = /Video:[^\n]*?(\d{2,5})x(\d{2,5})/.exec(info);
  if (!m) throw new Error(`Not a video ffmpeg can read: ${file}`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

function run(cmd: string, args: string[], stderrAnyway = false): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          err.code === 'ENOENT'
            ? `${cmd} is not installed; the patient simulator needs it (apt-get install ffmpeg)`
            : err.message,
        ),
      ),
    );
    child.on('close', (code) =>
      stderrAnyway
        ? resolvePromise(stderr)
        : code === 0
          ? resolvePromise(stdout)
          : reject(new Error(`${cmd} failed: ${stderr.trim().slice(0, 300)}`)),
    );
  });
}
