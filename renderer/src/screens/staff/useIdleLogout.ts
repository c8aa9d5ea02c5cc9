import { useEffect, useRef } from 'react';
import { call } from '../../kiosk';

const PING_EVERY_MS = 15_000;

/**
 * Idle logout on the screen, matching core's: a touch or key keeps the session alive (a ping at
 * most every 15 s counts as activity in core); `idleMs` without either signs the person out.
 * Core enforces the same limit on its own, so a frozen screen cannot keep a session open. The
 * timer restarts when the person signs in or out.
 */
export function useIdleLogout(loggedIn: boolean, idleMs: number, onIdle: () => void, onSessionGone: () => void): void {
  const lastActivity = useRef(0);
  const lastPing = useRef(0);
  const handlers = useRef({ onIdle, onSessionGone });
  useEffect(() => {
    handlers.current = { onIdle, onSessionGone };
  }, [onIdle, onSessionGone]);

  useEffect(() => {
    lastActivity.current = Date.now();
    lastPing.current = Date.now();
    const touch = () => {
      const now = Date.now();
      lastActivity.current = now;
      // Only a signed-in screen pings: a ping racing a login could otherwise end the new session.
      if (loggedIn && now - lastPing.current >= PING_EVERY_MS) {
        lastPing.current = now;
        call('staff.session', {})
          .then((s) => {
            if (!s.active) handlers.current.onSessionGone();
          })
          .catch(() => undefined);
      }
    };
    const events = ['pointerdown', 'keydown', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, touch, { capture: true, passive: true });
    const tick = setInterval(() => {
      if (Date.now() - lastActivity.current >= idleMs) handlers.current.onIdle();
    }, 1000);
    return () => {
      for (const e of events) window.removeEventListener(e, touch, { capture: true });
      clearInterval(tick);
    };
  }, [loggedIn, idleMs]);
}
