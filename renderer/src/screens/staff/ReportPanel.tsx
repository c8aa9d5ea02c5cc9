import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { call } from '../../kiosk';
import { useCoreData } from '../../use-core-data';
import { Notice, ProblemLine, StaffTable } from './common';
import { errorText } from './errors';

const methods = ['face', 'egov-code', 'egov-qr', 'staff-verified'] as const;
// Distinct in hue and lightness (readable for the common colour-vision deficiencies).
const colours: Record<(typeof methods)[number], string> = {
  face: '#0b4f94',
  'egov-code': '#2a9d8f',
  'egov-qr': '#e9c46a',
  'staff-verified': '#c0392b',
};

const isoDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** Admin: check-ins per day by method (chart and table), fraud flags, and the CSV export. */
export function ReportPanel() {
  const { t } = useTranslation('staff');
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 13 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  // Loaded on opening and on "Show" (with the dates then chosen), not as the dates are typed.
  const fetchReport = () => call('reports.daily', { from, to });
  const { data: report, error: loadProblem, reload } = useCoreData(fetchReport, [], (err) => errorText(t, err));
  const [exportProblem, setProblem] = useState('');
  const problem = exportProblem || loadProblem;
  const [exported, setExported] = useState<{ filename: string; url: string; rows: number } | null>(null);

  const exportCsv = async () => {
    try {
      const r = await call('reports.exportCsv', { from, to });
      if (exported) URL.revokeObjectURL(exported.url);
      setExported({
        filename: r.filename,
        url: URL.createObjectURL(new Blob([r.csv], { type: 'text/csv' })),
        rows: r.csv.trimEnd().split('\r\n').length - 1,
      });
    } catch (err) {
      setProblem(errorText(t, err));
    }
  };

  return (
    <section className="staff-panel" aria-labelledby="report-title">
      <h2 id="report-title">{t('report.title')}</h2>
      <div className="staff-form staff-inline">
        <label>
          {t('report.from')}
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          {t('report.to')}
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="button" className="button primary" onClick={reload}>
          {t('report.show')}
        </button>
        <button type="button" className="button secondary" onClick={() => void exportCsv()}>
          {t('report.export')}
        </button>
      </div>
      <ProblemLine text={problem} />
      {exported && (
        <Notice>
          {t('report.exported', { rows: exported.rows })}{' '}
          <a href={exported.url} download={exported.filename}>
            {t('report.save', { filename: exported.filename })}
          </a>
        </Notice>
      )}
      {report && (
        <>
          <figure className="staff-chart" aria-label={t('report.chart')}>
            <BarChart width={900} height={300} data={report.days} accessibilityLayer>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend formatter={(value: string) => <span className="staff-legend">{value}</span>} />
              {methods.map((m) => (
                <Bar
                  key={m}
                  dataKey={m}
                  name={t(`method.${m}`)}
                  stackId="a"
                  fill={colours[m]}
                  isAnimationActive={false}
                />
              ))}
            </BarChart>
          </figure>
          <h3>{t('report.flags')}</h3>
          {report.flags.length === 0 ? (
            <p className="hint">{t('report.noFlags')}</p>
          ) : (
            <ul className="plain-list staff-flags" aria-label={t('report.flags')}>
              {report.flags.map((f, i) => (
                <li key={i}>
                  <strong>{f.day}</strong>{' '}
                  {f.kind === 'override-share'
                    ? t('report.flagShare', {
                        name: f.staffName ?? f.staffId,
                        count: f.count,
                        expected: f.expected.toFixed(1),
                      })
                    : t(f.scope === 'all' ? 'report.flagHour' : 'report.flagHourStaff', {
                        hour: String(f.hour).padStart(2, '0'),
                        count: f.count,
                        expected: f.expected.toFixed(1),
                      })}
                </li>
              ))}
            </ul>
          )}
          <StaffTable
            label={t('report.table')}
            columns={[t('col.day'), ...methods.map((m) => t(`method.${m}`)), t('col.total'), t('col.askedForHelp')]}
          >
            {report.days.map((d) => (
              <tr key={d.day}>
                <th scope="row">{d.day}</th>
                {methods.map((m) => (
                  <td key={m}>{d[m]}</td>
                ))}
                <td>{d.total}</td>
                <td>{d.askedForHelp}</td>
              </tr>
            ))}
          </StaffTable>
        </>
      )}
    </section>
  );
}
