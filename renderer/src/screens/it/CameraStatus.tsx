import { useTranslation } from 'react-i18next';
import type { MethodOutput } from '../../../../electron/shared/api/define';
import type { KioskContract } from '../../../../electron/core/contract';
import { StaffTable } from '../staff/common';

/** Core's `camera.status`, loaded (and reloaded) by the IT panel with its own figures. */
export type CameraStatusInfo = MethodOutput<KioskContract, 'camera.status'>;

/**
 * The camera core last judged (its label, and whether it may be used) and the cameras it refused
 * since the kiosk started (camera pinning, electron/core/patient/camera). Each refusal is also an audit row.
 */
export function CameraStatus({ status }: { status: CameraStatusInfo | null }) {
  const { t } = useTranslation('it');
  if (!status) return null;
  const verdict = (allowed: boolean, reason?: string) =>
    allowed ? t('camera.allowed') : t(`camera.reason.${reason ?? 'virtual'}`);
  return (
    <section className="it-camera" aria-labelledby="it-camera-title">
      <h3 id="it-camera-title">{t('camera.title')}</h3>
      <dl className="it-figures" aria-label={t('camera.title')}>
        <div>
          <dt>{t('camera.inUse')}</dt>
          <dd className="it-long">
            {status.current
              ? `${status.current.label || '—'} (${verdict(status.current.allowed, status.current.reason)})`
              : t('camera.none')}
          </dd>
        </div>
        <div>
          <dt>{t('camera.allowList')}</dt>
          <dd className="it-long">{status.allow.length > 0 ? status.allow.join(', ') : t('camera.anyPhysical')}</dd>
        </div>
      </dl>
      {status.refusals.length === 0 ? (
        <p className="hint">{t('camera.noRefusals')}</p>
      ) : (
        <StaffTable label={t('camera.refusals')} columns={[t('camera.when'), t('camera.label'), t('camera.why')]}>
          {status.refusals.map((r, i) => (
            <tr key={`${r.at}-${i}`}>
              <td>{new Date(r.at).toLocaleString()}</td>
              <td>{r.label || '—'}</td>
              <td>{verdict(false, r.reason)}</td>
            </tr>
          ))}
        </StaffTable>
      )}
    </section>
  );
}
