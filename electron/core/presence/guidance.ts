import type { FaceAnalysis, FrameAnalysis } from '../face/types.js';
import type { KioskConfig } from '../platform/config/schema.js';
import type { PresenceMessageKey } from './messages.js';

export type PresenceConfig = KioskConfig['presence'];

/** Each condition of a good frame; all true means the frame may be described. */
export interface FrameChecks {
  oneFace: boolean;
  bigEnough: boolean;
  notTooBig: boolean;
  centred: boolean;
  frontal: boolean;
  lit: boolean;
  notGlare: boolean;
  sharp: boolean;
}

export interface FrameJudgement {
  /** The single face, when there is exactly one. */
  face: FaceAnalysis | null;
  checks: FrameChecks;
  /** The most important problem as an instruction; null when the frame is good. */
  problem: PresenceMessageKey | null;
}

/**
 * Judges one frame against the configured thresholds. The order of the problems is the order a
 * patient can fix them in: be there alone, at the right distance, in the middle, facing the
 * camera, in decent light, and still. `tolerance` widens the bounds a patient meets by moving
 * (distance, centring, pose) by that share of each (presence/hold.ts: a good face is told to move
 * only when clearly past one).
 */
export function judgeFrame(analysis: FrameAnalysis, config: PresenceConfig, tolerance = 0): FrameJudgement {
  const face = analysis.faces.length === 1 ? (analysis.faces[0] ?? null) : null;
  const q = face?.quality;
  const p = face?.pose;
  const widen = 1 + tolerance;
  const checks: FrameChecks = {
    oneFace: face !== null,
    bigEnough: q !== undefined && q.faceWidthRatio >= config.minFaceWidthRatio * (1 - tolerance),
    notTooBig: q !== undefined && q.faceWidthRatio <= config.maxFaceWidthRatio * widen,
    // A face cut by the frame edge is not centred, whatever its box says: its landmarks there are guesses.
    centred: q !== undefined && q.centreOffset <= config.maxCentreOffset * widen && face?.truncated !== true,
    frontal:
      p !== undefined &&
      Math.abs(p.yawDeg) <= config.maxFrontalYawDeg * widen &&
      Math.abs(p.pitchDeg) <= config.maxFrontalPitchDeg * widen,
    lit: q !== undefined && q.brightness >= config.minBrightness,
    notGlare: q !== undefined && q.brightness <= config.maxBrightness,
    sharp: q !== undefined && q.sharpness >= config.minSharpness,
  };
  let problem: PresenceMessageKey | null = null;
  if (analysis.faces.length === 0) problem = 'presence.noFace';
  else if (analysis.faces.length > 1) problem = 'presence.oneAtATime';
  else if (!checks.bigEnough) problem = 'presence.moveCloser';
  else if (!checks.notTooBig) problem = 'presence.moveBack';
  else if (!checks.centred) problem = 'presence.centre';
  else if (!checks.frontal) problem = 'presence.lookAtCamera';
  else if (!checks.lit) problem = 'presence.moreLight';
  else if (!checks.notGlare) problem = 'presence.lessLight';
  else if (!checks.sharp) problem = 'presence.holdStill';
  return { face, checks, problem };
}

/**
 * Mean landmark displacement between two frames of the same face, as a fraction of the face box
 * width: near 0 for a still face, large when the person (or the camera) moves.
 */
export function landmarkMotion(a: FaceAnalysis, b: FaceAnalysis): number {
  const n = Math.min(a.landmarks.length, b.landmarks.length);
  if (n === 0) return Number.POSITIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const [ax, ay] = a.landmarks[i] ?? [0, 0];
    const [bx, by] = b.landmarks[i] ?? [0, 0];
    sum += Math.hypot(ax - bx, ay - by);
  }
  const width = Math.max(1, (a.box.width + b.box.width) / 2);
  return sum / n / width;
}

/** Distance between two face-box centres, in face widths: a jump means another face, not motion. */
export function boxJump(a: FaceAnalysis, b: FaceAnalysis): number {
  const ax = a.box.x + a.box.width / 2;
  const ay = a.box.y + a.box.height / 2;
  const bx = b.box.x + b.box.width / 2;
  const by = b.box.y + b.box.height / 2;
  return Math.hypot(ax - bx, ay - by) / Math.max(1, (a.box.width + b.box.width) / 2);
}

/**
 * How good a frame is for the descriptor: a confident detection, frontal, sharp. Only frames that
 * pass every check are candidates; this orders them.
 */
export function frameScore(face: FaceAnalysis): number {
  const frontal = Math.max(0, 1 - (Math.abs(face.pose.yawDeg) + Math.abs(face.pose.pitchDeg)) / 90);
  // Sharpness (variance of the Laplacian) grows without bound; log-compress so it only breaks ties.
  const sharp = Math.log1p(Math.max(0, face.quality.sharpness)) / 10;
  return face.score * frontal * (1 + sharp) * (1 - 0.2 * Math.min(1, face.quality.centreOffset));
}
