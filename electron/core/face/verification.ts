/**
 * 1:1 verification figures from labelled pairs of descriptors: accuracy, false accept and false
 * reject rates at a threshold, the equal error rate, and the threshold that meets a target FAR.
 * Pure arithmetic, shared by `kioskctl eval-faces` and its tests.
 */

export interface ScoredPair {
  same: boolean;
  distance: number;
}

export interface Rates {
  pairs: number;
  accuracy: number;
  /** False accepts / different-person pairs. */
  far: number;
  /** False rejects / same-person pairs. */
  frr: number;
  falseAccepts: number;
  falseRejects: number;
}

export const euclidean = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) throw new Error(`descriptors differ in length (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    s += d * d;
  }
  return Math.sqrt(s);
};

/** A pair is accepted (same person) when its distance is strictly under the threshold. */
export function ratesAt(pairs: ScoredPair[], threshold: number): Rates {
  let fa = 0;
  let fr = 0;
  let same = 0;
  for (const p of pairs) {
    const accepted = p.distance < threshold;
    if (p.same) {
      same++;
      if (!accepted) fr++;
    } else if (accepted) fa++;
  }
  const diff = pairs.length - same;
  return {
    pairs: pairs.length,
    accuracy: pairs.length ? (pairs.length - fa - fr) / pairs.length : Number.NaN,
    far: diff ? fa / diff : 0,
    frr: same ? fr / same : 0,
    falseAccepts: fa,
    falseRejects: fr,
  };
}

/** Thresholds worth trying: midpoints between consecutive distinct distances, plus both ends. */
function candidates(pairs: ScoredPair[]): number[] {
  const d = [...new Set(pairs.map((p) => p.distance))].sort((a, b) => a - b);
  if (d.length === 0) return [];
  const out = [(d[0] as number) - 1e-6];
  for (let i = 1; i < d.length; i++) out.push(((d[i - 1] as number) + (d[i] as number)) / 2);
  out.push((d[d.length - 1] as number) + 1e-6);
  return out;
}

/** Equal error rate: at the threshold where FAR and FRR are closest, their mean. */
export function equalErrorRate(pairs: ScoredPair[]): { eer: number; threshold: number } {
  let best = { eer: Number.NaN, threshold: Number.NaN, gap: Infinity };
  for (const r of detCurve(pairs)) {
    const gap = Math.abs(r.far - r.frr);
    if (gap < best.gap) best = { eer: (r.far + r.frr) / 2, threshold: r.threshold, gap };
  }
  return { eer: best.eer, threshold: best.threshold };
}

/** The most permissive threshold (lowest FRR) whose FAR does not exceed the target; null if none does. */
export function thresholdForFar(pairs: ScoredPair[], targetFar: number): { threshold: number; rates: Rates } | null {
  let found: number | null = null;
  for (const r of detCurve(pairs)) {
    if (r.far <= targetFar) found = r.threshold;
    else break; // FAR only grows with the threshold
  }
  return found === null ? null : { threshold: found, rates: ratesAt(pairs, found) };
}

export interface DetPoint {
  threshold: number;
  far: number;
  frr: number;
}

/**
 * The detection error trade-off: FAR and FRR at every threshold worth trying, from the strictest
 * (FAR 0) to the most permissive (FRR 0). One sort, one sweep.
 */
export function detCurve(pairs: ScoredPair[]): DetPoint[] {
  const same = pairs.filter((p) => p.same).length;
  const diff = pairs.length - same;
  const sorted = [...pairs].sort((a, b) => a.distance - b.distance);
  const out: DetPoint[] = [];
  let acceptedSame = 0;
  let acceptedDiff = 0;
  const point = (threshold: number): DetPoint => ({
    threshold,
    far: diff ? acceptedDiff / diff : 0,
    frr: same ? (same - acceptedSame) / same : 0,
  });
  for (const t of candidates(pairs)) {
    // Accepted = distance strictly under the threshold, as ratesAt.
    while (
      acceptedSame + acceptedDiff < sorted.length &&
      (sorted[acceptedSame + acceptedDiff] as ScoredPair).distance < t
    ) {
      if ((sorted[acceptedSame + acceptedDiff] as ScoredPair).same) acceptedSame++;
      else acceptedDiff++;
    }
    out.push(point(t));
  }
  return out;
}
