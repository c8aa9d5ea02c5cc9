import { randomInt } from 'node:crypto';
import type { z } from 'zod';
import type { FaceAnalysis, FrameAnalysis, RgbaFrame } from '../face/types.js';
import type { presenceEvidenceSchema } from '../../shared/protocol/envelope.js';
import { cameraGap, continuityBounds, continuityBreak, type ContinuityBounds } from './continuity.js';
import { judgeFrame, type FrameChecks, type PresenceConfig } from './guidance.js';
import { createHold } from './hold.js';
import { landmarkHomography, photometricPlanarFit } from './photometric.js';
import type { PresenceMessageKey } from './messages.js';
import { startTurn, type ChallengeSide, type PlanarityJudge, type Turn } from './turn.js';

export type { ChallengeSample, ChallengeSide, PlanarityJudge } from './turn.js';

export type PresenceEvidence = z.infer<typeof presenceEvidenceSchema>;
/** The presence policy's phases: live guidance, the head-turn challenge, and the two endings. */
export const presencePhases = ['guide', 'challenge', 'passed', 'failed'] as const;
export type PresencePhase = (typeof presencePhases)[number];
/**
 * Why a session failed:
 * - `guide-timeout`: no good, still face within `guideTimeoutMs` (the patient never reached the hold);
 * - `timeout`: no turn (or no return) within `challengeTimeoutMs`;
 * - `planar`: a flat object turned (a photo or a print);
 * - `face-lost`: a frame with no face, or a gap between frames, after the hold began;
 * - `face-changed`: two faces, a face that is not the tracked one, or (checked by the attempt with
 *   descriptors) a different person at the end than at the hold;
 * - `no-frame`: the frames needed to judge the turn were not given (the policy fails closed);
 * - `texture`: (judged by the attempt, presence/texture.ts) the session's face looked like a screen
 *   or a print to the texture model, or too few of its frames were scored.
 */
export const presenceFailures = [
  'guide-timeout',
  'timeout',
  'planar',
  'face-lost',
  'face-changed',
  'no-frame',
  'texture',
] as const;
export type PresenceFailure = (typeof presenceFailures)[number];

/** Which frame the caller must keep for the descriptors: the held frame or the frame back at frontal. */
export type KeptFrame = 'held' | 'back';

export const photometricJudge: PlanarityJudge = (reference, turned) => {
  if (!reference.gray || !turned.gray) return Number.NaN;
  const initial = landmarkHomography(reference.face.landmarks, turned.face.landmarks);
  return photometricPlanarFit(reference.gray, reference.face.box, turned.gray, initial).residual;
};

export interface PresenceState {
  phase: PresencePhase;
  /** The one instruction to show now. */
  message: PresenceMessageKey;
  /** 0..1 for the progress ring. */
  progress: number;
  /**
   * Set on the state answering a frame the caller must keep (in memory only) to describe: `held`,
   * the still frontal frame at the end of the hold, and `back`, the frame back at frontal after the
   * turn (the pass). Every other frame can be dropped once judged.
   */
  keep: KeptFrame | null;
  /** The checks of the latest frame, for the guidance overlay and logs. */
  checks: FrameChecks;
  side?: ChallengeSide;
  failure?: PresenceFailure;
  /** On success only. */
  evidence?: PresenceEvidence;
}

export interface PresencePolicyOptions {
  config: PresenceConfig;
  /** Uniform in [0, 1); decides the side to turn to. Defaults to a CSPRNG. */
  random?: () => number;
  /** Replaces the pixel-based planar test (only for logic tests on synthetic analyses). */
  planarity?: PlanarityJudge;
  /** The tracking bounds (continuity.ts); the measured defaults unless a test narrows them. */
  continuity?: ContinuityBounds;
}

export interface PresencePolicy {
  /**
   * Judges one analysed frame taken at `atMs` (monotonic milliseconds) and answers the new state.
   * Pass the frame itself too: the planar test needs the pixels of the held frame and of the
   * furthest turn. The session keeps at most those two, as luma, in memory, until it ends.
   */
  push(analysis: FrameAnalysis, atMs: number, frame?: RgbaFrame): PresenceState;
  readonly state: PresenceState;
}

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
 * Synchronous: it judges the engine's analyses, and, for the planar test only, the pixels of the
 * held and the turned frame passed with them (photometric.ts); it keeps no frame itself. Tested on
 * synthetic sequences as well as on real frames.
 */
export function createPresencePolicy(options: PresencePolicyOptions): PresencePolicy {
  const config = options.config;
  const random = options.random ?? defaultRandom;
  const planarity = options.planarity ?? photometricJudge;
  const bounds = options.continuity ?? continuityBounds;

  let phase: PresencePhase = 'guide';
  let frames = 0;
  let startedAt: number | null = null;
  /** The face of the last judged frame and when it was seen: what the next frame must continue. */
  let previous: FaceAnalysis | null = null;
  let previousAt = 0;
  const hold = createHold(config, bounds);

  // Challenge: the turn asked (turn.ts).
  let turn: Turn | null = null;
  /** Since when the face turned towards profile has been out of the detector's sight (null: in sight). */
  let lostSince: number | null = null;

  let state: PresenceState = { phase, message: 'presence.noFace', progress: 0, keep: null, checks: noChecks };

  const finish = (next: Omit<PresenceState, 'keep'>, keep: KeptFrame | null = null): PresenceState => {
    state = { ...next, keep };
    return state;
  };

  const sideOf = (): { side?: ChallengeSide } => (turn ? { side: turn.side } : {});

  const fail = (failure: PresenceFailure, checks: FrameChecks): PresenceState => {
    phase = 'failed';
    return finish({ phase, message: failureMessage[failure], progress: 0, checks, failure, ...sideOf() });
  };

  const pass = (checks: FrameChecks, atMs: number, keep: KeptFrame, planarResidual?: number): PresenceState => {
    phase = 'passed';
    const durationMs = Math.max(0, atMs - (startedAt ?? atMs));
    const evidence = evidenceOf(config, { frames, durationMs, turn, planarResidual });
    return finish({ phase, message: 'presence.passed', progress: 1, checks, evidence, ...sideOf() }, keep);
  };

  /** The hold fills this share of the progress ring; the challenge the rest. */
  const holdWeight = config.challenge === 'off' ? 1 : 0.4;

  function guide(analysis: FrameAnalysis, atMs: number, frame: RgbaFrame | undefined): PresenceState {
    const step = hold.push(analysis, atMs);
    const { face, checks } = step;
    // Guidance that ends: a patient who never reaches a good hold gets a failed attempt (then
    // "Try again", then the decline path), not the same instruction forever.
    if (atMs - (startedAt ?? atMs) > config.guideTimeoutMs) return fail('guide-timeout', checks);
    if (!step.complete || !face)
      return finish({ phase, message: step.message, progress: holdWeight * step.progress, checks });
    // The challenge continues the tracking from the held face.
    previous = face;
    previousAt = atMs;
    if (config.challenge === 'off') return pass(checks, atMs, 'held');
    phase = 'challenge';
    const side = random() < 0.5 ? 'left' : 'right';
    turn = startTurn(config, { side, held: face, heldFrame: frame, atMs });
    return finish({ phase, message: turnKey(side), progress: holdWeight, checks, side }, 'held');
  }

  function challenge(analysis: FrameAnalysis, atMs: number, frame: RgbaFrame | undefined): PresenceState {
    const judged = judgeFrame(analysis, config);
    if (!turn) return fail('no-frame', judged.checks);
    const asked = turn.side;
    if (atMs - turn.askedAt > config.challengeTimeoutMs) return fail('timeout', judged.checks);
    // From the hold to the pass, every frame shows the one tracked face: no face, a second face, a
    // jump or a gap ends the attempt (a photo pulled away and a head put in its place never counts).
    if (analysis.faces.length > 1) return fail('face-changed', judged.checks);
    const face = judged.face;
    if (!previous) return fail('face-lost', judged.checks);
    // A head turned towards the asked side (past half the angle asked) may turn on towards profile,
    // where the small detector loses it: that is a patient doing more than asked, not a swap. The
    // attempt waits (at most maxProfileGapMs, still within the challenge's time) for the face to come
    // back. Whoever comes back must be the only face, and at the pass the identity check compares
    // the held frame with the frame back at frontal, so a head swapped in behind the gap fails there.
    // Before the head has turned that far (a photo held still, a covered lens) a lost face ends the attempt.
    const mayTurnOutOfSight = turn.lastToward >= config.challengeYawDeg / 2;
    if (!face) {
      if (!mayTurnOutOfSight) return fail('face-lost', judged.checks);
      lostSince ??= previousAt;
      if (atMs - lostSince > bounds.maxProfileGapMs) return fail('face-lost', judged.checks);
      const message = turn.turned ? 'presence.turnBack' : turnKey(asked);
      return finish({ phase, message, progress: state.progress, checks: judged.checks, side: asked });
    }
    if (lostSince !== null) {
      // Back in sight after a profile gap: the tracking resumes from this face (the box of a head
      // seen near profile says little about where it comes back); the gap itself was bounded above.
      if (atMs - lostSince > bounds.maxProfileGapMs) return fail('face-lost', judged.checks);
      lostSince = null;
    } else {
      const broken = continuityBreak(previous, face, cameraGap(analysis, atMs, previousAt), bounds);
      if (broken) return fail(broken === 'gap' ? 'face-lost' : 'face-changed', judged.checks);
    }
    previous = face;
    previousAt = atMs;
    const wasTurned = turn.turned;
    const toward = turn.observe(face, frame);
    const progress = turn.progress(toward);
    if (!wasTurned) {
      const message = turn.turned ? 'presence.turnBack' : turnKey(asked);
      return finish({ phase, message, progress, checks: judged.checks, side: asked });
    }
    if (!(Math.abs(face.pose.yawDeg) <= config.maxFrontalYawDeg))
      return finish({ phase, message: 'presence.turnBack', progress, checks: judged.checks, side: asked });
    // Back to frontal: judge the shape of the motion from the held frame to the first frame past the
    // threshold and to the furthest turn; both must be non-planar (a real head is, at every angle).
    const residual = turn.planarResidual(planarity);
    turn.wipe();
    if (Number.isNaN(residual)) return fail('no-frame', judged.checks);
    if (residual < config.minPlanarResidual) return fail('planar', judged.checks);
    return pass(judged.checks, atMs, 'back', residual);
  }

  return {
    push(analysis: FrameAnalysis, atMs: number, frame?: RgbaFrame): PresenceState {
      if (phase === 'passed' || phase === 'failed') return { ...state, keep: null };
      frames++;
      startedAt ??= atMs;
      const next = phase === 'guide' ? guide(analysis, atMs, frame) : challenge(analysis, atMs, frame);
      // Frames live only as long as the decision needs them.
      if (next.phase === 'passed' || next.phase === 'failed') turn?.wipe();
      return next;
    },
    get state() {
      return state;
    },
  };
}

/** What a pass seals about the attempt (shared/protocol/envelope.ts): never a frame, only figures. */
function evidenceOf(
  config: PresenceConfig,
  session: { frames: number; durationMs: number; turn: Turn | null; planarResidual: number | undefined },
): PresenceEvidence {
  const { turn, planarResidual } = session;
  return {
    challenge: config.challenge,
    frames: session.frames,
    durationMs: Math.round(session.durationMs),
    ...(turn ? { side: turn.side } : {}),
    ...(turn ? { yawMinDeg: round(turn.yawRange.min), yawMaxDeg: round(turn.yawRange.max) } : {}),
    ...(planarResidual !== undefined ? { planarResidual: round(planarResidual, 4) } : {}),
  };
}

/** What the patient is told when an attempt fails (then "Try again" or the decline path). */
const failureMessage: Record<PresenceFailure, PresenceMessageKey> = {
  'guide-timeout': 'presence.guideTimeout',
  timeout: 'presence.challengeFailed',
  planar: 'presence.challengeFailed',
  'no-frame': 'presence.challengeFailed',
  texture: 'presence.challengeFailed',
  'face-lost': 'presence.keepInView',
  'face-changed': 'presence.keepInView',
};

const turnKey = (side: ChallengeSide): PresenceMessageKey =>
  side === 'left' ? 'presence.turnLeft' : 'presence.turnRight';
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
