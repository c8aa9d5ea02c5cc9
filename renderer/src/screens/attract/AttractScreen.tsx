import { useTranslation } from 'react-i18next';
import type { ScreenProps } from '../../navigation';

/** The welcome shown between patients. */
export function AttractScreen({ go }: ScreenProps<'attract'>) {
  const { t } = useTranslation('checkin');
  return (
    <section className="screen attract" aria-labelledby="attract-title">
      <h1 id="attract-title">{t('attract.title')}</h1>
      <p className="lead">{t('attract.lead')}</p>
      <button type="button" className="button primary huge" onClick={() => go({ screen: 'identify' })} autoFocus>
        {t('attract.start')}
      </button>
    </section>
  );
}
