import { useTranslation } from 'react-i18next';
import { useKeyStatus } from './useKeyStatus';

/**
 * Shown to every signed-in staff member when the kiosk cannot check patients in (or runs on
 * development keys): what is wrong in plain words, and for IT the technical message.
 */
export function KeyStatusBanner() {
  const { t } = useTranslation('setup');
  const { status } = useKeyStatus();
  if (!status) return null;
  if (status.ready && !status.development) return null;
  if (status.ready) {
    return (
      <p className="it-warning" role="status">
        {t('banner.development')}
      </p>
    );
  }
  return (
    <div className="it-warning" role="alert" aria-labelledby="key-banner-title">
      <p id="key-banner-title">
        <strong>{t('banner.title')}</strong>
      </p>
      <p>
        {t(`banner.${status.problem ?? 'not-provisioned'}`)} {t('banner.patients')}
      </p>
      {status.message && <p className="it-long">{status.message}</p>}
    </div>
  );
}
