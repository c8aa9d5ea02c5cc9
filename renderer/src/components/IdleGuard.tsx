import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * WCAG 2.2.1 (timing adjustable): after `inactivityMs` without a touch or key, a warning counts
 * down for `warningMs` with an "I need more time" button; only then is everything reset.
 */
export function IdleGuard({
  inactivityMs,
  warningMs,
  onTimeout,
}: {
  inactivityMs: number;
  warningMs: number;
  onTimeout: () => void;
}) {
  const { t } = useTranslation('common');
  const [warningUntil, setWarningUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  // Set on mount (effect below); 0 until then never triggers because the effect runs first.
  const lastActivity = useRef(0);
  const moreTime = useRef<HTMLButtonElement>(null);
  const timeoutRef = useRef(onTimeout);
  useEffect(() => {
    timeoutRef.current = onTimeout;
  }, [onTimeout]);

  useEffect(() => {
    lastActivity.current = Date.now();
    const touch = () => {
      lastActivity.current = Date.now();
    };
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    for (const e of events) window.addEventListener(e, touch, { capture: true, passive: true });
    let until: number | null = null;
    const tick = setInterval(() => {
      const at = Date.now();
      setNow(at);
      if (until === null) {
        if (at - lastActivity.current >= inactivityMs) until = at + warningMs;
      } else if (lastActivity.current > until - warningMs) {
        until = null; // "I need more time", or any touch, during the warning
      } else if (at >= until) {
        until = null;
        lastActivity.current = at;
        timeoutRef.current();
      }
      setWarningUntil(until);
    }, 250);
    return () => {
      clearInterval(tick);
      for (const e of events) window.removeEventListener(e, touch, { capture: true });
    };
  }, [inactivityMs, warningMs]);

  useEffect(() => {
    if (warningUntil !== null) moreTime.current?.focus();
  }, [warningUntil]);

  if (warningUntil === null) return null;
  const seconds = Math.max(0, Math.ceil((warningUntil - now) / 1000));
  return (
    <div className="overlay">
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="idle-title"
        aria-describedby="idle-text"
      >
        <h2 id="idle-title">{t('idle.title')}</h2>
        <p id="idle-text" aria-live="polite">
          {t('idle.countdown', { count: seconds })}
        </p>
        <button
          ref={moreTime}
          type="button"
          className="button primary"
          onClick={() => {
            lastActivity.current = Date.now();
            setWarningUntil(null);
          }}
        >
          {t('idle.moreTime')}
        </button>
      </div>
    </div>
  );
}
