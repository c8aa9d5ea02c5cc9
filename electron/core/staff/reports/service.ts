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
export class ReportsService {
  constructor(
    private readonly db: Database,
    private readonly options: AnomalyOptions = {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  /** Visits created in [sinceIso, untilIso). */
  visits(sinceIso: string, untilIso: string): ReportVisit[] {
    if (!this.hasTable('receipts')) return [];
    const join = this.hasTable('handoffs');
    const rows = this.db
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
  helpRequests(sinceIso: string, untilIso: string): string[] {
    if (!this.hasTable('handoffs')) return [];
    const rows = this.db
      .prepare(
        "SELECT created_at AS at FROM handoffs WHERE reason = 'asked-for-help' AND created_at >= ? AND created_at < ? ORDER BY created_at",
      )
      .all(sinceIso, untilIso) as Array<{ at: string }>;
    return rows.map((r) => r.at);
  }

  daily(from: string, to: string): { days: DayFigures[]; flags: AnomalyFlag[] } {
    // A day's local boundaries may sit up to 14 h either side of UTC midnight; take a margin
    // and let the local-day bucketing decide. The baseline needs the 28 days before `from`.
    const since = new Date(
      Date.parse(`${from}T00:00:00Z`) - ((this.options.baselineDays ?? 28) + 1) * DAY_MS,
    ).toISOString();
    const until = new Date(Date.parse(`${to}T00:00:00Z`) + 2 * DAY_MS).toISOString();
    const visits = this.visits(since, until);
    return {
      days: dailyFigures(visits, from, to, this.options.timeZone, this.helpRequests(since, until)),
      flags: findAnomalies(visits, from, to, this.options),
    };
  }

  csv(from: string, to: string): string {
    const { days, flags } = this.daily(from, to);
    return reportCsv(days, flags);
  }

  describe = describeFlag;

  /** Today's check-ins (local day), newest first, IIN masked as stored, with the upstream's verdict once synced. */
  today(): Array<{
    at: string;
    ticket: string;
    maskedIin: string;
    method: VisitMethod;
    status: string;
    verdict: string | null;
  }> {
    if (!this.hasTable('receipts')) return [];
    const now = this.now();
    const today = localDayHour(now, this.options.timeZone).day;
    const rows = this.db
      .prepare(
        'SELECT created_at AS at, ticket, masked_iin AS maskedIin, method, status, verdict FROM receipts WHERE created_at >= ? ORDER BY created_at DESC LIMIT 500',
      )
      .all(new Date(now.getTime() - DAY_MS).toISOString()) as Array<{
      at: string;
      ticket: string;
      maskedIin: string;
      method: VisitMethod;
      status: string;
      verdict: string | null;
    }>;
    return rows.filter((r) => localDayHour(r.at, this.options.timeZone).day === today && isMethod(r.method));
  }

  todayDay(): string {
    return localDayHour(this.now(), this.options.timeZone).day;
  }
}
