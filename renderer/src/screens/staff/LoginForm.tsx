import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../kiosk';
import { FormActions, Notice, ProblemLine } from './common';
import type { SessionInfo } from './types';
import { useAction } from './useAction';

/** Username, password and the 6-digit code from the person's authenticator app. */
export function LoginForm({
  notice,
  onLoggedIn,
  onLeave,
}: {
  notice?: string;
  onLoggedIn: (s: SessionInfo) => void;
  onLeave: () => void;
}) {
  const { t } = useTranslation('staff');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const { problem, busy, run } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(
      async () => {
        const s = await call('staff.login', { username, password, code });
        setPassword('');
        onLoggedIn(s);
      },
      () => {
        setPassword('');
        setCode('');
      },
    );
  };

  return (
    <section className="screen staff-login" aria-labelledby="staff-login-title">
      <h1 id="staff-login-title">{t('login.title')}</h1>
      {notice && <Notice>{notice}</Notice>}
      <form className="staff-form" onSubmit={(e) => void submit(e)}>
        <label>
          {t('login.username')}
          <input
            name="username"
            autoComplete="off"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            maxLength={64}
            autoFocus
          />
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            autoComplete="off"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            maxLength={256}
          />
        </label>
        <label>
          {t('login.code')}
          <input
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="\d{6}"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            required
          />
        </label>
        <ProblemLine text={problem} />
        <FormActions cancelLabel={t('backToCheckin')} onCancel={onLeave} submitLabel={t('login.submit')} busy={busy} />
      </form>
    </section>
  );
}
