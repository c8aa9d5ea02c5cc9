import type { FaceAnalysis, FrameAnalysis } from '../face/types.js';
import { cameraGap, continuityBreak, type ContinuityBounds } from './continuity.js';
import { judgeFrame, landmarkMotion, type FrameChecks, type FrameJudgement, type PresenceConfig } from './guidance.js';
import type { PresenceMessageKey } from './messages.js';

/**
 * The hold: live guidance until one good face holds still (docs/presence.md, "Guidance"). Each
 * frame is judged (guidance.ts); the hold runs while the frames are good, each continuing the one
 * before (continuity.ts) and still, and completes after `holdMs` and `MIN_HOLD_FRAMES` frames.
 *
 * The hold is judged on frames of one analysis scope (presence/tracking.ts): the analyses around
 * the tracked face and of the whole frame disagree on one and the same frame by more than the
 * guidance's bounds (measured: up to 0.067 in centre offset, 16.7° in yaw), so a whole-frame look
 * during a hold on the tracked frames only keeps the one-person rule and the tracking.
 */
export interface HoldStep extends FrameJudgement {
  /** The instruction to show; `presence.holdStill` while the hold runs. */
  message: PresenceMessageKey;
  /** 0..1: how far the hold is. */
  progress: number;
  /** The hold completed on this frame (its `face` is the held face). */
  complete: boolean;
}

export interface Hold {
  push(analysis: FrameAnalysis, atMs: number): HoldStep;
}

/** At least this many consecutive good, still frames (besides holdMs) before the face is accepted. */
const MIN_HOLD_FRAMES = 3;
/** How far past a bound a face must be before a "move" instruction gives way (a share of the bound). */
const stickyMargin = 0.08;

type AnalysisScope = NonNullable<FrameAnalysis['scope']>;

export function createHold(config: PresenceConfig, bounds: ContinuityBounds): Hold {
  /** The face of the last judged frame and when it was seen: what the next frame must continue. */
  let previous: FaceAnalysis | null = null;
  let previousAt = 0;
  let since: number | null = null;
  let frames = 0;
  /** The running hold's scope and its last face of that scope (what stillness is measured against). */
  let running: { scope: AnalysisScope; face: FaceAnalysis } | null = null;
  /** The problem of the last frame (stickyProblem); before the first frame, as if it showed no face. */
  let lastProblem: PresenceMessageKey | null = 'presence.noFace';

  const progressAt = (atMs: number): number => Math.min(1, (atMs - (since ?? atMs)) / config.holdMs);

  return {
    push(analysis, atMs) {
      const judged = judgeFrame(analysis, config);
      const face = judged.face;
      const scope = scopeOf(analysis);
      const gap = cameraGap(analysis, atMs, previousAt);
      // A whole-frame look during a hold on the tracked frames: exactly one face, the tracked one,
      // keeps the hold; anything else is judged in full below and ends it.
      if (running?.scope === 'around' && scope === 'frame' && face && previous) {
        if (continuityBreak(previous, face, gap, bounds) === null) {
          previous = face;
          previousAt = atMs;
          return { ...judged, message: 'presence.holdStill', progress: progressAt(atMs), complete: false };
        }
      }
      let message = stickyProblem(config, analysis, judged, lastProblem);
      lastProblem = message;
      // Within a hold, each frame must continue the one before (same face, close in time) and be
      // still: stillness is measured against the hold's last frame of the same scope.
      if (message === null && face && since !== null && previous) {
        const broken = continuityBreak(previous, face, gap, bounds) !== null;
        const moved = running?.scope === scope && landmarkMotion(running.face, face) > config.maxHoldMotion;
        if (broken || moved) message = 'presence.holdStill';
      }
      previous = face;
      previousAt = atMs;
      if (message !== null || !face) {
        since = null;
        frames = 0;
        running = null;
        return { ...judged, message: message ?? 'presence.noFace', progress: 0, complete: false };
      }
      since ??= atMs;
      // The hold's scope is its latest fully judged frame's: a hold begun on a whole-frame look
      // moves to the tracked frames as soon as one comes.
      running = { scope, face };
      frames++;
      const progress = progressAt(atMs);
      const complete = progress >= 1 && frames >= MIN_HOLD_FRAMES;
      return { ...judged, message: 'presence.holdStill', progress, complete };
    },
  };
}

/**
 * Hysteresis, both ways, for the instructions a patient follows by moving: "move closer", "move
 * back", "centre" and "look at the camera". Such an instruction stays until the face is clearly
 * inside the bound (by `stickyMargin` of it), and a face that was good on the last frame is told
 * one only when it is clearly past the bound. So a face near a bound, wavering across it from frame
 * to frame (detection noise, a sway, a patient who stops as soon as the instruction changes), is
 * not told "centre" and "hold still" ten times a second, which nobody can follow (found with the
 * patient simulator). Light, sharpness and the one-person rule have no margin.
 */
function stickyProblem(
  config: PresenceConfig,
  analysis: FrameAnalysis,
  judged: FrameJudgement,
  last: PresenceMessageKey | null,
): PresenceMessageKey | null {
  const { problem, face } = judged;
  if (!face) return problem;
  // An instruction to move stays until its own condition is clearly met, whatever else the frame
  // shows: a face near two bounds is not told "move closer" and "centre" in turn.
  const lastCheck = last === null ? undefined : movableCheck[last];
  if (lastCheck && !judgeFrame(analysis, config, -stickyMargin).checks[lastCheck]) return last;
  if (problem === null) return null;
  const wasGood = last === null || last === 'presence.holdStill';
  if (!wasGood || movableCheck[problem] === undefined) return problem;
  // The face was good: only a clear crossing counts; the first problem within the margins is next.
  return judgeFrame(analysis, config, stickyMargin).problem;
}

/** The instructions a patient follows by moving, and the check each answers. */
const movableCheck: Partial<Record<PresenceMessageKey, keyof FrameChecks>> = {
  'presence.moveCloser': 'bigEnough',
  'presence.moveBack': 'notTooBig',
  'presence.centre': 'centred',
  'presence.lookAtCamera': 'frontal',
};

/**
 * What the engine looked at for this frame (face/types.ts): `around` the tracked face, or the whole
 * `frame` (the default, and every frame in `analysis.mode: 'whole'`).
 */
const scopeOf = (analysis: FrameAnalysis): AnalysisScope => analysis.scope ?? 'frame';
