import { daysBetween, localDayHour, type ReportVisit } from './figures.js';
import { binomialUpperTail, poissonUpperTail } from './stats.js';

/**
 * Flags for the phantom-visit fraud: a staff member "checking in" patients who never came. Two
 * signals, each a tail probability against the clinic's own recent normal (the 28 days before the
 * day judged), so a busy clinic and a quiet one are both judged by their own history:
 *
 * - override-share: on a day with n staff-verified visits made by the k people who resolved
 *   hand-offs over the baseline and that day, an even split gives each person n/k. A person with
 *   x of them is flagged when P(Binomial(n, 1/k) ≥ x) < alpha and x ≥ minCount.
 * - hourly-volume: check-ins in an hour are close to Poisson; the clinic's normal for that hour
 *   is the mean count at the same hour over the baseline's open days (days with any check-in). An
 *   hour with c check-ins is flagged when P(Poisson(λ) ≥ c) < alpha and c ≥ minCount. The same test
 *   is run on staff-verified visits alone, which is where phantom visits would show.
 *
 * alpha = 0.001 by default: with ~12 open hours a day, a normal clinic sees a false flag about
 * once a quarter. minCount stops tiny numbers (2 overrides instead of 0.3) from being flagged.
 */
export interface AnomalyOptions {
  timeZone?: string;
  alpha?: number;
  minCount?: number;
  baselineDays?: number;
  /** Fewer open days than this in the baseline: no hourly flags (not enough history to judge). */
  minBaselineDays?: number;
}

export type AnomalyFlag =
  | {
      kind: 'override-share';
      day: string;
      staffId: string;
      count: number;
      dayOverrides: number;
      expected: number;
      pValue: number;
    }
  | {
      kind: 'hourly-volume';
      day: string;
      hour: number;
      scope: 'all' | 'staff-verified';
      count: number;
      expected: number;
      pValue: number;
    };

const DAY_MS = 86_400_000;

export function findAnomalies(
  visits: readonly ReportVisit[],
  from: string,
  to: string,
  options: AnomalyOptions = {},
): AnomalyFlag[] {
  const alpha = options.alpha ?? 0.001;
  const minCount = options.minCount ?? 5;
  const baselineDays = options.baselineDays ?? 28;
  const minBaselineDays = options.minBaselineDays ?? 7;
  const located = visits.map((v) => ({ ...v, ...localDayHour(v.at, options.timeZone) }));
  const byDay = new Map<string, typeof located>();
  for (const v of located) byDay.set(v.day, [...(byDay.get(v.day) ?? []), v]);

  const flags: AnomalyFlag[] = [];
  for (const day of daysBetween(from, to)) {
    const today = byDay.get(day) ?? [];
    if (today.length === 0) continue;
    const start = Date.parse(`${day}T00:00:00Z`);
    const baseline = daysBetween(
      new Date(start - baselineDays * DAY_MS).toISOString().slice(0, 10),
      new Date(start - DAY_MS).toISOString().slice(0, 10),
    )
      .map((d) => byDay.get(d) ?? [])
      .filter((vs) => vs.length > 0);

    // override-share
    const overrides = today.filter((v) => v.method === 'staff-verified' && v.staffId);
    const team = new Set(
      [...baseline.flat(), ...today].filter((v) => v.method === 'staff-verified' && v.staffId).map((v) => v.staffId!),
    );
    if (overrides.length > 0 && team.size >= 2) {
      const perStaff = new Map<string, number>();
      for (const v of overrides) perStaff.set(v.staffId!, (perStaff.get(v.staffId!) ?? 0) + 1);
      for (const [staffId, count] of perStaff) {
        const pValue = binomialUpperTail(count, overrides.length, 1 / team.size);
        if (count >= minCount && pValue < alpha)
          flags.push({
            kind: 'override-share',
            day,
            staffId,
            count,
            dayOverrides: overrides.length,
            expected: overrides.length / team.size,
            pValue,
          });
      }
    }

    // hourly-volume
    if (baseline.length < minBaselineDays) continue;
    for (const scope of ['all', 'staff-verified'] as const) {
      const pick = (vs: typeof located) => (scope === 'all' ? vs : vs.filter((v) => v.method === 'staff-verified'));
      const hourCounts = (vs: typeof located) => {
        const c = new Array<number>(24).fill(0);
        for (const v of pick(vs)) c[v.hour]!++;
        return c;
      };
      const normal = new Array<number>(24).fill(0);
      for (const vs of baseline) hourCounts(vs).forEach((c, h) => (normal[h]! += c / baseline.length));
      hourCounts(today).forEach((count, hour) => {
        // A floor on λ: an hour that was always empty still has some chance of a visit or two.
        const expected = Math.max(normal[hour]!, 0.5);
        const pValue = poissonUpperTail(count, expected);
        if (count >= minCount && pValue < alpha)
          flags.push({ kind: 'hourly-volume', day, hour, scope, count, expected: normal[hour]!, pValue });
      });
    }
  }
  return flags;
}
