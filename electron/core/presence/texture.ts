/**
 * Texture evidence over a session: the texture model's real-face score (face/texture.ts, computed
 * by the face worker on each analysed frame's one face) collected from the start of the hold to the
 * pass, and judged once, at the pass, by its **median**: one frame's score swings with blur, a
 * blink or the turn (the model was trained on near-frontal faces), a session's median does not. A
 * session whose frames carry no score while texture is on fails closed (the engine runs without
 * the model only if the configuration turned it off).
 *
 * The hold and the challenge are also judged **each by its own median**: a print or a phone held
 * through the hold and swapped for a live head as soon as the turn is asked leaves the live head
 * most of the session's frames, and the session's median alone would pass it. The hold is where
 * the descriptor's first half comes from (presence/attempt.ts), so it must be a live face's too.
 */
import type { FrameAnalysis } from '../face/types.js';

export interface TextureConfig {
  mode: 'on' | 'off';
  minRealScore: number;
  minFrames: number;
}

export interface TextureSummary {
  /** Median real-face score of the session's frames, 3 decimals. */
  score: number;
  frames: number;
  /** The texture model package (`<id>@<manifest hash prefix>`). */
  modelId: string;
}

/** The texture evidence of a session so far, for the evaluation tools (3 decimals). */
export interface SessionTexture {
  /** The median real-face score of the session's scored frames (what the envelope carries). */
  score: number;
  frames: number;
  /** The score the verdict compares with the threshold: the lower of the hold's and the challenge's medians. */
  judged: number;
}

export type TextureVerdict =
  | { pass: true; summary: TextureSummary }
  | {
      pass: false;
      summary?: TextureSummary;
      why: 'low-score' | 'low-hold-score' | 'low-challenge-score' | 'too-few-frames';
    };

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * Collects scores while the session holds and challenges. `hold(analysis)` for each frame of a
 * running hold (`restart()` when the hold breaks), `challenge(analysis)` for each challenge frame;
 * `judge(modelId)` at the pass.
 */
export function createTextureEvidence(config: TextureConfig) {
  let hold: number[] = [];
  // The scores of the hold that led to the challenge, and of the challenge.
  const held: number[] = [];
  const challenged: number[] = [];
  const scoreOf = (analysis: FrameAnalysis): number | undefined =>
    analysis.faces.length === 1 ? analysis.faces[0]?.texture : undefined;
  /**
   * The score the verdict compares with the threshold: the lower of the hold's and the
   * challenge's medians (the session's median lies between them), or the median of what there
   * is when the session has no challenge yet. For the evaluation tools and the verdict alike.
   */
  const judgedScore = (): number => {
    if (held.length > 0 && challenged.length > 0) return Math.min(median(held), median(challenged));
    return median([...held, ...challenged, ...hold]);
  };
  return {
    hold(analysis: FrameAnalysis): void {
      const s = scoreOf(analysis);
      if (s !== undefined && Number.isFinite(s)) hold.push(s);
    },
    restart(): void {
      hold = [];
    },
    /** The hold reached the challenge: its scores belong to the session. */
    startChallenge(): void {
      held.push(...hold);
      hold = [];
    },
    challenge(analysis: FrameAnalysis): void {
      const s = scoreOf(analysis);
      if (s !== undefined && Number.isFinite(s)) challenged.push(s);
    },
    /** The scores so far (hold and challenge): for the evaluation tools. */
    scores(): readonly number[] {
      return [...held, ...challenged, ...hold];
    },
    judgedScore,
    /** The figures so far (undefined before any scored frame). */
    snapshot(): SessionTexture | undefined {
      const all = [...held, ...challenged, ...hold];
      if (all.length === 0) return undefined;
      const round = (x: number): number => Math.round(x * 1000) / 1000;
      return { score: round(median(all)), frames: all.length, judged: round(judgedScore()) };
    },
    judge(modelId: string): TextureVerdict {
      const all = [...held, ...challenged, ...hold];
      const frames = all.length;
      if (frames === 0) return { pass: false, why: 'too-few-frames' };
      const summary: TextureSummary = { score: Math.round(median(all) * 1000) / 1000, frames, modelId };
      if (frames < config.minFrames) return { pass: false, summary, why: 'too-few-frames' };
      // With a challenge, the hold behind it was always scored (its first frames are: presence/tracking.ts);
      // no score there is a hold the model never saw, and fails closed.
      if (challenged.length > 0 && held.length === 0) return { pass: false, summary, why: 'too-few-frames' };
      if (!(median(all) >= config.minRealScore)) return { pass: false, summary, why: 'low-score' };
      if (held.length > 0 && !(median(held) >= config.minRealScore))
        return { pass: false, summary, why: 'low-hold-score' };
      if (challenged.length > 0 && !(median(challenged) >= config.minRealScore))
        return { pass: false, summary, why: 'low-challenge-score' };
      return { pass: true, summary };
    },
    wipe(): void {
      hold = [];
      held.length = 0;
      challenged.length = 0;
    },
  };
}
