import { useTranslation } from 'react-i18next';
import { call } from '../../kiosk';
import { useCoreData } from '../../use-core-data';
import { PanelHead, ProblemLine, StaffTable } from './common';
import { errorText } from './errors';

const fetchToday = () => call('reports.today', {}).then((r) => r.checkins);

/** Reception: today's check-ins at this kiosk. Only the masked IIN; no birth date, no phone. */
export function TodayPanel() {
  const { t } = useTranslation('staff');
  const { data: rows, error: problem, reload } = useCoreData(fetchToday, [], (err) => errorText(t, err));
  return (
    <section className="staff-panel" aria-labelledby="today-title">
      <PanelHead titleId="today-title" title={t('today.title')} refreshLabel={t('refresh')} onRefresh={reload} />
      <ProblemLine text={problem} />
      {rows && rows.length === 0 && <p className="hint">{t('today.none')}</p>}
      {rows && rows.length > 0 && (
        <StaffTable
          label={t('today.table')}
          columns={[t('col.time'), t('col.ticket'), t('col.iin'), t('col.method'), t('col.upstream')]}
        >
          {rows.map((r) => (
            <tr key={`${r.ticket}-${r.at}`}>
              <td>{new Date(r.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</td>
              <td>{r.ticket}</td>
              <td className="masked">{r.maskedIin}</td>
              <td>{t(`method.${r.method}`)}</td>
              <td>
                {r.status === 'synced'
                  ? t(`verdict.${r.verdict ?? 'accepted'}`, { defaultValue: r.verdict ?? '' })
                  : t(`sync.${r.status}`, { defaultValue: r.status })}
              </td>
            </tr>
          ))}
        </StaffTable>
      )}
    </section>
  );
}
