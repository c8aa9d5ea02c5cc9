import { visitMethods } from '../../../shared/protocol/envelope.js';
import { csvText } from '../../platform/csv/write.js';
import type { AnomalyFlag } from './anomalies.js';
import type { DayFigures } from './figures.js';

export function describeFlag(f: AnomalyFlag): string {
  return f.kind === 'override-share'
    ? `override-share: staff ${f.staffId} made ${f.count} of ${f.dayOverrides} staff-verified check-ins (even share ${f.expected.toFixed(1)}, p=${f.pValue.toExponential(1)})`
    : `hourly-volume: ${f.count} ${f.scope === 'all' ? 'check-ins' : 'staff-verified check-ins'} at ${String(f.hour).padStart(2, '0')}:00 (normal ${f.expected.toFixed(1)}, p=${f.pValue.toExponential(1)})`;
}

/** Daily figures as CSV (one row per day), with that day's flags in the last column. */
export function reportCsv(days: readonly DayFigures[], flags: readonly AnomalyFlag[]): string {
  const header = ['day', ...visitMethods, 'total', 'asked-for-help', 'flags'];
  const rows = days.map((d) => [
    d.day,
    ...visitMethods.map((m) => d[m]),
    d.total,
    d.askedForHelp,
    flags
      .filter((f) => f.day === d.day)
      .map(describeFlag)
      .join('; '),
  ]);
  // CRLF for spreadsheets; a leading = + - @ is defused so a spreadsheet shows the text instead of running it.
  return csvText([header, ...rows], { eol: '\r\n', escapeFormulas: true });
}
