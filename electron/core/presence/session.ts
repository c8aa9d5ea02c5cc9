import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import type { FaceAnalysis, FrameAnalysis, RgbaFrame } from '../face/types.js';
import type { presenceEvidenceSchema } from '../visits/envelope.js';
import { boxJump, frameScore, judgeFrame, landmarkMotion, type FrameChecks, type PresenceConfig } from './guidance.js';
import { landmarkHomography, photometricPlanarFit, toGray, type GrayImage } from './photometric.js';
import type { PresenceMessageKey } from './messages.js';

export type PresenceEvidence = z.infer<typeof presenceEvidenceSchema>;
export type PresencePhase = 'guide' | 'challenge' | 'passed' | 'failed';
export type ChallengeSide = 'left' | 'right';
/**
 * Why a session failed: no turn in time, a flat object turned, the tracked face was replaced, or
 * the frames needed to judge the turn were not given (the policy fails closed).
 */
export type PresenceFailure = 'timeout' | 'planar' | 'face-changed' | 'no-frame';

/** One judged frame kept for the planar test: the analysis and, when given, its luma. */
export interface ChallengeSample {
  face: FaceAnalysis;
  gray: GrayImage | null;
}

/**
 * How far the motion from the held frame to the furthest turn is from a plane's: 0 for a flat
 * photo. NaN when it cannot be judged. The default aligns pixels (photometric.ts).
 */
export type PlanarityJudge = (reference: ChallengeSample, turned: ChallengeSample) => number;

export const photometricJudge: PlanarityJudge = (reference, turned) => {
  if (!reference.gray || !turned.gray) return Number.NaN;
  const initial = landmarkHomography(reference.face.landmarks, turned.face.landmarks);
  return photometricPlanarFit(reference.gray, reference.face.box, turned.gray, initial).residual;
};

export interface BestFrame {
  /** Index of the pushed frame (0 = first push) and the time it was pushed with. */
  index: number;
  atMs: number;
  score: number;
}

export interface PresenceState {
  phase: PresencePhase;
  /** The one instruction to show now. */
  message: PresenceMessageKey;
  /** 0..1 for the progress ring. */
  progress: number;
  /** The frame to describe; the caller keeps frames in memory only and drops the others. */
  best: BestFrame | null;
  /** The checks of the latest frame, for the guidance overlay and logs. */
  checks: FrameChecks;
  side?: ChallengeSide;
  failure?: PresenceFailure;
  /** On success only. */
  evidence?: PresenceEvidence;
}

export interface PresenceSessionOptions {
  config: PresenceConfig;
  /** Uniform in [0, 1); decides the side to turn to. Defaults to a CSPRNG. */
  random?: () => number;
  /** Replaces the pixel-based planar test (only for logic tests on synthetic analyses). */
  planarity?: PlanarityJudge;
}

export interface PresenceSession {
  /**
   * Judges one analysed frame taken at `atMs` (monotonic milliseconds) and answers the new state.
   * Pass the frame itself too: the planar test needs the pixels of the held frame and of the
   * furthest turn. The session keeps at most those two, as luma, in memory, until it ends.
   */
  push(analysis: FrameAnalysis, atMs: number, frame?: RgbaFrame): PresenceState;
  readonly state: PresenceState;
}

/** A frame counts as "the same face" while the face box moves less than this many face widths per frame. */
const MAX_JUMP_FACE_WIDTHS = 0.6;
/** At least this many consecutive good, still frames (besides holdMs) before the face is accepted. */
const MIN_HOLD_FRAMES = 3;

const defaultRandom = (): number => randomInt(0, 2 ** 32) / 2 ** 32;

const noChecks: FrameChecks = {
  oneFace: false,
  bigEnough: false,
  notTooBig: false,
  centred: false,
  frontal: false,
  lit: false,
  notGlare: false,
  sharp: false,
};

/**
 * One patient's presence check: live guidance until one good face holds still, then (unless the
 * configuration turns it off) the head-turn challenge, judged from the pose over frames and from
 * the shape of the landmark motion (a flat photo's motion fits a homography; a head's does not).
 * Pure and synchronous: it never sees pixels, only the engine's analyses, so it can be tested on
 * synthetic sequences as well as on real frames.
 */
export function createPresenceSession(options: PresenceSessionOptions): PresenceSession {
  const config = options.config;
  const random = options.random ?? defaultRandom;
  const planarity = options.planarity ?? photometricJudge;

  let phase: PresencePhase = 'guide';
  let frames = 0;
  let startedAt: number | null = null;
  let best: BestFrame | null = null;
  let previous: FaceAnalysis | null = null;
  let holdSince: number | null = null;
  let holdFrames = 0;

  // Challenge.
  let side: ChallengeSide | undefined;
  let challengeAt = 0;
  let reference: FaceAnalysis | null = null;
  let referenceGray: GrayImage | null = null;
  let turned = false;
  let peak: FaceAnalysis | null = null;
  let peakGray: GrayImage | null = null;
  /** The first frame past the threshold: the least extreme turn, where a tilted print is easiest to align. */
  let crossing: ChallengeSample | null = null;
  let peakToward = 0;
  let yawMin = Number.POSITIVE_INFINITY;
  let yawMax = Number.NEGATIVE_INFINITY;
  let tracked: FaceAnalysis | null = null;

  let state: PresenceState = { phase, message: 'presence.noFace', progress: 0, best: null, checks: noChecks };

  const finish = (next: Omit<PresenceState, 'best'>): PresenceState => {
    state = { ...next, best };
    return state;
  };

  const fail = (failure: PresenceFailure, checks: FrameChecks): PresenceState => {
    phase = 'failed';
    return finish({ phase, message: 'presence.challengeFailed', progress: 0, checks, failure, ...(side ? { side } : {}) });
  };

  const pass = (checks: FrameChecks, atMs: number, planarResidual?: number): PresenceState => {
    phase = 'passed';
    const evidence: PresenceEvidence = {
      challenge: config.challenge,
      frames,
      durationMs: Math.round(Math.max(0, atMs - (startedAt ?? atMs))),
      ...(side ? { side } : {}),
      ...(Number.isFinite(yawMin) ? { yawMinDeg: round(yawMin), yawMaxDeg: round(yawMax) } : {}),
      ...(planarResidual !== undefined ? { planarResidual: round(planarResidual, 4) } : {}),
    };
    return finish({ phase, message: 'presence.passed', progress: 1, checks, evidence, ...(side ? { side } : {}) });
  };

  const considerBest = (face: FaceAnalysis, atMs: number): void => {
    const score = frameScore(face);
    if (!best || score > best.score) best = { index: frames - 1, atMs, score };
  };

  // A frame whose buffer was transferred to the engine (detached) is as good as no frame.
  const grayOf = (frame: RgbaFrame | undefined): GrayImage | null =>
    frame && frame.width > 0 && frame.data.length === frame.width * frame.height * 4 ? toGray(frame) : null;

  function guide(analysis: FrameAnalysis, atMs: number, frame: RgbaFrame | undefined): PresenceState {
    const judged = judgeFrame(analysis, config);
    const face = judged.face;
    let message = judged.problem;
    const moving = face !== null && previous !== null && landmarkMotion(previous, face) > config.maxHoldMotion;
    const swapped = face !== null && previous !== null && boxJump(previous, face) > MAX_JUMP_FACE_WIDTHS;
    if (message === null && (moving || swapped)) message = 'presence.holdStill';
    previous = face;
    if (message !== null || !face) {
      holdSince = null;
      holdFrames = 0;
      return finish({ phase, message: message ?? 'presence.noFace', progress: 0, checks: judged.checks });
    }
    considerBest(face, atMs);
    holdSince ??= atMs;
    holdFrames++;
    const held = Math.min(1, (atMs - holdSince) / config.holdMs);
    const weight = config.challenge === 'off' ? 1 : 0.4;
    if (held >= 1 && holdFrames >= MIN_HOLD_FRAMES) {
      if (config.challenge === 'off') return pass(judged.checks, atMs);
      phase = 'challenge';
      side = random() < 0.5 ? 'left' : 'right';
      challengeAt = atMs;
      reference = face;
      referenceGray = grayOf(frame);
      tracked = face;
      yawMin = yawMax = face.pose.yawDeg;
      return finish({ phase, message: turnKey(side), progress: weight, checks: judged.checks, side });
    }
    return finish({ phase, message: 'presence.holdStill', progress: weight * held, checks: judged.checks });
  }

  function challenge(analysis: FrameAnalysis, atMs: number, frame: RgbaFrame | undefined): PresenceState {
    const judged = judgeFrame(analysis, config);
    const asked = side ?? 'left';
    if (atMs - challengeAt > config.challengeTimeoutMs) return fail('timeout', judged.checks);
    const face = judged.face;
    const progressNow = state.progress;
    if (!face || !tracked || !reference) {
      // The frame says nothing about the turn; keep the clock running.
      const message = analysis.faces.length > 1 ? 'presence.oneAtATime' : turned ? 'presence.turnBack' : turnKey(asked);
      return finish({ phase, message, progress: progressNow, checks: judged.checks, side: asked });
    }
    // The face that turns must be the face that held still: a jump means someone (or something) else.
    if (boxJump(tracked, face) > MAX_JUMP_FACE_WIDTHS) return fail('face-changed', judged.checks);
    tracked = face;
    const yaw = face.pose.yawDeg;
    yawMin = Math.min(yawMin, yaw);
    yawMax = Math.max(yawMax, yaw);
    // Pose convention (face/types.ts): yaw > 0 is the person turning to their own left.
    const toward = asked === 'left' ? yaw - reference.pose.yawDeg : reference.pose.yawDeg - yaw;
    if (!turned) {
      if (toward >= config.challengeYawDeg) {
        turned = true;
        peak = face;
        peakGray = grayOf(frame);
        peakToward = toward;
        crossing = { face, gray: peakGray };
      }
      const progress = 0.4 + 0.4 * Math.min(1, Math.max(0, toward) / config.challengeYawDeg);
      return finish({ phase, message: turned ? 'presence.turnBack' : turnKey(asked), progress, checks: judged.checks, side: asked });
    }
    if (toward > peakToward) {
      peak = face;
      peakGray = grayOf(frame);
      peakToward = toward;
    }
    const back = Math.abs(yaw) <= config.maxFrontalYawDeg;
    if (!back) {
      const progress = 0.8 + 0.15 * Math.min(1, Math.max(0, 1 - toward / config.challengeYawDeg));
      return finish({ phase, message: 'presence.turnBack', progress, checks: judged.checks, side: asked });
    }
    // Back to frontal: judge the shape of the motion from the held frame to the first frame past the
    // threshold and to the furthest turn; both must be non-planar (a real head is, at every angle).
    const held: ChallengeSample = { face: reference, gray: referenceGray };
    const judgedSamples = [crossing, peak && peak !== crossing?.face ? { face: peak, gray: peakGray } : null].filter(
      (x): x is ChallengeSample => x !== null,
    );
    const residual = judgedSamples.length ? Math.min(...judgedSamples.map((t) => planarity(held, t))) : Number.NaN;
    referenceGray = peakGray = null;
    crossing = null;
    if (Number.isNaN(residual)) return fail('no-frame', judged.checks);
    if (residual < config.minPlanarResidual) return fail('planar', judged.checks);
    if (judged.problem === null) considerBest(face, atMs);
    return pass(judged.checks, atMs, residual);
  }

  return {
    push(analysis: FrameAnalysis, atMs: number, frame?: RgbaFrame): PresenceState {
      if (phase === 'passed' || phase === 'failed') return state;
      frames++;
      startedAt ??= atMs;
      const next = phase === 'guide' ? guide(analysis, atMs, frame) : challenge(analysis, atMs, frame);
      // Frames live only as long as the decision needs them.
      if (next.phase === 'passed' || next.phase === 'failed') {
        referenceGray = peakGray = null;
        crossing = null;
      }
      return next;
    },
    get state() {
      return state;
    },
  };
}

const turnKey = (side: ChallengeSide): PresenceMessageKey => (side === 'left' ? 'presence.turnLeft' : 'presence.turnRight');
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
