import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { isLanguage, setupI18n } from './i18n';
import './styles.css';

// `?lang=en` picks the starting language (browser host `--lang`, screenshots); else the kiosk's default.
const requested = new URLSearchParams(window.location.search).get('lang');
const initialLanguage = isLanguage(requested) ? requested : undefined;
setupI18n(initialLanguage ?? 'kk');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App {...(initialLanguage ? { initialLanguage } : {})} />
  </StrictMode>,
);
