/**
 * Texture evidence over a session: the texture model's real-face score (face/texture.ts, computed
 * by the face worker on each analysed frame's one face) collected from the start of the hold to the
 * pass, and judged once, at the pass, by its **median**: one frame's score swings with blur, a
 * blink or the turn (the model was trained on near-frontal faces), a session's median does not. A
 * session whose frames carry no score while texture is on fails closed (the engine runs without
 * the model only if the configuration turned it off).
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

export type TextureVerdict =
  | { pass: true; summary: TextureSummary }
  | { pass: false; summary?: TextureSummary; why: 'low-score' | 'too-few-frames' };

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
  const session: number[] = [];
  const scoreOf = (analysis: FrameAnalysis): number | undefined =>
    analysis.faces.length === 1 ? analysis.faces[0]?.texture : undefined;
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
      session.push(...hold);
      hold = [];
    },
    challenge(analysis: FrameAnalysis): void {
      const s = scoreOf(analysis);
      if (s !== undefined && Number.isFinite(s)) session.push(s);
    },
    /** The scores so far (hold and challenge): for the evaluation tools. */
    scores(): readonly number[] {
      return [...session, ...hold];
    },
    judge(modelId: string): TextureVerdict {
      const frames = session.length + hold.length;
      const all = [...session, ...hold];
      if (frames === 0) return { pass: false, why: 'too-few-frames' };
      const summary: TextureSummary = { score: Math.round(median(all) * 1000) / 1000, frames, modelId };
      if (frames < config.minFrames) return { pass: false, summary, why: 'too-few-frames' };
      return median(all) >= config.minRealScore ? { pass: true, summary } : { pass: false, summary, why: 'low-score' };
    },
    wipe(): void {
      hold = [];
      session.length = 0;
    },
  };
}
