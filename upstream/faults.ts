import { z } from 'zod';

/**
 * Fault injection for the reference upstream (`--faults`), so tests and IT drills see what a bad
 * network and an overloaded upstream do. SPEC: comma-separated `kind:rate`, e.g.
 * `500:0.1,reset:0.05,timeout:0.02,slow:0.05,429:0.1,malformed:0.05,drop-ids:0.05`. Rates are per request.
 * Faults marked "after" hit once the batch has been stored, which is the case that tests
 * idempotency: the kiosk never hears the answer and must send the same ids again. `drop-ids`
 * stores the batch and answers 200 with the first half of the ids left out (all of them for a
 * single item): a buggy upstream the kiosk must treat as a failure, with backoff.
 */
export const faultKinds = ['500', 'reset', 'timeout', 'slow', '429', 'malformed', 'drop-ids'] as const;
export type FaultKind = (typeof faultKinds)[number];

const specSchema = z.array(z.tuple([z.enum(faultKinds), z.coerce.number().min(0).max(1)]));

export interface FaultPlan {
  rates: Partial<Record<FaultKind, number>>;
  /** Chooses at most one fault for a request. */
  pick(): FaultKind | undefined;
  /** For reset: whether it happens after the batch was stored. */
  coin(): boolean;
}

export function parseFaults(spec: string | undefined, seed = 1): FaultPlan {
  const pairs = (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.split(':'));
  const parsed = specSchema.safeParse(pairs);
  if (!parsed.success)
    throw new Error(
      `--faults: expected kind:rate pairs with kinds ${faultKinds.join(', ')} and rates 0..1, got "${spec}"`,
    );
  const rates: Partial<Record<FaultKind, number>> = Object.fromEntries(parsed.data);
  const total = Object.values(rates).reduce((a, b) => a + (b ?? 0), 0);
  if (total > 1) throw new Error('--faults: the rates add up to more than 1');
  const random = mulberry32(seed);
  return {
    rates,
    pick() {
      let x = random();
      for (const kind of faultKinds) {
        const r = rates[kind] ?? 0;
        if (x < r) return kind;
        x -= r;
      }
      return undefined;
    },
    coin: () => random() < 0.5,
  };
}

/** Small seedable PRNG so a fault run can be repeated. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
