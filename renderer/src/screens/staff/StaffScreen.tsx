import type { TFunction } from 'i18next';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { call } from '../../kiosk';
import { useCoreData } from '../../use-core-data';
import type { ScreenProps } from '../../navigation';
import { KeyStatusBanner } from '../it/KeyStatusBanner';
import { LoginForm } from './LoginForm';
import { staffPanels } from './panels';
import type { SessionInfo } from './types';
import { useIdleLogout } from './useIdleLogout';
import './staff.css';

const DEFAULT_IDLE_MS = 120_000;

const fetchSession = () => call('staff.session', {});

const idleNotice = (t: TFunction, ms: number) =>
  ms < 60_000
    ? t('staff:login.idleNoticeSeconds', { seconds: Math.round(ms / 1000) })
    : t('staff:login.idleNotice', { minutes: Math.round(ms / 60_000) });

/**
 * Staff mode: the login, then the console for the person's role. Leaving staff mode, or going
 * idle for `staff.idleLogoutMs` (2 minutes by default), signs the person out.
 */
export function StaffScreen({ reset }: ScreenProps<'staff'>) {
  const { t } = useTranslation('staff');
  // Whoever is still signed in when staff mode opens goes straight to the console (a failed check: the login).
  const { data: found } = useCoreData(fetchSession);
  // Then the person signing in or out here decides; undefined until they do.
  const [chosen, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const session = chosen === undefined ? (found?.active ? found : null) : chosen;
  const [notice, setNotice] = useState<string | undefined>();
  const [tab, setTab] = useState<string | null>(null);
  const idleMs = session?.idleLogoutMs ?? DEFAULT_IDLE_MS;
  const loggedIn = session?.active === true;

  useEffect(
    () => () => {
      // Leaving staff mode for any reason ends the session.
      void call('staff.logout', {}).catch(() => undefined);
    },
    [],
  );

  const signOut = useCallback(
    (why?: 'idle' | 'expired') => {
      void call('staff.logout', {}).catch(() => undefined);
      setSession(null);
      setTab(null);
      setNotice(why === 'idle' ? idleNotice(t, idleMs) : why === 'expired' ? t('errors.sessionEnded') : undefined);
    },
    [idleMs, t],
  );
  const onIdle = useCallback(() => (loggedIn ? signOut('idle') : reset()), [loggedIn, signOut, reset]);
  const onGone = useCallback(() => signOut('expired'), [signOut]);
  useIdleLogout(loggedIn, idleMs, onIdle, onGone);

  if (!session?.active) {
    return (
      <LoginForm
        notice={notice}
        onLeave={reset}
        onLoggedIn={(s) => {
          setNotice(undefined);
          setSession(s);
        }}
      />
    );
  }

  const mine = staffPanels.filter((p) => session.role && p.roles.includes(session.role));
  const current = mine.find((p) => p.id === tab) ?? mine[0];
  return (
    <section className="screen staff-console" aria-labelledby="staff-console-title">
      <div className="staff-panel-head">
        <h1 id="staff-console-title">{t('console.title')}</h1>
        <p className="who">
          {t('console.signedInAs', { name: session.displayName ?? session.username, role: t(`role.${session.role}`) })}
        </p>
        <button type="button" className="button secondary" onClick={() => signOut()}>
          {t('console.signOut')}
        </button>
        <button type="button" className="button secondary" onClick={reset}>
          {t('backToCheckin')}
        </button>
      </div>
      <KeyStatusBanner />
      {mine.length > 1 && (
        <div className="staff-tabs" role="tablist" aria-label={t('console.sections')}>
          {mine.map((p) => (
            <button
              key={p.id}
              type="button"
              role="tab"
              aria-selected={p.id === current?.id}
              className="button secondary"
              onClick={() => setTab(p.id)}
            >
              {t(p.label)}
            </button>
          ))}
        </div>
      )}
      {current ? (
        <div role={mine.length > 1 ? 'tabpanel' : undefined}>
          <current.Component key={current.id} />
        </div>
      ) : (
        <p className="hint">{t('console.nothingForRole')}</p>
      )}
    </section>
  );
}
