/**
 * How the next judged frame is analysed (docs/presence.md, "Cost"): what presence needs of it, and
 * no more.
 *
 * - **Where to look.** While one face is tracked, the engine looks only in the square around its
 *   last box (face/pipeline.ts: half the detector's work), and at the whole frame every
 *   `fullFrameEvery`-th frame, and at once whenever the square does not show exactly one face well
 *   inside it. So the one-person rule still holds: a second face in the square is seen on that very
 *   frame, one elsewhere within `fullFrameEvery` frames, and the two frames the identity check
 *   describes (held, back) are searched whole by describe, which refuses a frame with two faces.
 * - **Texture.** The texture evidence (presence/texture.ts) uses the scores of a running hold and of
 *   the challenge only; other frames are not scored. Every such frame is scored until the session
 *   has `texture.minFrames` scores (so the minimum is reached as early as before), then every
 *   `textureEvery`-th: consecutive frames of one face score alike, and the median over every other
 *   frame of a screen or a print stays as low (presence-tracking.test.ts).
 *
 * `mode: 'whole'` asks for nothing: every frame whole and scored, as before (for measuring).
 */
import type { Box, FrameAnalysis, FrameOptions } from '../face/types.js';

export interface AnalysisConfig {
  mode: 'tracked' | 'whole';
  fullFrameEvery: number;
  textureEvery: number;
}

export type AnalysisRequest = Pick<FrameOptions, 'around' | 'texture'>;

export interface AnalysisPlan {
  /**
   * The options for the next frame's analysis. `judging`: the next frame counts for the texture
   * evidence if it shows the tracked face (the hold is running or the challenge is on); `scores`:
   * how many texture scores the evidence holds now.
   */
  next(judging: boolean, scores: number): AnalysisRequest;
  /** The analysis the engine gave for the frame asked for last. */
  seen(analysis: FrameAnalysis): void;
}

export function createAnalysisPlan(config: AnalysisConfig, minTextureFrames: number): AnalysisPlan {
  let tracked: Box | null = null;
  /** Frames analysed only around the tracked face since the last whole-frame look. */
  let aroundSince = 0;
  let scoredOrSkipped = 0;
  return {
    next(judging, scores) {
      if (config.mode === 'whole') return {};
      const request: AnalysisRequest = {};
      if (tracked && aroundSince + 1 < config.fullFrameEvery) request.around = tracked;
      if (!judging) request.texture = false;
      else if (scores >= minTextureFrames) request.texture = scoredOrSkipped++ % config.textureEvery === 0;
      return request;
    },
    seen(analysis) {
      aroundSince = analysis.scope === 'around' ? aroundSince + 1 : 0;
      const only = analysis.faces.length === 1 ? analysis.faces[0] : undefined;
      tracked = only ? { ...only.box } : null;
    },
  };
}
