import { createContext, useContext, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PatientScreen } from '../core-types';
import { call } from '../kiosk';
import { useVoice } from './VoiceGuide';

/** How often the waiting notice asks core whether reception has dealt with the request. */
const POLL_MS = 3000;

/** True while a help request waits for reception: screens then hold their own timed resets (ticket, reception message). */
export const HelpWaitingContext = createContext(false);
export const useHelpWaiting = () => useContext(HelpWaitingContext);

type Help =
  { kind: 'idle' } | { kind: 'asking' } | { kind: 'waiting'; id: string; reference: string } | { kind: 'failed' };

/**
 * "I need help" on every patient screen: puts the patient on reception's hand-off list with the
 * screen they are on (and, in core, the masked IIN if one was entered), then says staff are coming.
 * The screen stays as it is until reception resolves the request (then the notice goes; if they
 * checked the patient in or recorded them as gone, the kiosk starts over) or the idle reset.
 */
export function HelpButton({
  screen,
  session,
  onHandled,
  onWaiting,
}: {
  screen: PatientScreen;
  session?: string;
  onHandled: () => void;
  onWaiting: (waiting: boolean) => void;
}) {
  const { t } = useTranslation('common');
  const { speak } = useVoice();
  const [help, setHelp] = useState<Help>({ kind: 'idle' });

  async function ask() {
    if (help.kind === 'asking' || help.kind === 'waiting') return;
    setHelp({ kind: 'asking' });
    try {
      const answer = await call('handoffs.askForHelp', { screen, ...(session ? { session } : {}) });
      setHelp({ kind: 'waiting', id: answer.id, reference: answer.reference });
      speak('voice.helpComing');
    } catch {
      setHelp({ kind: 'failed' });
    }
  }

  const waitingId = help.kind === 'waiting' ? help.id : null;
  useEffect(() => {
    onWaiting(waitingId !== null);
    return () => onWaiting(false);
  }, [waitingId, onWaiting]);
  useEffect(() => {
    if (!waitingId) return undefined;
    const timer = setInterval(() => {
      call('handoffs.helpStatus', { id: waitingId })
        .then(({ status }) => {
          if (status === 'waiting') return;
          setHelp({ kind: 'idle' });
          if (status === 'checked-in' || status === 'left') onHandled();
        })
        .catch(() => undefined);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [waitingId, onHandled]);

  return (
    <>
      <button
        type="button"
        className="button help-button"
        onClick={() => void ask()}
        disabled={help.kind === 'asking'}
        aria-describedby={help.kind === 'waiting' ? 'help-notice' : undefined}
      >
        {t('help.button')}
      </button>
      {(help.kind === 'waiting' || help.kind === 'failed') && (
        <div id="help-notice" className={`help-notice${help.kind === 'failed' ? ' failed' : ''}`} role="status">
          {help.kind === 'waiting' ? (
            <>
              <strong>{t('help.coming')}</strong> {t('help.stay')}{' '}
              <span className="reference">{t('help.reference', { reference: help.reference })}</span>
            </>
          ) : (
            t('help.failed')
          )}
        </div>
      )}
    </>
  );
}
