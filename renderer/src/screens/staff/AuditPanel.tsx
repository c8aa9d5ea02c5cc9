import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../kiosk';
import { errorText } from './errors';
import type { AuditVerdict } from './types';

/** Admin: proves the audit chain on demand and names the first row that does not hold. */
export function AuditPanel() {
  const { t } = useTranslation('staff');
  const [verdict, setVerdict] = useState<AuditVerdict | null>(null);
  const [problem, setProblem] = useState('');
  const verify = async () => {
    try {
      setVerdict(await call('audit.verify', {}));
      setProblem('');
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
      <p className="problem" role="alert">
        {problem}
      </p>
      {verdict && (
        <p className={verdict.ok ? 'staff-notice' : 'problem'} role="status">
          {verdict.ok ? t('audit.ok', { rows: verdict.rows }) : t('audit.bad', { seq: verdict.firstBadSeq, problem: t(`audit.problem.${verdict.problem ?? 'hash-mismatch'}`) })}
        </p>
      )}
    </section>
  );
}
