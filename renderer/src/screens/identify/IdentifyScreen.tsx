import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Keypad } from '../../components/Keypad';
import { call } from '../../kiosk';
import type { ScreenProps } from '../../navigation';
import { StartOverButton } from '../../components/StartOverButton';

const IIN_LENGTH = 12;

/** IIN entry: on-screen keypad or a physical keyboard; core validates, the screen only collects. */
export function IdentifyScreen({ go, reset }: ScreenProps<'identify'>) {
  const { t } = useTranslation('checkin');
  const [iin, setIin] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);

  const edit = (next: string) => {
    setIin(next.replace(/\D/g, '').slice(0, IIN_LENGTH));
    setProblem(null);
  };

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    if (busy) return;
    if (iin.length !== IIN_LENGTH) {
      setProblem('length');
      return;
    }
    setBusy(true);
    try {
      const answer = await call('checkin.identify', { iin });
      if (answer.ok) {
        setIin('');
        go({ screen: 'consent', session: answer.session, maskedIin: answer.maskedIin });
      } else {
        setProblem(answer.problem);
        field.current?.focus(); // ready for the correction, from either keyboard
      }
    } catch {
      setProblem('unavailable');
    } finally {
      setBusy(false);
    }
  }

  const submitRef = useRef(submit);
  useEffect(() => {
    submitRef.current = submit;
  });

  // Digits typed anywhere on the screen go into the field (a USB keypad needs no focus first);
  // Enter submits unless a button has the focus (then Enter presses that button).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.ctrlKey || e.altKey || e.metaKey) return;
      if (/^\d$/.test(e.key)) setIin((v) => (v + e.key).slice(0, IIN_LENGTH));
      else if (e.key === 'Backspace') setIin((v) => v.slice(0, -1));
      else if (e.key === 'Enter' && !(e.target instanceof HTMLButtonElement)) void submitRef.current();
      else return;
      setProblem(null);
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <section className="screen identify" aria-labelledby="identify-title">
      <h1 id="identify-title">{t('identify.title')}</h1>
      <form className="identify-form" onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor="iin" className="field-label">
          {t('identify.label')}
        </label>
        <input
          id="iin"
          ref={field}
          className="iin-input"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          maxLength={IIN_LENGTH}
          value={iin}
          onChange={(e) => edit(e.target.value)}
          aria-invalid={problem !== null}
          aria-describedby="iin-hint iin-problem"
          autoFocus
        />
        <p id="iin-hint" className="hint">
          {t('identify.hint', { count: iin.length, total: IIN_LENGTH })}
        </p>
        <p id="iin-problem" className="problem" role="alert">
          {problem ? t(`identify.problem.${problem}`) : ''}
        </p>
        <Keypad
          label={t('identify.keypad')}
          onDigit={(d) => edit(iin + d)}
          onDelete={() => edit(iin.slice(0, -1))}
          onClear={() => edit('')}
        />
        <div className="actions">
          <StartOverButton onClick={reset} />
          <button type="submit" className="button primary" disabled={busy}>
            {t('identify.continue')}
          </button>
        </div>
      </form>
    </section>
  );
}
