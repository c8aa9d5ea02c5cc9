import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../kiosk';
import type { ScreenProps } from '../../navigation';
import { StartOverButton } from '../../components/StartOverButton';

/** What the camera does, in plain words, and two equal choices. */
export function ConsentScreen({ route, go, reset }: ScreenProps<'consent'>) {
  const { t } = useTranslation('checkin');
  const [error, setError] = useState(false);
  const { session, maskedIin } = route;

  async function choose(choice: 'camera' | 'decline') {
    try {
      const answer = await call('checkin.consent', { session, choice });
      if (answer.next === 'camera') go({ screen: 'camera', session, maskedIin });
      else go({ screen: 'decline', session, maskedIin });
    } catch {
      setError(true);
    }
  }

  return (
    <section className="screen consent" aria-labelledby="consent-title">
      <p className="who">{t('common:checkingIn', { masked: maskedIin })}</p>
      <h1 id="consent-title">{t('consent.title')}</h1>
      <ul className="plain-list">
        <li>{t('consent.what')}</li>
        <li>{t('consent.notStored')}</li>
        <li>{t('consent.onlyNumber')}</li>
        <li>{t('consent.yourChoice')}</li>
      </ul>
      <p className="problem" role="alert">
        {error ? t('common:errorTryAgain') : ''}
      </p>
      <div className="choices">
        <button type="button" className="button primary choice" onClick={() => void choose('camera')}>
          {t('consent.useCamera')}
        </button>
        <button type="button" className="button primary choice" onClick={() => void choose('decline')}>
          {t('consent.withoutPhoto')}
        </button>
      </div>
      <div className="actions">
        <StartOverButton onClick={reset} />
      </div>
    </section>
  );
}
