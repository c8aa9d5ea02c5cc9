import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { call, KioskError } from '../../kiosk';
import { Notice, ProblemLine } from '../staff/common';
import { useKeyStatus } from './useKeyStatus';
import { TextField } from '../../components/TextField';

/**
 * Enrolment at the hub from the IT screen (issue 19): IT types the one-time token the hub issued for
 * this device; core's `sync.enrolAtHub` spends it with the same code as `kioskctl provision
 * --enrolment-token` and audits it without the token. The token field is a password field, never
 * shown, and is emptied as soon as it is sent. A refusal is said in the screen's language with the
 * hub's own reason.
 */
export function EnrolPanel() {
  const { t } = useTranslation('setup');
  const { t: tIt } = useTranslation('it');
  const { status } = useKeyStatus();
  /** What IT typed; until then the upstream the kiosk was provisioned for (the hub it delivers to). */
  const [typedUrl, setTypedUrl] = useState<string | null>(null);
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const [done, setDone] = useState('');

  const url = typedUrl ?? status?.upstreamUrl ?? '';

  const fail = (err: unknown) =>
    setProblem(
      err instanceof KioskError && err.code === 'forbidden'
        ? tIt('errors.forbidden')
        : err instanceof KioskError && err.code === 'bad-input'
          ? t('enrol.badInput')
          : err instanceof KioskError
            ? err.message
            : tIt('errors.generic'),
    );

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const sent = token;
    // The token leaves the page's state at once, whatever the hub answers.
    setToken('');
    setBusy(true);
    setProblem('');
    setDone('');
    call('sync.enrolAtHub', { hubUrl: url.trim(), token: sent })
      .then((r) => {
        if (r.enrolled) setDone(t('enrol.done', { device: r.deviceId, clinic: r.clinicId, keys: r.keys }));
        else setProblem(t(`enrol.refusal.${r.refusal}`, { reason: r.reason }));
      }, fail)
      .finally(() => setBusy(false));
  };

  return (
    <section className="it-provision" aria-labelledby="enrol-title">
      <h3 id="enrol-title">{t('enrol.title')}</h3>
      <p className="hint">{t('enrol.lead')}</p>
      <form className="staff-form" onSubmit={submit} aria-label={t('enrol.form')}>
        <TextField
          label={t('enrol.url')}
          value={url}
          onChange={setTypedUrl}
          type="url"
          placeholder="https://hub.example.kz"
          required
        />
        <TextField
          label={t('enrol.token')}
          value={token}
          onChange={setToken}
          type="password"
          autoComplete="off"
          required
        />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? t('enrol.busy') : t('enrol.submit')}
        </button>
      </form>
      <ProblemLine text={problem} />
      {done && <Notice>{done}</Notice>}
    </section>
  );
}
