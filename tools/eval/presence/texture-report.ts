/**
 * The texture evidence in `kioskctl eval-presence`: every presentation runs once with the texture
 * verdict off and its judged score recorded (the lower of the hold's and the challenge's medians:
 * presence/texture.ts), so one run gives the outcome without texture, the outcome at any threshold
 * (what the kiosk does: a pass also needs that score ≥ threshold over at least `minFrames` frames), the score per label, a DET curve per attack kind, and a threshold
 * suggested from the bona fide recordings at a target BPCER. Pure arithmetic.
 */
import { detCurve, type DetPoint, type ScoredPair } from '../../../electron/core/face/verification.js';
import type { PresenceOutcome, PresenceRun } from './run.js';

export interface LabelledRun extends PresenceRun {
  label: string;
}

/** The outcome the kiosk gives with texture on at `threshold` (the run itself was judged without it). */
export function withTexture(r: LabelledRun, threshold: number, minFrames: number): PresenceOutcome {
  if (r.outcome !== 'passed') return r.outcome;
  return r.texture && r.texture.frames >= minFrames && r.texture.judged >= threshold ? 'passed' : 'refused';
}

export interface ScoreStats {
  /** Presentations of this label with a texture score (scored frames ≥ minFrames). */
  scored: number;
  median: number | null;
  min: number | null;
  max: number | null;
}

const stats = (xs: number[]): ScoreStats => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    scored: s.length,
    median: s.length ? (s[Math.floor((s.length - 1) / 2)] as number) : null,
    min: s[0] ?? null,
    max: s.at(-1) ?? null,
  };
};

/** Session medians of the acquired presentations that carry a texture score, by label. */
export function scoresByLabel(runs: LabelledRun[], minFrames: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const r of runs) {
    if (r.outcome === 'not-acquired' || !r.texture || r.texture.frames < minFrames) continue;
    (out[r.label] ??= []).push(r.texture.judged);
  }
  return out;
}

export const scoreStats = (byLabel: Record<string, number[]>): Record<string, ScoreStats> =>
  Object.fromEntries(Object.entries(byLabel).map(([k, v]) => [k, stats(v)]));

/**
 * The threshold suggested for a target BPCER: the `targetBpcer` quantile of the bona fide session
 * medians (at most that share of them lies below it), times `margin` (< 1: room for the patients
 * the recordings did not include). Null without bona fide scores.
 */
export function suggestThreshold(
  bonaFide: number[],
  targetBpcer: number,
  margin: number,
): { threshold: number; quantile: number; bonaFide: number } | null {
  if (!bonaFide.length) return null;
  const s = [...bonaFide].sort((a, b) => a - b);
  // The largest value with at most targetBpcer of the scores strictly below it.
  const k = Math.min(s.length - 1, Math.floor(targetBpcer * s.length));
  const quantile = s[k] as number;
  return { threshold: Math.round(quantile * margin * 1000) / 1000, quantile, bonaFide: s.length };
}

/** DET points of one attack kind against the bona fide sessions (FAR = APCER, FRR = BPCER of the texture alone). */
export function textureDet(bonaFide: number[], attacks: number[]): DetPoint[] {
  // detCurve accepts a distance strictly under the threshold: distance = 1 − score.
  const pairs: ScoredPair[] = [
    ...bonaFide.map((s) => ({ same: true, distance: 1 - s })),
    ...attacks.map((s) => ({ same: false, distance: 1 - s })),
  ];
  return detCurve(pairs).map((p) => ({ ...p, threshold: Math.round((1 - p.threshold) * 10_000) / 10_000 }));
}
