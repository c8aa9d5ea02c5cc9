import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../kiosk';
import { useCoreData } from '../../use-core-data';
import { ProblemLine, StaffTable } from './common';
import { errorText } from './errors';
import type { AuditVerdict } from './types';

const fetchRecent = async () => {
  const [{ rows }, { accounts }] = await Promise.all([call('audit.recent', { limit: 50 }), call('staff.list', {})]);
  const names = new Map(accounts.map((a) => [a.id, a.username]));
  return rows.map((r) => ({ ...r, who: names.get(r.actor) ?? r.actor }));
};

/** Admin: proves the audit chain on demand (naming the first row that does not hold) and shows the newest rows. */
export function AuditPanel() {
  const { t } = useTranslation('staff');
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  const [problem, setProblem] = useState('');
  // A failed load shows no rows (the verify button still works and says what went wrong).
  const { data: rows, reload } = useCoreData(fetchRecent);
  const verify = async () => {
    try {
      setVerdict(await call('audit.verify', {}));
      setProblem('');
      reload();
    } catch (err) {
      setProblem(errorText(t, err));
    }
  };
  return (
    <section className="staff-panel" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('audit.title')}</h2>
      <p className="hint">{t('audit.explain')}</p>
      <button type="button" className="button primary" onClick={() => void verify()}>
        {t('audit.verify')}
      </button>
      <ProblemLine text={problem} />
      {verdict && (
        <p className={verdict.ok ? 'staff-notice' : 'problem'} role="status">
          {verdict.ok
            ? t('audit.ok', { rows: verdict.rows })
            : t('audit.bad', {
                seq: verdict.firstBadSeq,
                problem: t(`audit.problem.${verdict.problem ?? 'hash-mismatch'}`),
              })}
        </p>
      )}
      {rows && (
        <StaffTable
          label={t('audit.recent')}
          columns={['#', t('col.time'), t('audit.who'), t('audit.what'), t('audit.detail')]}
        >
          {rows.map((r) => (
            <tr key={r.seq}>
              <td>{r.seq}</td>
              <td>{new Date(r.at).toLocaleString()}</td>
              <td>{r.who}</td>
              <td>{r.action}</td>
              <td className="audit-detail">{r.detail === '{}' ? '' : r.detail}</td>
            </tr>
          ))}
        </StaffTable>
      )}
    </section>
  );
}
