import { useTranslation } from 'react-i18next';
import { call } from '../../kiosk';
import { useLoaded } from './useLoaded';

const fetchToday = () => call('reports.today', {}).then((r) => r.checkins);

/** Reception: today's check-ins at this kiosk. Only the masked IIN; no birth date, no phone. */
export function TodayPanel() {
  const { t } = useTranslation('staff');
  const { data: rows, problem, reload } = useLoaded(fetchToday);
  return (
    <section className="staff-panel" aria-labelledby="today-title">
      <div className="staff-panel-head">
        <h2 id="today-title">{t('today.title')}</h2>
        <button type="button" className="button secondary" onClick={reload}>
          {t('refresh')}
        </button>
      </div>
      <p className="problem" role="alert">
        {problem}
      </p>
      {rows && rows.length === 0 && <p className="hint">{t('today.none')}</p>}
      {rows && rows.length > 0 && (
        <table className="staff-table" aria-label={t('today.table')}>
          <thead>
            <tr>
              <th scope="col">{t('col.time')}</th>
              <th scope="col">{t('col.ticket')}</th>
              <th scope="col">{t('col.iin')}</th>
              <th scope="col">{t('col.method')}</th>
              <th scope="col">{t('col.upstream')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.ticket}-${r.at}`}>
                <td>{new Date(r.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}</td>
                <td>{r.ticket}</td>
                <td className="masked">{r.maskedIin}</td>
                <td>{t(`method.${r.method}`)}</td>
                <td>{r.status === 'synced' ? t(`verdict.${r.verdict ?? 'accepted'}`, { defaultValue: r.verdict ?? '' }) : t(`sync.${r.status}`, { defaultValue: r.status })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
