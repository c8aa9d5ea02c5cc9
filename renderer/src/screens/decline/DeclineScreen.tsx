import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { KioskContract } from '../../../../electron/core/contract';
import type { MethodOutput } from '../../../../electron/shared/api/define';
import { Keypad } from '../../components/Keypad';
import { useHelpWaiting } from '../../components/HelpButton';
import { useSpoken } from '../../components/VoiceGuide';
import { call } from '../../kiosk';
import type { ScreenProps } from '../../navigation';
import { QrCamera } from './QrCamera';
import { ScannerBurstDetector } from './scanner-burst';
import './decline.css';
import { StartOverButton } from '../../components/StartOverButton';

const CODE_LENGTH = 6;
/** Longest text sent to core; core answers anything over its own limit as "too long". */
const MAX_SENT = 8192;

type DeclineResult = MethodOutput<KioskContract, 'decline.submitCode'>;
type Problem = {
  reason: Extract<DeclineResult, { outcome: 'rejected' }>['reason'];
  attemptsLeft: number;
  from: 'code' | 'qr';
};
type Reception = Extract<DeclineResult, { outcome: 'reception' }>;

/**
 * Checking in without a photo: the eGov six-digit code on a large keypad or a physical keyboard,
 * the eGov QR code shown to the camera or read by a USB scanner, or "I have no code" (reception).
 * The screen collects; core checks the form, counts attempts and seals. A scanned or camera-read
 * payload is never shown, logged or opened: it goes to core as a string and only a verdict returns.
 */
export function DeclineScreen({ route, go, reset, settings }: ScreenProps<'decline'>) {
  const { t } = useTranslation('decline');
  const { session, maskedIin, reason } = route;
  const [mode, setMode] = useState<'code' | 'qr'>('code');
  const [digits, setDigits] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [reception, setReception] = useState<Reception | null>(null);
  const [failed, setFailed] = useState(false);
  const busy = useRef(false);
  const digitsRef = useRef('');
  const done = useRef(false);

  const setCode = useCallback((next: string) => {
    digitsRef.current = next;
    setDigits(next);
  }, []);

  const settle = useCallback(
    (result: DeclineResult, from: 'code' | 'qr') => {
      if (result.outcome === 'ticket') {
        done.current = true;
        go({ screen: 'ticket', ticket: result.ticket, maskedIin: result.maskedIin });
      } else if (result.outcome === 'reception') {
        done.current = true;
        setReception(result);
      } else {
        setProblem({ reason: result.reason, attemptsLeft: result.attemptsLeft, from });
        if (from === 'code') setCode('');
      }
    },
    [go, setCode],
  );

  /** One request at a time; a call arriving meanwhile (another camera frame) is dropped. */
  const send = useCallback(
    async (request: () => Promise<DeclineResult>, from: 'code' | 'qr') => {
      if (busy.current || done.current) return;
      busy.current = true;
      try {
        settle(await request(), from);
        setFailed(false);
      } catch {
        setFailed(true);
      } finally {
        busy.current = false;
      }
    },
    [settle],
  );

  const submitCode = useCallback(() => {
    const code = digitsRef.current;
    void send(() => call('decline.submitCode', { session, code }), 'code');
  }, [send, session]);

  const submitQr = useCallback(
    (payload: string, source: 'camera' | 'scanner') => {
      void send(() => call('decline.submitQr', { session, payload: payload.slice(0, MAX_SENT), source }), 'qr');
    },
    [send, session],
  );

  const noCode = () => void send(() => call('decline.noCode', { session }), 'code');

  const typeDigit = useCallback(
    (d: string) => {
      if (digitsRef.current.length >= CODE_LENGTH) return;
      setCode(digitsRef.current + d);
      setProblem(null);
    },
    [setCode],
  );

  // A physical keyboard types into the keypad; a USB scanner's fast burst ending in Enter is a scan.
  // What a burst typed into the keypad is taken out again, so a scan never leaves digits behind.
  useEffect(() => {
    const detector = new ScannerBurstDetector();
    let beforeRun = digitsRef.current;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.altKey || e.metaKey || done.current) return;
      const event = detector.push({ key: e.key, code: e.code, shiftKey: e.shiftKey, time: e.timeStamp });
      if (event.kind === 'scan') {
        e.preventDefault();
        setCode(beforeRun);
        submitQr(event.text, 'scanner');
      } else if (event.kind === 'enter') {
        e.preventDefault();
        if (mode === 'code') submitCode();
      } else if (event.kind === 'char') {
        if (event.startsRun) beforeRun = digitsRef.current;
        if (mode === 'code' && /^[0-9]$/.test(event.char)) {
          e.preventDefault();
          typeDigit(event.char);
        }
      } else if (mode === 'code' && e.key === 'Backspace') {
        e.preventDefault();
        setCode(digitsRef.current.slice(0, -1));
      } else if (mode === 'code' && e.key === 'Escape') {
        setCode('');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mode, setCode, submitCode, submitQr, typeDigit]);

  useSpoken(reception ? 'voice.goToReception' : null);

  // The reception message shows the masked IIN: like the ticket, it clears itself after a while
  // (not while the patient waits for staff after "I need help").
  const helpWaiting = useHelpWaiting();
  useEffect(() => {
    if (!reception || helpWaiting) return;
    const timer = setTimeout(reset, settings.ui.ticketMs);
    return () => clearTimeout(timer);
  }, [reception, reset, settings.ui.ticketMs, helpWaiting]);

  if (reception) {
    return (
      <section className="screen decline reception" aria-labelledby="reception-title">
        <p className="who">{t('common:checkingIn', { masked: reception.maskedIin })}</p>
        <h1 id="reception-title">{t('reception.title')}</h1>
        <p>{reception.why === 'no-code' ? t('reception.noCode') : t('reception.tooMany')}</p>
        <p className="reference" role="status">
          {t('reception.reference', { reference: reception.reference })}
        </p>
        <div className="actions">
          <button type="button" className="button primary" onClick={reset}>
            {t('reception.done')}
          </button>
        </div>
      </section>
    );
  }

  const message = failed
    ? t('common:errorTryAgain')
    : problem
      ? `${t(`problem.${problem.reason}`, { context: problem.from })} ${t('problem.attemptsLeft', { count: problem.attemptsLeft })}`
      : '';

  return (
    <section className="screen decline" aria-labelledby="decline-title">
      <p className="who">{t('common:checkingIn', { masked: maskedIin })}</p>
      <h1 id="decline-title">{t('title')}</h1>
      {reason && <p className="hint">{t('photoUnavailable')}</p>}
      <div className="decline-modes" role="group" aria-label={t('howLabel')}>
        <button
          type="button"
          className={`button ${mode === 'code' ? 'primary' : 'secondary'}`}
          aria-pressed={mode === 'code'}
          onClick={() => setMode('code')}
        >
          {t('mode.code')}
        </button>
        <button
          type="button"
          className={`button ${mode === 'qr' ? 'primary' : 'secondary'}`}
          aria-pressed={mode === 'qr'}
          onClick={() => setMode('qr')}
        >
          {t('mode.qr')}
        </button>
      </div>
      {mode === 'code' ? (
        <div className="decline-code">
          <p>{t('code.instructions')}</p>
          <output className="code-cells" aria-label={t('code.entered', { count: digits.length, total: CODE_LENGTH })}>
            {Array.from({ length: CODE_LENGTH }, (_, i) => (
              <span key={i} className={`code-cell${i < digits.length ? ' filled' : ''}`} aria-hidden="true">
                {digits[i] ?? ''}
              </span>
            ))}
          </output>
          <Keypad
            label={t('code.keypad')}
            onDigit={typeDigit}
            onDelete={() => setCode(digitsRef.current.slice(0, -1))}
            onClear={() => setCode('')}
          />
          <button type="button" className="button primary" disabled={digits.length === 0} onClick={submitCode}>
            {t('code.submit')}
          </button>
        </div>
      ) : (
        <QrCamera onText={(text) => submitQr(text, 'camera')} />
      )}
      <p className="problem" role="alert">
        {message}
      </p>
      <p className="hint">{t('scannerHint')}</p>
      <div className="actions">
        <button type="button" className="button secondary" onClick={noCode}>
          {t('noCode')}
        </button>
        <StartOverButton onClick={reset} />
      </div>
    </section>
  );
}
