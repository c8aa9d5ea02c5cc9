/**
 * The head turn of one challenge, as the presence policy (policy.ts) follows it frame by frame:
 * how far the tracked face has turned towards the asked side from the held frame, the furthest
 * turn and the first frame past the asked angle (kept, with their luma, for the planar test), and
 * the yaw range sealed in the evidence. It judges poses and shapes only; whether each frame
 * continues the one before (tracking, gaps, a second face) stays with the policy.
 */
import type { FaceAnalysis, RgbaFrame } from '../face/types.js';
import type { PresenceConfig } from './guidance.js';
import { toGray, type GrayImage } from './photometric.js';

export type ChallengeSide = 'left' | 'right';

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

// A frame whose buffer was transferred to the engine (detached) is as good as no frame.
export const grayOf = (frame: RgbaFrame | undefined): GrayImage | null =>
  frame && frame.width > 0 && frame.data.length === frame.width * frame.height * 4 ? toGray(frame) : null;

export interface Turn {
  readonly side: ChallengeSide;
  /** When the turn was asked (the held frame's time). */
  readonly askedAt: number;
  /** The face has turned past the asked angle (on a frame before, or on the last one observed). */
  readonly turned: boolean;
  /** How far the last face seen was turned towards the asked side (degrees from the held yaw). */
  readonly lastToward: number;
  readonly yawRange: { min: number; max: number };
  /** Follows one tracked face of the challenge; answers the degrees it is turned towards the asked side. */
  observe(face: FaceAnalysis, frame: RgbaFrame | undefined): number;
  /**
   * The progress ring (0.4 at the hold's end) for a face turned `toward` degrees: up to 0.8 while
   * turning, then up to 0.95 while coming back.
   */
  progress(toward: number): number;
  /**
   * Back at frontal: the shape of the motion from the held frame to the first frame past the
   * threshold and to the furthest turn; the lower residual of the two (a real head is non-planar at
   * every angle). NaN when no turned frame was kept.
   */
  planarResidual(planarity: PlanarityJudge): number;
  /** Drops the kept luma (the turn is over). */
  wipe(): void;
}

/** Starts following a turn to `side`, asked at `atMs`, from the held face (and its frame, for the planar test). */
export function startTurn(
  config: PresenceConfig,
  asked: { side: ChallengeSide; held: FaceAnalysis; heldFrame: RgbaFrame | undefined; atMs: number },
): Turn {
  const { side, held, heldFrame } = asked;
  let heldGray = grayOf(heldFrame);
  let turned = false;
  let peak: FaceAnalysis | null = null;
  let peakGray: GrayImage | null = null;
  /** The first frame past the threshold: the least extreme turn, where a tilted print is easiest to align. */
  let crossing: ChallengeSample | null = null;
  let peakToward = 0;
  let lastToward = 0;
  const yawRange = { min: held.pose.yawDeg, max: held.pose.yawDeg };

  return {
    side,
    askedAt: asked.atMs,
    get turned() {
      return turned;
    },
    get lastToward() {
      return lastToward;
    },
    yawRange,
    observe(face, frame) {
      const yaw = face.pose.yawDeg;
      yawRange.min = Math.min(yawRange.min, yaw);
      yawRange.max = Math.max(yawRange.max, yaw);
      // Pose convention (face/types.ts): yaw > 0 is the person turning to their own left.
      const toward = side === 'left' ? yaw - held.pose.yawDeg : held.pose.yawDeg - yaw;
      lastToward = toward;
      if (!turned) {
        if (toward >= config.challengeYawDeg) {
          turned = true;
          peak = face;
          peakGray = grayOf(frame);
          peakToward = toward;
          crossing = { face, gray: peakGray };
        }
      } else if (toward > peakToward) {
        peak = face;
        peakGray = grayOf(frame);
        peakToward = toward;
      }
      return toward;
    },
    progress(toward) {
      const share = Math.max(0, toward) / config.challengeYawDeg;
      return turned ? 0.8 + 0.15 * Math.min(1, Math.max(0, 1 - share)) : 0.4 + 0.4 * Math.min(1, share);
    },
    planarResidual(planarity) {
      const reference: ChallengeSample = { face: held, gray: heldGray };
      const samples = [crossing, peak && peak !== crossing?.face ? { face: peak, gray: peakGray } : null].filter(
        (x): x is ChallengeSample => x !== null,
      );
      return samples.length ? Math.min(...samples.map((t) => planarity(reference, t))) : Number.NaN;
    },
    wipe() {
      heldGray = peakGray = null;
      crossing = null;
    },
  };
}
