/**
 * Swap attacks composed from the face fixtures, as an attacker would try them at the kiosk (issue
 * "Presence that proves this patient was there"): a still photo of person A held in front of the
 * camera, then — with or without the lens covered for a moment — a real person B standing where the
 * photo was, turning their head as asked. The photo is placed exactly where B's face first appears,
 * at B's size, so only the identity check (not the box tracking) can tell them apart.
 * Frames are made in memory; `writeRecording` encodes them with ffmpeg for the CLI and the fake camera.
 */
import { spawn } from 'node:child_process';
import type { FaceAnalysis, FaceEngine, RgbaFrame } from '../../electron/core/face/types.js';
import { loadImageFrame } from '../../electron/core/face/image-file.js';
import { kioskCadence, recordingFrames, type RecordingOptions } from '../eval/presence/recording.js';
import { seeded } from '../harness/presence.js';
import { addNoise, frameAroundFace } from '../harness/warp.js';

export interface SwapAttack {
  /** Person A: a photo file (the patient whose visit is faked). */
  photo: string;
  /** Person B: a recording of someone turning their head. */
  video: string;
  /** How long the photo is held before the swap. */
  holdMs: number;
  /** Frames of a covered lens (black) between the photo and the person; 0: a clean cut. */
  gapMs: number;
  seed?: number;
}

/** The frames of one swap attack at the kiosk's size and cadence. */
export async function* swapAttackFrames(
  engine: Pick<FaceEngine, 'analyze'>,
  attack: SwapAttack,
  cadence: RecordingOptions = kioskCadence,
): AsyncGenerator<RgbaFrame> {
  // B's recording from the first frame that shows B's face (the attacker times the swap to it).
  const person = recordingFrames(attack.video, cadence);
  let first: RgbaFrame | undefined;
  let b: FaceAnalysis | undefined;
  // (next() by hand: leaving a for-await loop would end the decoder.)
  for (let next = await person.next(); !next.done; next = await person.next()) {
    const faces = (await engine.analyze(next.value, { keep: true })).faces;
    if (faces.length === 1) {
      first = next.value;
      b = faces[0];
      break;
    }
  }
  if (!first || !b) throw new Error(`${attack.video}: no frame shows exactly one face`);
  const photo = await loadImageFrame(attack.photo, { maxSide: 1024 });
  const a = (await engine.analyze(photo, { keep: true })).faces[0];
  if (!a) throw new Error(`${attack.photo}: no face found`);
  const still = await frameAroundFace(photo, a.box, {
    width: cadence.width,
    height: cadence.height,
    faceWidthRatio: b.box.width / cadence.width,
    centre: [b.box.x + b.box.width / 2, b.box.y + b.box.height / 2],
  });
  const random = seeded(attack.seed ?? 1);
  const frameMs = 1000 / cadence.fps;
  // Sensor noise only: the attacker holds the photo steady (that is what passes the hold).
  for (let t = 0; t < attack.holdMs; t += frameMs) yield addNoise(still, 3, random);
  const black: RgbaFrame = {
    width: cadence.width,
    height: cadence.height,
    data: new Uint8Array(cadence.width * cadence.height * 4),
  };
  for (let i = 3; i < black.data.length; i += 4) black.data[i] = 255;
  for (let t = 0; t < attack.gapMs; t += frameMs) yield { ...black, data: black.data.slice() };
  yield first;
  yield* person;
}

/** A still photo held in front of the camera for `seconds` (the plain photo attack). */
export async function* heldPhotoFrames(
  engine: Pick<FaceEngine, 'analyze'>,
  photoFile: string,
  seconds: number,
  cadence: RecordingOptions = kioskCadence,
  seed = 1,
): AsyncGenerator<RgbaFrame> {
  const photo = await loadImageFrame(photoFile, { maxSide: 1024 });
  const a = (await engine.analyze(photo, { keep: true })).faces[0];
  if (!a) throw new Error(`${photoFile}: no face found`);
  const still = await frameAroundFace(photo, a.box, {
    width: cadence.width,
    height: cadence.height,
    faceWidthRatio: 0.35,
  });
  const random = seeded(seed);
  for (let t = 0; t < seconds * 1000; t += 1000 / cadence.fps) yield addNoise(still, 3, random);
}

/** Encodes frames into a video file (H.264 mp4, or y4m by extension) with ffmpeg. */
export async function writeRecording(
  frames: AsyncIterable<RgbaFrame>,
  file: string,
  cadence: RecordingOptions = kioskCadence,
): Promise<void> {
  const y4m = file.endsWith('.y4m');
  const codec = y4m
    ? ['-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe']
    : ['-c:v', 'libx264', '-crf', '16', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];
  const child = spawn(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      `${cadence.width}x${cadence.height}`,
      '-r',
      String(cadence.fps),
      '-i',
      '-',
      ...codec,
      file,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg could not write ${file}: ${stderr.trim().slice(0, 300)}`)),
    );
  });
  for await (const frame of frames) {
    if (!child.stdin.write(frame.data)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  await done;
}
