import { useEffect, useRef } from 'react';
import { call } from '../../kiosk';
import type { Navigate } from '../../navigation';

const TAPS = 5;
const TAP_WINDOW_MS = 3000;
const CORNER_PX = 72;
const PATIENT_TOUCH_EVERY_MS = 3000;

/**
 * The discreet way into staff mode, and the rule that a patient's touch ends any staff session.
 * - Key: Ctrl+Alt+S on a keyboard at the desk.
 * - Gesture: five taps within three seconds in the top-left corner of the screen (no visible
 *   control, so patients are not invited to try it).
 * Outside staff mode every touch or key press tells core that a patient is at the screen, which
 * ends any staff session left open (throttled).
 */
export function StaffEntry({ inStaffMode, go }: { inStaffMode: boolean; go: Navigate }) {
  const taps = useRef<number[]>([]);
  const lastTouchReport = useRef(0);
  useEffect(() => {
    const enter = () => go({ screen: 'staff' });
    const onKey = (e: KeyboardEvent) => {
      if (!inStaffMode && e.ctrlKey && e.altKey && e.code === 'KeyS') {
        e.preventDefault();
        enter();
        return;
      }
      if (!inStaffMode) patientTouched();
    };
    const onPointer = (e: PointerEvent) => {
      if (inStaffMode) return;
      if (e.clientX <= CORNER_PX && e.clientY <= CORNER_PX) {
        const now = Date.now();
        taps.current = [...taps.current.filter((t) => now - t < TAP_WINDOW_MS), now];
        if (taps.current.length >= TAPS) {
          taps.current = [];
          enter();
          return;
        }
      }
      patientTouched();
    };
    const patientTouched = () => {
      const now = Date.now();
      if (now - lastTouchReport.current < PATIENT_TOUCH_EVERY_MS) return;
      lastTouchReport.current = now;
      void call('staff.patientTouch', {}).catch(() => undefined);
    };
    window.addEventListener('keydown', onKey, { capture: true });
    window.addEventListener('pointerdown', onPointer, { capture: true, passive: true });
    return () => {
      window.removeEventListener('keydown', onKey, { capture: true });
      window.removeEventListener('pointerdown', onPointer, { capture: true });
    };
  }, [inStaffMode, go]);
  return null;
}
