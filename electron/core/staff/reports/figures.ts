import { visitMethods, type VisitMethod } from '../../../shared/protocol/envelope.js';

/** One check-in as the reports see it: when, how, and for staff-verified visits, by whom. */
export interface ReportVisit {
  at: string;
  method: VisitMethod;
  staffId?: string | null;
}

export type MethodCounts = Record<VisitMethod, number>;
export interface DayFigures extends MethodCounts {
  day: string;
  /** Check-ins (visits) that day. */
  total: number;
  /** Times "I need help" was pressed that day (hand-offs with reason `asked-for-help`). */
  askedForHelp: number;
}

const zeroCounts = (): MethodCounts => Object.fromEntries(visitMethods.map((m) => [m, 0])) as MethodCounts;

import { localDayHour } from '../../platform/local-day.js';

export { localDayHour };

/** Every calendar day from `from` to `to` inclusive (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length <= 3660; t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/**
 * Check-ins per day by method, and help requests (`helpAt`: when each "I need help" was pressed),
 * one row for every day of the range (zero days included).
 */
export function dailyFigures(
  visits: readonly ReportVisit[],
  from: string,
  to: string,
  timeZone?: string,
  helpAt: readonly string[] = [],
): DayFigures[] {
  const byDay = new Map(daysBetween(from, to).map((d) => [d, zeroCounts()]));
  const help = new Map<string, number>();
  for (const v of visits) {
    const counts = byDay.get(localDayHour(v.at, timeZone).day);
    if (counts) counts[v.method]++;
  }
  for (const at of helpAt) {
    const day = localDayHour(at, timeZone).day;
    help.set(day, (help.get(day) ?? 0) + 1);
  }
  return [...byDay].map(([day, c]) => ({
    day,
    ...c,
    total: visitMethods.reduce((s, m) => s + c[m], 0),
    askedForHelp: help.get(day) ?? 0,
  }));
}
