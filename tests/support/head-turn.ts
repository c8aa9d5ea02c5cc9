// The real head turn the end-to-end tests show the fake camera: a man turning his head at a 2012
// webcam (fixture video turn_headtrackr_cap4), framed once like the kiosk's camera (one fixed crop,
// tools/recordings/recordings.ts) and written as y4m at the kiosk's cadence. Made at test time from
// the fixture, never copied into the project.
import { join } from 'node:path';
import type { FaceEngine } from '../../electron/core/face/types.js';
import { kioskCadence, recordingFrames } from '../../tools/eval/presence/recording.js';
import { kioskFraming } from '../../tools/recordings/recordings.js';
import { writeRecording } from '../../tools/recordings/swap-attack.js';
import { fixture } from '../../tools/harness/fixtures.js';

export interface FramedHeadTurn {
  /** The y4m file for the fake camera. */
  file: string;
  /** The fixture recording it was made from. */
  source: string;
  /** The ffmpeg crop that framed it (to take more frames of the same view). */
  framing: string;
}

/**
 * Writes the framed head turn into `dir` (19 s: a hold, turns to both sides, and back), after
 * `stillSeconds` of its first frame held (a patient standing still before turning).
 */
export async function writeFramedHeadTurn(
  engine: Pick<FaceEngine, 'analyze'>,
  dir: string,
  options: { stillSeconds?: number } = {},
): Promise<FramedHeadTurn> {
  const source = fixture('video/turn_headtrackr_cap4.mp4');
  const framing = await kioskFraming(engine, source);
  const still = options.stillSeconds ?? 0;
  const file = join(dir, still ? `turn-still-${still}.y4m` : 'turn.y4m');
  const filter = still ? `${framing},tpad=start_duration=${still}:start_mode=clone` : framing;
  await writeRecording(recordingFrames(source, { ...kioskCadence, filter, maxSeconds: 19 + still }), file);
  return { file, source, framing };
}
