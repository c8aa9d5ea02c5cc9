import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { call, KioskError } from '../../kiosk';
import { Notice, ProblemLine } from '../staff/common';
import { useKeyStatus } from './useKeyStatus';
import { TextField } from '../../components/TextField';

/**
 * Provisioning from the IT screen: the upstream's public key file (a path on the USB stick, read
 * and validated by core), the upstream URL and the clinic id. Core creates the device key wrapped
 * by safeStorage, pins the upstream, audits it, and the kiosk serves patients at once.
 */
export function ProvisionPanel() {
  const { t } = useTranslation('setup');
  const { t: tIt } = useTranslation('it');
  const { status, reload } = useKeyStatus();
  const [keyFile, setKeyFile] = useState('');
  const [fingerprint, setFingerprint] = useState('');
  const [url, setUrl] = useState('');
  const [clinicId, setClinicId] = useState('');
  const [newDeviceKey, setNewDeviceKey] = useState(false);
  const [keepOldVisits, setKeepOldVisits] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const [done, setDone] = useState('');
  const [found, setFound] = useState<{
    files: Array<{ path: string; keyId: string; fingerprint: string }>;
    distinctKeys: number;
  } | null>(null);

  const fail = (err: unknown) =>
    setProblem(
      err instanceof KioskError && err.code === 'forbidden'
        ? tIt('errors.forbidden')
        : err instanceof KioskError
          ? err.message
          : tIt('errors.generic'),
    );
  const findKeyFiles = () => {
    setProblem('');
    call('keys.findKeyFiles', {}).then((r) => setFound(r), fail);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem('');
    setDone('');
    call('keys.provision', {
      upstreamKeyFile: keyFile.trim(),
      upstreamKeyFingerprint: fingerprint,
      upstreamUrl: url.trim(),
      clinicId: clinicId.trim(),
      newDeviceKey,
      keepOldVisits,
    })
      .then((r) => {
        setDone(t('provision.done', { clinic: r.clinicId, device: r.deviceId }));
        setNewDeviceKey(false);
        setKeepOldVisits(false);
        reload();
      }, fail)
      .finally(() => setBusy(false));
  };

  const stateText = !status
    ? t('provision.none')
    : status.ready
      ? status.development
        ? t('provision.readyDevelopment')
        : t('provision.ready')
      : t('provision.notReady');
  return (
    <section className="it-provision" aria-labelledby="provision-title">
      <h3 id="provision-title">{t('provision.title')}</h3>
      {status && (
        <dl className="it-figures" aria-label={t('provision.details')}>
          <div>
            <dt>{t('provision.state')}</dt>
            <dd>{stateText}</dd>
          </div>
          <div>
            <dt>{t('provision.clinic')}</dt>
            <dd>{status.clinicId ?? t('provision.none')}</dd>
          </div>
          <div>
            <dt>{t('provision.upstream')}</dt>
            <dd className="it-long">{status.upstreamUrl || t('provision.none')}</dd>
          </div>
          <div>
            <dt>{t('provision.device')}</dt>
            <dd className="it-mono">{status.deviceId ?? t('provision.none')}</dd>
          </div>
          <div>
            <dt>{t('provision.devicePublicKey')}</dt>
            <dd className="it-mono it-long">{status.devicePublicKey ?? t('provision.none')}</dd>
          </div>
          <div>
            <dt>{t('provision.protection')}</dt>
            <dd className="it-long">
              {t(`provision.protection-${status.keyProtection}`)}
              {status.keyringNote ? ` (${status.keyringNote})` : ''}
            </dd>
          </div>
        </dl>
      )}
      <button type="button" className="button secondary" onClick={findKeyFiles}>
        {t('provision.find')}
      </button>
      {found && found.files.length === 0 && <p className="hint">{t('provision.noneFound')}</p>}
      {found && found.distinctKeys > 1 && (
        <p className="problem" role="alert">
          {t('provision.severalKeys', { count: found.distinctKeys })}
        </p>
      )}
      {found && found.files.length > 0 && (
        <ul className="it-found" aria-label={t('provision.found')}>
          {found.files.map((f) => (
            <li key={f.path}>
              <button type="button" className="button secondary" onClick={() => setKeyFile(f.path)}>
                {t('provision.use', { path: f.path, keyId: f.keyId })}
              </button>
              <span className="it-mono">
                {t('provision.fingerprintOf', { fingerprint: f.fingerprint.replace(/(.{4})(?!$)/g, '$1 ') })}
              </span>
            </li>
          ))}
        </ul>
      )}
      <form className="staff-form" onSubmit={submit} aria-label={t('provision.form')}>
        <TextField
          label={t('provision.keyFile')}
          value={keyFile}
          onChange={setKeyFile}
          placeholder="/media/usb/upstream-public.json"
          required
        />
        <TextField
          label={t('provision.fingerprint')}
          value={fingerprint}
          onChange={setFingerprint}
          placeholder="0a1b 2c3d 4e5f 6a7b 8c9d 0e1f 2a3b 4c5d"
          autoComplete="off"
          required
        />
        <TextField
          label={t('provision.url')}
          value={url}
          onChange={setUrl}
          type="url"
          placeholder="https://upstream.example.kz"
          required
        />
        <TextField
          label={t('provision.clinicId')}
          value={clinicId}
          onChange={setClinicId}
          placeholder="almaty-pc-4"
          required
        />
        <label className="check">
          <input type="checkbox" checked={newDeviceKey} onChange={(e) => setNewDeviceKey(e.target.checked)} />
          {t('provision.newDeviceKey')}
        </label>
        <label className="check">
          <input type="checkbox" checked={keepOldVisits} onChange={(e) => setKeepOldVisits(e.target.checked)} />
          {t('provision.keepOldVisits')}
        </label>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? t('provision.busy') : t('provision.submit')}
        </button>
      </form>
      <ProblemLine text={problem} />
      {done && <Notice>{done}</Notice>}
    </section>
  );
}
