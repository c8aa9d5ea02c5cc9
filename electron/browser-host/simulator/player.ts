// Turns what the simulated patient does (patient.ts) into a camera picture: the frame of a real
// recording whose pose (from the engine's landmarks, pose-index.ts) is nearest the pose wanted,
// mirrored when the recording turns only the other way, scaled and placed so the face sits where
// the person stands (closer, further, left, right): a crop of the recording moving as a person steps.
import type { IndexedRecording, PoseEntry } from './pose-index.js';
import type { PatientPose } from './patient.js';

/** The camera's picture size (what getUserMedia gives the screen). */
export const cameraWidth = 640;
export const cameraHeight = 480;

/** One frame to draw: the recording's frame `n`, mirrored or not, drawn at (dx, dy) size dw×dh. */
export interface DrawCommand {
  recording: number;
  n: number;
  mirror: boolean;
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

interface Candidate {
  n: number;
  yaw: number;
  pitch: number;
  box: { x: number; y: number; width: number; height: number };
  /** 0 (the recording's most blurred frame) … 1 (its sharpest). */
  sharpRank: number;
  /** Past where the detector finds the face (near profile): shown for a turn further than any detected pose. */
  lost: boolean;
}

export interface RecordingPlayer {
  /** Largest yaw the recording reaches (detected) to the person's left (+) and right (−), unmirrored. */
  readonly reach: { left: number; right: number };
  frame(pose: PatientPose, previous: { n: number; mirror: boolean } | null, wantMirror: boolean): DrawCommand;
  /** Whether a turn to `side` (+1 left, −1 right) is better shown mirrored. */
  mirrorFor(side: number, degrees: number): boolean;
}

export function createRecordingPlayer(recording: IndexedRecording, recordingNumber: number): RecordingPlayer {
  const { index } = recording;
  const detected = index.frames.filter(
    (f): f is Required<PoseEntry> => f.yaw !== undefined && f.pitch !== undefined && f.box !== undefined,
  );
  if (detected.length === 0) throw new Error(`The engine finds no face in ${recording.file}: it cannot be simulated`);
  // Recordings blur where the head moves fast or the light is dim; a person standing still before a
  // kiosk camera is sharp: among frames of the same pose, prefer the recording's sharper ones.
  const sharpOrder = detected.map((f) => f.sharpness).sort((a, b) => a - b);
  const rank = (x: number) =>
    sharpOrder.length > 1 ? sharpOrder.findIndex((v) => v >= x) / (sharpOrder.length - 1) : 1;
  const candidates: Candidate[] = detected.map((f) => ({
    n: f.n,
    yaw: f.yaw,
    pitch: f.pitch,
    box: f.box,
    sharpRank: rank(f.sharpness),
    lost: false,
  }));
  // Frames next to a strongly turned one where the detector lost the face: the head turned further.
  const byN = new Map(detected.map((f) => [f.n, f]));
  for (const f of index.frames) {
    if (f.yaw !== undefined) continue;
    for (let d = 1; d <= 3; d++) {
      const near = byN.get(f.n - d) ?? byN.get(f.n + d);
      if (near && Math.abs(near.yaw) >= 25) {
        candidates.push({
          n: f.n,
          yaw: Math.sign(near.yaw) * (Math.abs(near.yaw) + 15),
          pitch: near.pitch,
          box: near.box,
          sharpRank: 0.5,
          lost: true,
        });
        break;
      }
    }
  }
  const byNumber = new Map(candidates.map((c) => [c.n, c]));
  const frontal = detected.filter((f) => Math.abs(f.yaw) <= 10);
  const ref = frontal.length ? frontal : detected;
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  /** Height/width of the frontal face box: widths shrink in a turn, heights do not; scale by height. */
  const heightPerWidth = median(ref.map((f) => f.box.height / f.box.width));
  const reach = {
    left: Math.max(0, ...detected.map((f) => f.yaw)),
    right: Math.max(0, ...detected.map((f) => -f.yaw)),
  };

  const pick = (yaw: number, pitch: number, previous: { n: number } | null, mirror: boolean): Candidate => {
    let best: Candidate | undefined;
    let bestCost = Number.POSITIVE_INFINITY;
    for (const c of candidates) {
      const cy = mirror ? -c.yaw : c.yaw;
      // Pose first; then stay near the previous frame in time (expression and light change slowly).
      const jump = previous ? Math.min(1, Math.abs(c.n - previous.n) / (index.fps * 2)) : 0;
      const cost =
        Math.abs(cy - yaw) + 0.5 * Math.abs(c.pitch - pitch) + 3 * jump + 8 * (1 - c.sharpRank) + (c.lost ? 2 : 0);
      if (cost < bestCost) {
        bestCost = cost;
        best = c;
      }
    }
    return best!;
  };

  return {
    reach,
    mirrorFor(side, degrees) {
      const native = side > 0 ? reach.left : reach.right;
      const mirrored = side > 0 ? reach.right : reach.left;
      return native < Math.min(degrees, 28) && mirrored > native;
    },
    frame(pose, previous, mirror) {
      const before = previous && previous.mirror === mirror ? (byNumber.get(previous.n) ?? null) : null;
      // A head that has not moved shows the same picture: keep the frame while its pose still fits
      // (hopping between similar frames of a recording would be a face that never holds still).
      const fits =
        before !== null &&
        Math.abs((mirror ? -before.yaw : before.yaw) - pose.yawDeg) <= stillYawDeg &&
        Math.abs(before.pitch - pose.pitchDeg) <= stillPitchDeg;
      const c = fits ? before : pick(pose.yawDeg, pose.pitchDeg, before, mirror);
      const box = mirror ? { ...c.box, x: index.width - c.box.x - c.box.width } : c.box;
      // Scale so the face is as wide (frontal) as the person stands close; place its centre where they stand.
      const k = (pose.faceWidth * cameraWidth * heightPerWidth) / box.height;
      const dw = index.width * k;
      const dh = index.height * k;
      const dx = pose.cx * cameraWidth - (box.x + box.width / 2) * k;
      const dy = pose.cy * cameraHeight - (box.y + box.height / 2) * k;
      return { recording: recordingNumber, n: c.n, mirror, dx: round(dx), dy: round(dy), dw: round(dw), dh: round(dh) };
    },
  };
}

/** How far the wanted pose may be from the frame shown before another frame is picked. */
const stillYawDeg = 2.5;
const stillPitchDeg = 4;

const round = (x: number) => Math.round(x * 10) / 10;
