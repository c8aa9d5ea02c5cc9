import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call, KioskError } from '../../kiosk';
import { useCoreData } from '../../use-core-data';
import { Notice, PanelHead, ProblemLine, StaffTable } from '../staff/common';
import { ProvisionPanel } from './ProvisionPanel';
import { EnrolPanel } from './EnrolPanel';
import { TextField } from '../../components/TextField';
import { CameraStatus } from './CameraStatus';
import { QueueChart } from './QueueChart';
import { asProgress, type SyncProgress } from './types';
import './it.css';

function ago(iso: string | null, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (!iso) return t('never');
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 120) return t('agoSeconds', { count: s });
  if (s < 7200) return t('agoMinutes', { count: Math.round(s / 60) });
  return t('agoHours', { count: Math.round(s / 3600) });
}

const fetchFigures = async () => {
  const [status, history, dead] = await Promise.all([
    call('sync.status', {}),
    call('sync.history', { hours: 24 }),
    call('sync.deadLetters', {}),
  ]);
  return { status, history, dead };
};
const fetchCameraStatus = () => call('camera.status', {});

/**
 * Clinic IT's view of the outbox: the same figures as `kioskctl status`, the queue over time,
 * "sync now" with live progress (core's `sync.progress` events, no polling: a poll would count as
 * staff activity and keep the session from going idle), and the dead letters with their reasons.
 */
export function ItPanel() {
  const { t } = useTranslation('it');
  const describe = (err: unknown) =>
    err instanceof KioskError && err.code === 'forbidden'
      ? t('errors.forbidden')
      : err instanceof KioskError
        ? err.message
        : t('errors.generic');
  const { data: figures, error: loadProblem, reload: reloadFigures } = useCoreData(fetchFigures, [], describe);
  const { data: camera, failed: cameraFailed, reload: reloadCamera } = useCoreData(fetchCameraStatus);
  const status = figures?.status ?? null;
  const history = figures?.history ?? [];
  const dead = figures?.dead ?? [];
  const [progress, setProgress] = useState<SyncProgress | null>(null);
  // A failed action's words; the next reload clears them (as a successful load always did).
  const [actionProblem, setActionProblem] = useState('');
  const problem = actionProblem || loadProblem;
  const reload = useCallback(() => {
    setActionProblem('');
    reloadFigures();
    reloadCamera();
  }, [reloadFigures, reloadCamera]);
  // Reload after a run only when this person started it: background runs end every interval, and
  // reloading then would count as staff activity and keep the session from going idle.
  const startedHere = useRef(false);

  const fail = (err: unknown) => setActionProblem(describe(err));

  useEffect(() => {
    if (typeof window.kiosk?.onEvent !== 'function') return undefined;
    return window.kiosk.onEvent((event) => {
      if (event.topic !== 'sync.progress') return;
      const p = asProgress(event.data);
      if (!p) return;
      setProgress(p);
      if (!p.running && startedHere.current) {
        startedHere.current = false;
        reload();
      }
    });
  }, [reload]);

  const syncNow = () => {
    startedHere.current = true;
    call('sync.now', { untilEmpty: true }).then((r) => {
      if (r.progress) setProgress(r.progress);
    }, fail);
  };
  const [exportPath, setExportPath] = useState('');
  const [exported, setExported] = useState('');
  const exportNow = (e: React.FormEvent) => {
    e.preventDefault();
    setExported('');
    call('sync.export', { path: exportPath.trim() }).then((r) => {
      setActionProblem('');
      setExported(t('export.done', { count: r.items, file: r.file }));
    }, fail);
  };
  const requeue = (visitId: string) => {
    call('sync.requeueDead', { visitIds: [visitId] }).then(reload, fail);
  };

  const running = progress?.running === true;
  const pct = progress && progress.total > 0 ? Math.round((100 * progress.sent) / progress.total) : running ? 0 : 100;

  return (
    <section className="staff-panel it-panel" aria-labelledby="it-title">
      <PanelHead titleId="it-title" title={t('title')} refreshLabel={t('refresh')} onRefresh={reload}>
        <button type="button" className="button primary" onClick={syncNow} disabled={running}>
          {t('syncNow')}
        </button>
      </PanelHead>
      <ProblemLine text={problem} />
      {status?.storageError && (
        <p className="it-warning" role="alert">
          {t('storageError', {
            kind: t(`storageKind.${status.storageError.kind}`, { defaultValue: status.storageError.kind }),
            when: ago(status.storageError.at, t),
          })}
        </p>
      )}
      {status?.development && (
        <p className="it-warning" role="status">
          {t('developmentKeys')}
        </p>
      )}
      {progress && (
        <div className="it-progress">
          <div
            className="it-bar"
            role="progressbar"
            aria-label={t('progress.label')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct}
          >
            <div className="it-bar-fill" style={{ width: `${pct}%` }} />
          </div>
          <p role="status">
            {t(running ? 'progress.running' : `progress.outcome.${progress.outcome}`, {
              sent: progress.sent,
              total: progress.total,
              accepted: progress.accepted,
              duplicate: progress.duplicate,
              rejected: progress.rejected,
              remaining: progress.remaining,
            })}
            {progress.lastError && !running && progress.remaining > 0
              ? ` ${t('progress.lastError', { message: progress.lastError })}`
              : ''}
          </p>
        </div>
      )}
      {status && (
        <dl className="it-figures" aria-label={t('figures')}>
          <div>
            <dt>{t('queueDepth')}</dt>
            <dd>{status.queueDepth}</dd>
          </div>
          <div>
            <dt>{t('oldestPending')}</dt>
            <dd>{status.oldestPendingAt ? ago(status.oldestPendingAt, t) : '—'}</dd>
          </div>
          <div>
            <dt>{t('lastSuccess')}</dt>
            <dd>{ago(status.lastSuccessAt, t)}</dd>
          </div>
          <div>
            <dt>{t('deadLetters')}</dt>
            <dd>{status.deadLetters}</dd>
          </div>
          <div>
            <dt>{t('circuit.label')}</dt>
            <dd>{t(`circuit.${status.circuit.state}`)}</dd>
          </div>
          <div>
            <dt>{t('lastError')}</dt>
            <dd className="it-long">
              {status.lastError ? `${ago(status.lastError.at, t)}: ${status.lastError.message}` : '—'}
            </dd>
          </div>
          <div>
            <dt>{t('oldKeys')}</dt>
            <dd>{status.pendingUnderOldKeys}</dd>
          </div>
          <div>
            <dt>{t('upstream')}</dt>
            <dd className="it-long">{status.upstreamUrl || t('offline')}</dd>
          </div>
          <div>
            <dt>{t('device')}</dt>
            <dd className="it-mono">{status.deviceId}</dd>
          </div>
          <div>
            <dt>{t('faceBackend')}</dt>
            <dd>{status.faceBackend}</dd>
          </div>
        </dl>
      )}
      <QueueChart points={history} />
      <ProvisionPanel />
      <EnrolPanel />
      <CameraStatus status={cameraFailed ? null : camera} />
      <form className="staff-form staff-inline" onSubmit={exportNow} aria-label={t('export.title')}>
        <TextField
          label={t('export.path')}
          value={exportPath}
          onChange={setExportPath}
          placeholder="/media/usb/kelu-visits.kelu"
        />
        <button type="submit" className="button secondary" disabled={exportPath.trim().length < 2}>
          {t('export.button')}
        </button>
      </form>
      {exported && <Notice>{exported}</Notice>}
      <h3>{t('dead.title')}</h3>
      {dead.length === 0 ? (
        <p className="hint">{t('dead.none')}</p>
      ) : (
        <StaffTable
          label={t('dead.title')}
          columns={[t('dead.when'), t('dead.ticket'), t('dead.iin'), t('dead.reason'), t('dead.action')]}
        >
          {dead.map((d) => (
            <tr key={d.visitId}>
              <td>{new Date(d.createdAt).toLocaleString()}</td>
              <td>{d.ticket ?? '—'}</td>
              <td className="masked">{d.maskedIin ?? '—'}</td>
              <td>{d.reason}</td>
              <td>
                <button
                  type="button"
                  className="button secondary"
                  onClick={() => requeue(d.visitId)}
                  aria-label={t('dead.retryFor', { ticket: d.ticket ?? d.visitId })}
                >
                  {t('dead.retry')}
                </button>
              </td>
            </tr>
          ))}
        </StaffTable>
      )}
    </section>
  );
}
