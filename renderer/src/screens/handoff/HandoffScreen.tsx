import { useTranslation } from 'react-i18next';
import type { ScreenProps } from '../../navigation';

/** Reception hand-off: said kindly, with the reason in plain words and nothing to fix alone. */
export function HandoffScreen({ route, reset }: ScreenProps<'handoff'>) {
  const { t } = useTranslation('checkin');
  return (
    <section className="screen handoff" aria-labelledby="handoff-title">
      <h1 id="handoff-title">{t('handoff.title')}</h1>
      {route.maskedIin && <p className="who">{t('common:checkingIn', { masked: route.maskedIin })}</p>}
      <p className="lead">{t(`handoff.reason.${route.reason}`)}</p>
      <p>{t('handoff.whatNext')}</p>
      <button type="button" className="button primary" onClick={reset} autoFocus>
        {t('handoff.done')}
      </button>
    </section>
  );
}
