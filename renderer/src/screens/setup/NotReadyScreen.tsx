import { useTranslation } from 'react-i18next';

/**
 * What a patient sees while the kiosk cannot seal a visit (not provisioned, or its device key is
 * unusable): go to reception. No camera, no IIN keypad, no codes. Staff still reach their login
 * (StaffEntry), where the banner says why.
 */
export function NotReadyScreen() {
  const { t } = useTranslation('setup');
  return (
    <section className="screen attract" aria-labelledby="not-ready-title">
      <h1 id="not-ready-title">{t('notReady.title')}</h1>
      <p className="lead">{t('notReady.lead')}</p>
    </section>
  );
}
