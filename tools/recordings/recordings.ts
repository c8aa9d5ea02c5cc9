/**
 * The recordings `kioskctl eval-presence` is measured on, made from the face fixtures (never copied
 * into the project): the fixture videos of people turning their heads, framed as the kiosk's camera
 * frames a patient (one fixed crop per recording, chosen from its median face box, so the face is
 * about a third of the frame wide: a tighter camera, not tracking), and attacks composed from
 * fixture photos and those videos (swap-attack.ts). Writes the files and `recordings.csv` into
 * `outDir`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { csvText } from '../../electron/core/platform/csv/write.js';
import type { FaceEngine } from '../../electron/core/face/types.js';
import { kioskCadence, recordingFrames, type RecordingOptions } from '../eval/presence/recording.js';
import { lightings, mediumAttackFrames, mediumKinds } from './screen-attack.js';
import { heldPhotoFrames, swapAttackFrames, writeRecording } from './swap-attack.js';

/** Fixture recordings of people turning their heads (../shared/fixtures/faces/video, see its README). */
export const turnRecordings = [
  'hamilton_clip.mp4',
  'turn_headtrackr_cap4.mp4',
  'turn_fsanet_pose.mp4',
  'turn_fsgan_abe.mp4',
  'turn_mediapipe_iris_woman.mp4',
];
/** Fixture photos of people other than those in the recordings (the patients an attacker holds up). */
export const attackPhotos = ['photos/obama_1.jpg', 'photos/rose_leslie_2.jpg', 'photos/alex_lacamoire_2.jpg'];
/**
 * The recording replayed on screens and printed (screen-attack.ts): the head turn a kiosk acquires
 * early and turns both ways (the others never hold still, frontal and centred, or only near their
 * end: docs/presence.md), so the attacks reach the challenge and are judged. Prints show its first
 * frontal frame.
 */
export const replayedRecordings = ['turn_headtrackr_cap4.mp4'];
/** Which attack families to make: `swap` (photo, photo-swap, photo-swap-gap), `medium` (replays and prints). */
export type AttackSet = 'swap' | 'medium';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

function videoSize(file: string): { width: number; height: number } {
  const r = spawnSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', file],
    { encoding: 'utf8' },
  );
  const [w, h] = r.stdout.trim().split(',').map(Number);
  if (!w || !h) throw new Error(`ffprobe could not read the size of ${file}`);
  return { width: w, height: h };
}

/**
 * The fixed ffmpeg crop that frames `file` like the kiosk's camera: the median face of every tenth
 * frame centred, `faceWidthRatio` of the crop wide, with the kiosk's 4:3 aspect (grey beyond the
 * recording's edges).
 */
export async function kioskFraming(
  engine: Pick<FaceEngine, 'analyze'>,
  file: string,
  faceWidthRatio = 0.33,
): Promise<string> {
  const native = videoSize(file);
  const boxes = [];
  let i = 0;
  for await (const frame of recordingFrames(file, { ...kioskCadence, width: native.width, height: native.height })) {
    if (i++ % 10 === 0) {
      const f = (await engine.analyze(frame, { keep: true })).faces[0];
      if (f) boxes.push(f.box);
    } else frame.data.fill(0);
  }
  if (!boxes.length) throw new Error(`${file}: no face found to frame`);
  const cx = median(boxes.map((b) => b.x + b.width / 2));
  const cy = median(boxes.map((b) => b.y + b.height / 2));
  const w = Math.round(median(boxes.map((b) => b.width)) / faceWidthRatio);
  const h = Math.round((w * 3) / 4);
  // A face near the edge of the recording is centred by padding with grey (a wider view), never by following it.
  const pad = Math.max(w, h);
  const x = Math.round(cx - w / 2 + pad);
  const y = Math.round(cy - h / 2 + pad);
  return `pad=iw+${2 * pad}:ih+${2 * pad}:${pad}:${pad}:gray,crop=${w}:${h}:${x}:${y}`;
}

export interface MadeRecording {
  file: string;
  label: string;
}

/** Makes every recording into `outDir` and writes `recordings.csv` there; `log` shows progress. */
export async function makePresenceRecordings(
  engine: Pick<FaceEngine, 'analyze'>,
  fixturesDir: string,
  outDir: string,
  log: (line: string) => void = () => {},
  cadence: RecordingOptions = kioskCadence,
  sets: readonly AttackSet[] = ['swap', 'medium'],
): Promise<MadeRecording[]> {
  mkdirSync(outDir, { recursive: true });
  const made: MadeRecording[] = [];
  const framed: string[] = [];
  for (const name of turnRecordings) {
    const source = join(fixturesDir, 'video', name);
    const filter = await kioskFraming(engine, source);
    const file = `bona-fide-${basename(name, '.mp4')}.mp4`;
    await writeRecording(recordingFrames(source, { ...cadence, filter }), join(outDir, file), cadence);
    framed.push(join(outDir, file));
    made.push({ file, label: 'bona-fide' });
    log(`${file} (${filter})`);
  }
  if (sets.includes('medium')) {
    for (const [k, name] of replayedRecordings.entries()) {
      const video = join(outDir, `bona-fide-${basename(name, '.mp4')}.mp4`);
      for (const kind of mediumKinds) {
        for (const lighting of lightings) {
          const file = `attack-${kind}-${lighting}-${basename(name, '.mp4')}.mp4`;
          await writeRecording(
            mediumAttackFrames(engine, video, { kind, lighting, seed: 11 + k }, cadence),
            join(outDir, file),
            cadence,
          );
          made.push({ file, label: `attack:${kind}` });
          log(file);
        }
      }
    }
  }
  for (const [k, photo] of (sets.includes('swap') ? attackPhotos : []).entries()) {
    const held = `attack-photo-${k}.mp4`;
    await writeRecording(
      heldPhotoFrames(engine, join(fixturesDir, photo), 16, cadence, k + 1),
      join(outDir, held),
      cadence,
    );
    made.push({ file: held, label: 'attack:photo' });
    log(held);
    for (const video of framed) {
      for (const gapMs of [0, 400]) {
        const kind = gapMs ? 'photo-swap-gap' : 'photo-swap';
        const file = `attack-${kind}-${k}-${basename(video, '.mp4').replace('bona-fide-', '')}.mp4`;
        await writeRecording(
          swapAttackFrames(
            engine,
            { photo: join(fixturesDir, photo), video, holdMs: 2500, gapMs, seed: k + 1 },
            cadence,
          ),
          join(outDir, file),
          cadence,
        );
        made.push({ file, label: `attack:${kind}` });
        log(file);
      }
    }
  }
  writeFileSync(join(outDir, 'recordings.csv'), csvText([['file', 'label'], ...made.map((m) => [m.file, m.label])]));
  return made;
}
