import { useTranslation } from 'react-i18next';
import { languages } from '../i18n';

/** The language choice shown on every screen; each language is named in itself. */
export function LanguageBar({ offered = languages }: { offered?: readonly string[] }) {
  const { t, i18n } = useTranslation('common');
  return (
    <nav className="language-bar" aria-label={t('language')}>
      {offered.map((lng) => (
        <button
          key={lng}
          type="button"
          lang={lng}
          className="language-button"
          aria-pressed={i18n.resolvedLanguage === lng}
          onClick={() => void i18n.changeLanguage(lng)}
        >
          {t('languageName', { lng })}
        </button>
      ))}
    </nav>
  );
}
