import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findAnomalies } from '../../electron/core/staff/reports/anomalies.js';
import { reportCsv } from '../../electron/core/staff/reports/csv.js';
import { csvText } from '../../electron/core/platform/csv/write.js';
import { dailyFigures, type ReportVisit } from '../../electron/core/staff/reports/figures.js';
import { createReportsService } from '../../electron/core/staff/reports/service.js';
import { binomialUpperTail, poissonUpperTail } from '../../electron/core/staff/reports/stats.js';
import { openDatabase, type Database } from '../../electron/core/platform/store/index.js';
import { migrateOutbox } from '../../electron/core/delivery/visits/index.js';
import type { VisitMethod } from '../../electron/shared/protocol/envelope.js';

/** A known clinic history: 20 ordinary days (09:00–17:00) then one day with a phantom burst. */
function knownVisits(): { visits: ReportVisit[]; expected: Record<string, Record<VisitMethod, number>> } {
  const visits: ReportVisit[] = [];
  const expected: Record<string, Record<VisitMethod, number>> = {};
  const add = (day: string, hour: number, minute: number, method: VisitMethod, staffId?: string) => {
    visits.push({
      at: `${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.000Z`,
      method,
      staffId: staffId ?? null,
    });
    expected[day] ??= { face: 0, 'egov-code': 0, 'egov-qr': 0, 'staff-verified': 0 };
    expected[day]![method]++;
  };
  for (let d = 1; d <= 20; d++) {
    const day = `2026-02-${String(d).padStart(2, '0')}`;
    for (let h = 9; h < 17; h++) {
      // Per hour: 4 face, 1 code, 1 QR (odd hours); 2 staff-verified a day, one by each receptionist.
      for (let i = 0; i < 4; i++) add(day, h, i * 10, 'face');
      add(day, h, 45, 'egov-code');
      if (h % 2 === 1) add(day, h, 50, 'egov-qr');
    }
    add(day, 10, 55, 'staff-verified', 'st_aaaaaaaaaaaa');
    add(day, 14, 55, 'staff-verified', 'st_bbbbbbbbbbbb');
  }
  // 2026-02-21: an ordinary day, plus 14 staff-verified visits by one person between 18:00 and 19:00.
  const day = '2026-02-21';
  for (let h = 9; h < 17; h++) for (let i = 0; i < 4; i++) add(day, h, i * 10, 'face');
  add(day, 10, 55, 'staff-verified', 'st_aaaaaaaaaaaa');
  for (let i = 0; i < 14; i++) add(day, 18, i * 4, 'staff-verified', 'st_bbbbbbbbbbbb');
  return { visits, expected };
}

describe('report figures', () => {
  it('counts check-ins per day by method, including empty days', () => {
    const { visits, expected } = knownVisits();
    const days = dailyFigures(visits, '2026-02-19', '2026-02-22', 'UTC');
    expect(days.map((d) => d.day)).toEqual(['2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22']);
    expect(days[0]).toEqual({ day: '2026-02-19', ...expected['2026-02-19'], total: 32 + 8 + 4 + 2, askedForHelp: 0 });
    expect(days[2]).toEqual({
      day: '2026-02-21',
      face: 32,
      'egov-code': 0,
      'egov-qr': 0,
      'staff-verified': 15,
      total: 47,
      askedForHelp: 0,
    });
    expect(days[3]).toEqual({
      day: '2026-02-22',
      face: 0,
      'egov-code': 0,
      'egov-qr': 0,
      'staff-verified': 0,
      total: 0,
      askedForHelp: 0,
    });
  });

  it('buckets days in the clinic’s time zone (Almaty is UTC+5)', () => {
    const v: ReportVisit[] = [{ at: '2026-02-01T20:30:00.000Z', method: 'face' }];
    expect(dailyFigures(v, '2026-02-01', '2026-02-02', 'UTC').map((d) => d.total)).toEqual([1, 0]);
    expect(dailyFigures(v, '2026-02-01', '2026-02-02', 'Asia/Almaty').map((d) => d.total)).toEqual([0, 1]);
  });
});

describe('fraud flags', () => {
  it('flags the staff member whose share of overrides is far above an even split, and the hour with the burst', () => {
    const { visits } = knownVisits();
    const flags = findAnomalies(visits, '2026-02-01', '2026-02-21', { timeZone: 'UTC' });
    expect(flags.filter((f) => f.day !== '2026-02-21')).toEqual([]); // ordinary days raise nothing
    expect(flags).toContainEqual(
      expect.objectContaining({
        kind: 'override-share',
        day: '2026-02-21',
        staffId: 'st_bbbbbbbbbbbb',
        count: 14,
        dayOverrides: 15,
      }),
    );
    expect(flags).toContainEqual(
      expect.objectContaining({
        kind: 'hourly-volume',
        day: '2026-02-21',
        hour: 18,
        scope: 'staff-verified',
        count: 14,
      }),
    );
    expect(flags).toContainEqual(
      expect.objectContaining({ kind: 'hourly-volume', day: '2026-02-21', hour: 18, scope: 'all', count: 14 }),
    );
    expect(flags.some((f) => f.kind === 'override-share' && f.staffId === 'st_aaaaaaaaaaaa')).toBe(false);
  });

  it('does not judge hourly volume without enough history', () => {
    const { visits } = knownVisits();
    const recent = visits.filter((v) => v.at >= '2026-02-18');
    expect(
      findAnomalies(recent, '2026-02-21', '2026-02-21', { timeZone: 'UTC' }).some((f) => f.kind === 'hourly-volume'),
    ).toBe(false);
  });

  it('computes the tail probabilities it relies on', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(1, 2)).toBeCloseTo(1 - Math.exp(-2), 10);
    expect(poissonUpperTail(14, 0.5)).toBeLessThan(1e-12);
    expect(binomialUpperTail(1, 1, 0.5)).toBeCloseTo(0.5, 12);
    expect(binomialUpperTail(14, 15, 0.5)).toBeCloseTo(16 / 32768, 12);
  });
});

describe('CSV export', () => {
  it('has a header, one row per day and the day’s flags; spreadsheet formulas are defused', () => {
    const { visits } = knownVisits();
    const days = dailyFigures(visits, '2026-02-20', '2026-02-21', 'UTC');
    const csv = reportCsv(days, findAnomalies(visits, '2026-02-20', '2026-02-21', { timeZone: 'UTC' }));
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('day,face,egov-code,egov-qr,staff-verified,total,asked-for-help,flags');
    expect(lines[1]).toBe('2026-02-20,32,8,4,2,46,0,');
    expect(lines[2]).toMatch(/^2026-02-21,32,0,0,15,47,0,"override-share: staff st_bbbbbbbbbbbb made 14 of 15/);
    expect(csvText([['=HYPERLINK("x")']], { eol: '\r\n', escapeFormulas: true })).toBe(`"'=HYPERLINK(""x"")"\r\n`);
  });
});

describe('reports over the kiosk database', () => {
  let dir: string;
  let db: Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kelu-reports-'));
    db = openDatabase(join(dir, 'kelu.db'));
    migrateOutbox(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads receipts (masked) and shows today’s check-ins only', () => {
    const insert = db.prepare(
      'INSERT INTO receipts (visit_id, ticket, masked_iin, method, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    insert.run('v1', 'A-001', '••••••••1234', 'face', '2026-02-21T09:00:00.000Z');
    insert.run('v2', 'A-002', '••••••••5678', 'egov-qr', '2026-02-21T10:00:00.000Z');
    insert.run('v3', 'A-009', '••••••••9999', 'face', '2026-02-20T10:00:00.000Z');
    const reports = createReportsService(db, { timeZone: 'UTC' }, () => new Date('2026-02-21T12:00:00.000Z'));
    expect(reports.today().map((r) => r.ticket)).toEqual(['A-002', 'A-001']);
    expect(reports.daily('2026-02-20', '2026-02-21').days.map((d) => [d.day, d.face, d['egov-qr']])).toEqual([
      ['2026-02-20', 1, 0],
      ['2026-02-21', 1, 1],
    ]);
  });
});
