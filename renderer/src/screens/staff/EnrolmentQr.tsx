import { useTranslation } from 'react-i18next';
import type { Enrolment } from './types';

/** The TOTP enrolment, shown once: the QR drawn from its module matrix, and the URI as text. */
export function EnrolmentQr({ enrolment, onDone }: { enrolment: Enrolment; onDone: () => void }) {
  const { t } = useTranslation('staff');
  const { size, modules } = enrolment.qr;
  const quiet = 4;
  const cells: string[] = [];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) if (modules[y * size + x] === '1') cells.push(`M${x + quiet} ${y + quiet}h1v1h-1z`);
  return (
    <div className="overlay" role="presentation">
      <div className="dialog staff-dialog" role="dialog" aria-modal="true" aria-labelledby="enrol-title">
        <h2 id="enrol-title">{t('enrol.title', { username: enrolment.username })}</h2>
        <p>{t('enrol.scan')}</p>
        <svg
          className="enrol-qr"
          viewBox={`0 0 ${size + quiet * 2} ${size + quiet * 2}`}
          role="img"
          aria-label={t('enrol.qr')}
          shapeRendering="crispEdges"
        >
          <rect width="100%" height="100%" fill="#fff" />
          <path d={cells.join('')} fill="#000" />
        </svg>
        <p className="hint enrol-uri">{enrolment.otpauthUri}</p>
        <p className="hint">{t('enrol.once')}</p>
        <button type="button" className="button primary" onClick={onDone} autoFocus>
          {t('enrol.done')}
        </button>
      </div>
    </div>
  );
}
