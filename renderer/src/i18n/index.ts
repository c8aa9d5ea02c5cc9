import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * Translations: one JSON file per language and area, `locales/<lng>/<namespace>.json`. Every file
 * found here is loaded at build time, so adding an area (decline, staff, it) is adding its three
 * files; nothing to register. Kazakh first: it is the state language and the default.
 */
import { languages } from '../../../electron/shared/vocabulary/languages';

export { languages };
export type Language = (typeof languages)[number];

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const files = import.meta.glob<Record<string, unknown>>('./locales/*/*.json', { eager: true, import: 'default' });

export function collectResources(): Resources {
  const resources: Resources = {};
  for (const [path, strings] of Object.entries(files)) {
    const match = /\.\/locales\/([a-z]{2})\/([\w-]+)\.json$/.exec(path);
    if (!match) continue;
    const [, lng, ns] = match as unknown as [string, string, string];
    (resources[lng] ??= {})[ns] = strings;
  }
  return resources;
}

export function setupI18n(lng: Language = 'kk') {
  const resources = collectResources();
  void i18next.use(initReactI18next).init({
    resources,
    lng,
    fallbackLng: 'en',
    ns: Object.keys(resources.en ?? {}),
    defaultNS: 'common',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  i18next.on('languageChanged', (next) => {
    document.documentElement.lang = next;
  });
  document.documentElement.lang = lng;
  return i18next;
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}
