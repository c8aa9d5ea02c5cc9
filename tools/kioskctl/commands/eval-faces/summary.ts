// kioskctl eval-faces: one set of scored pairs summed up (accuracy, FAR, FRR, EER, thresholds per FAR target).
import type { LabelledPair } from '../../../eval/faces/pairs.js';
import {
  equalErrorRate,
  ratesAt,
  thresholdForFar,
  type ScoredPair,
} from '../../../../electron/core/face/verification.js';
import type { Options } from './options.js';

export const r4 = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10_000) / 10_000 : null);
export const r1 = (v: number): number | null => (Number.isFinite(v) ? Math.round(v * 10) / 10 : null);

export type Scored = ScoredPair & { pair: LabelledPair; reference: string[] };

/** One group's figures at the threshold and for each FAR target. */
export function summarise(list: Scored[], all: LabelledPair[], opts: Options & { threshold: number }) {
  const rates = ratesAt(list, opts.threshold);
  const same = list.filter((p) => p.same).map((p) => p.distance);
  const diff = list.filter((p) => !p.same).map((p) => p.distance);
  const eer = equalErrorRate(list);
  return {
    pairs: list.length,
    same_pairs: same.length,
    different_pairs: diff.length,
    skipped_pairs: all.length - list.length,
    accuracy: r4(rates.accuracy),
    far: r4(rates.far),
    frr: r4(rates.frr),
    false_accepts: rates.falseAccepts,
    false_rejects: rates.falseRejects,
    eer: r4(eer.eer),
    eer_threshold: r4(eer.threshold),
    same_max_distance: same.length ? r4(Math.max(...same)) : null,
    different_min_distance: diff.length ? r4(Math.min(...diff)) : null,
    targets: opts['target-far'].map((target) => {
      const t = thresholdForFar(list, target);
      return {
        target_far: target,
        threshold: t ? r4(t.threshold) : null,
        far: t ? r4(t.rates.far) : null,
        frr: t ? r4(t.rates.frr) : null,
      };
    }),
  };
}
export type Summary = ReturnType<typeof summarise>;
