import { useTranslation } from 'react-i18next';

/** "Start over" on a patient screen: ends this check-in and clears everything (ScreenProps.reset). */
export function StartOverButton({ onClick }: { onClick: () => void }) {
  const { t } = useTranslation();
  return (
    <button type="button" className="button secondary" onClick={onClick}>
      {t('common:startOver')}
    </button>
  );
}
