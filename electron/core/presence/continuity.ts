import type { FaceAnalysis, FrameAnalysis } from '../face/types.js';
import { landmarkMotion } from './guidance.js';

/**
 * "The same face, frame after frame": the tracking rule of the presence check. From the first
 * frame of the hold to the pass, each judged frame must show exactly one face, and that face must
 * be the one of the frame before: its box overlaps the previous box and its landmarks moved a
 * bounded amount, and the frames are close in time. Anything else ends the attempt (or restarts the
 * hold): a photo pulled away and a head put in its place never keeps the clock running.
 *
 * The bounds were measured on the real recordings of the face fixtures at the kiosk's frame rate
 * (docs/presence.md, "Continuity"): consecutive frames of a person turning their head stay well
 * inside them.
 */
export interface ContinuityBounds {
  /** Least intersection-over-union of consecutive face boxes. */
  minBoxOverlap: number;
  /** Largest mean landmark displacement between consecutive frames, in face widths. */
  maxLandmarkMotion: number;
  /** Largest time between consecutive judged frames (ms). */
  maxFrameGapMs: number;
  /**
   * Longest time the face may be out of the detector's sight while the head is turned towards the
   * asked side (past half the challenge angle): a person who turns further than asked, towards
   * profile, loses the small detector. The face that comes back must be the only one, and the
   * identity check (held frame against the frame back at frontal) says it is the same person.
   */
  maxProfileGapMs: number;
}

/**
 * Measured at 10 frames/s on the fixture recordings of people turning their heads (docs/presence.md):
 * consecutive boxes overlapped at least 0.41 in real video (0.33 at one jump of an animated GIF
 * that holds each pose for half a second), landmarks moved at most 0.34 face widths per frame in
 * real video (0.62 at that GIF jump). The bounds leave room for a slower, busy kiosk; the gap
 * bound is seven frame times of the kiosk's loop.
 */
export const continuityBounds: ContinuityBounds = {
  minBoxOverlap: 0.3,
  maxLandmarkMotion: 0.7,
  maxFrameGapMs: 700,
  maxProfileGapMs: 2500,
};

/** Intersection over union of two face boxes (0: apart, 1: the same box). */
export function boxOverlap(a: FaceAnalysis, b: FaceAnalysis): number {
  const x1 = Math.max(a.box.x, b.box.x);
  const y1 = Math.max(a.box.y, b.box.y);
  const x2 = Math.min(a.box.x + a.box.width, b.box.x + b.box.width);
  const y2 = Math.min(a.box.y + a.box.height, b.box.y + b.box.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.box.width * a.box.height + b.box.width * b.box.height - inter;
  return union > 0 ? inter / union : 0;
}

export type ContinuityBreak = 'gap' | 'box' | 'landmarks';

/** Why `next` is not the continuation of `previous` (seen `gapMs` before), or null when it is. */
export function continuityBreak(
  previous: FaceAnalysis,
  next: FaceAnalysis,
  gapMs: number,
  bounds: ContinuityBounds = continuityBounds,
): ContinuityBreak | null {
  if (!(gapMs <= bounds.maxFrameGapMs)) return 'gap';
  if (boxOverlap(previous, next) < bounds.minBoxOverlap) return 'box';
  if (!(landmarkMotion(previous, next) <= bounds.maxLandmarkMotion)) return 'landmarks';
  return null;
}

/**
 * The time since the previous judged frame that was not the kiosk's own work on this one: the
 * engine's time for this frame (`analysis.ms`) is subtracted. On a busy kiosk the analysis itself
 * can take longer than the gap bound; that is the kiosk being slow, not the camera stopping or the
 * face leaving, and must not fail an honest patient. A stalled camera or page still counts.
 */
export const cameraGap = (analysis: FrameAnalysis, atMs: number, previousAt: number): number =>
  atMs - previousAt - Math.max(0, Number.isFinite(analysis.ms) ? analysis.ms : 0);
