import type { Database } from 'better-sqlite3';
import { visitMethods, type VisitMethod } from '../../../shared/protocol/envelope.js';
import { findAnomalies, type AnomalyFlag, type AnomalyOptions } from './anomalies.js';
import { describeFlag, reportCsv } from './csv.js';
import { dailyFigures, localDayHour, type DayFigures, type ReportVisit } from './figures.js';

const DAY_MS = 86_400_000;
const isMethod = (m: string): m is VisitMethod => (visitMethods as readonly string[]).includes(m);

/**
 * Reports read the kiosk's masked receipts (method and time of each visit; kept for
 * `receipts.retentionDays`) joined with resolved hand-offs for the staff member behind each
 * staff-verified visit. Nothing here can see a full IIN.
 */
export function createReportsService(db: Database, options: AnomalyOptions = {}, now: () => Date = () => new Date()) {
  function hasTable(name: string): boolean {
    return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  /** Visits created in [sinceIso, untilIso). */
  function visits(sinceIso: string, untilIso: string): ReportVisit[] {
    if (!hasTable('receipts')) return [];
    const join = hasTable('handoffs');
    const rows = db
      .prepare(
        join
          ? 'SELECT r.created_at AS at, r.method AS method, h.resolved_by AS staffId FROM receipts r LEFT JOIN handoffs h ON h.visit_id = r.visit_id WHERE r.created_at >= ? AND r.created_at < ? ORDER BY r.created_at'
          : 'SELECT created_at AS at, method, NULL AS staffId FROM receipts WHERE created_at >= ? AND created_at < ? ORDER BY created_at',
      )
      .all(sinceIso, untilIso) as Array<{ at: string; method: string; staffId: string | null }>;
    return rows
      .filter((r) => isMethod(r.method))
      .map((r) => ({ at: r.at, method: r.method as VisitMethod, staffId: r.staffId }));
  }

  /** When each "I need help" was pressed in [sinceIso, untilIso) (hand-offs with reason `asked-for-help`). */
  function helpRequests(sinceIso: string, untilIso: string): string[] {
    if (!hasTable('handoffs')) return [];
    const rows = db
      .prepare(
        "SELECT created_at AS at FROM handoffs WHERE reason = 'asked-for-help' AND created_at >= ? AND created_at < ? ORDER BY created_at",
      )
      .all(sinceIso, untilIso) as Array<{ at: string }>;
    return rows.map((r) => r.at);
  }

  function daily(from: string, to: string): { days: DayFigures[]; flags: AnomalyFlag[] } {
    // A day's local boundaries may sit up to 14 h either side of UTC midnight; take a margin
    // and let the local-day bucketing decide. The baseline needs the 28 days before `from`.
    const since = new Date(Date.parse(`${from}T00:00:00Z`) - ((options.baselineDays ?? 28) + 1) * DAY_MS).toISOString();
    const until = new Date(Date.parse(`${to}T00:00:00Z`) + 2 * DAY_MS).toISOString();
    const found = visits(since, until);
    return {
      days: dailyFigures(found, from, to, options.timeZone, helpRequests(since, until)),
      flags: findAnomalies(found, from, to, options),
    };
  }

  function csv(from: string, to: string): string {
    const { days, flags } = daily(from, to);
    return reportCsv(days, flags);
  }

  /** Today's check-ins (local day), newest first, IIN masked as stored, with the upstream's verdict once synced. */
  function today(): Array<{
    at: string;
    ticket: string;
    maskedIin: string;
    method: VisitMethod;
    status: string;
    verdict: string | null;
  }> {
    if (!hasTable('receipts')) return [];
    const t = now();
    const day = localDayHour(t, options.timeZone).day;
    const rows = db
      .prepare(
        'SELECT created_at AS at, ticket, masked_iin AS maskedIin, method, status, verdict FROM receipts WHERE created_at >= ? ORDER BY created_at DESC LIMIT 500',
      )
      .all(new Date(t.getTime() - DAY_MS).toISOString()) as Array<{
      at: string;
      ticket: string;
      maskedIin: string;
      method: VisitMethod;
      status: string;
      verdict: string | null;
    }>;
    return rows.filter((r) => localDayHour(r.at, options.timeZone).day === day && isMethod(r.method));
  }

  function todayDay(): string {
    return localDayHour(now(), options.timeZone).day;
  }

  return { visits, helpRequests, daily, csv, describe: describeFlag, today, todayDay };
}

export type ReportsService = ReturnType<typeof createReportsService>;
