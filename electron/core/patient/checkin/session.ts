import { randomUUID } from 'node:crypto';
import { UserFacingError, type Handlers } from '../../../shared/api/define.js';
import type { KioskConfig } from '../../platform/config/schema.js';
import { checkIin, maskIin } from '../../platform/identity/iin.js';
import type { PhotoPathEnd } from '../../../shared/vocabulary/reasons.js';
import type { checkinContract } from './contract.js';
import { checkinHandlers } from './handlers.js';
import { judgeFrame } from './judge-frame.js';
import { attemptsLeft as attemptsLeftOf, serial, type Patient } from './patient.js';
import { queueVisit } from './queue-visit.js';
import type { CheckinPorts } from './ports.js';
import { sessionEnded } from '../session-ended.js';

/**
 * The one patient at the kiosk, in core: identify → consent → camera frames judged by the presence
 * policy (here, so the screen cannot forge a pass) → the best frame described → the visit queued →
 * ticket. The full IIN and the descriptor never leave this module except into the sealed envelope;
 * frames are dropped as soon as they are judged, except the best one until the visit is sealed.
 */

export interface IdentifiedPatient {
  iin: string;
  maskedIin: string;
  /** Set when the photo path ended without a ticket. */
  handoff?: PhotoPathEnd;
}

export interface CheckinService {
  handlers: Handlers<typeof checkinContract>;
  /**
   * For other core parts (the decline path): the identified patient of this session, if still
   * current. Never exposed through the contract.
   */
  identified(session: string): IdentifiedPatient | undefined;
  /**
   * Ends this session's check-in (other parts call it once their path ends). Only that session: if
   * another patient is current by then, their check-in is untouched.
   */
  end(session: string): void;
  close(): void;
}

export function createCheckinService(
  config: KioskConfig,
  ports: CheckinPorts,
  now: () => number = Date.now,
): CheckinService {
  let current: Patient | undefined;
  // Core forgets the patient by itself if the screen stops talking (crash, closed window). The
  // screen's own inactivity reset comes first; this is only the safety net, and generous, because a
  // patient may press "I need more time" (no core call) several times, or fetch an eGov code.
  const idleLimitMs = 10 * (config.ui.inactivityMs + config.ui.warningMs);
  const sweeper = setInterval(() => {
    if (current && now() - current.touchedAt > idleLimitMs) drop();
  }, 5_000);
  sweeper.unref?.();

  function drop(): void {
    if (!current) return;
    // Overwrite what can be overwritten; strings are immutable in JS, so dropping the references
    // is the best we can do for the IIN.
    current.attempt?.discard();
    current = undefined;
  }

  function patient(session: string): Patient {
    if (!current || current.id !== session) throw sessionEnded();
    if (now() - current.touchedAt > idleLimitMs) {
      drop();
      throw sessionEnded();
    }
    current.touchedAt = now();
    return current;
  }

  const attemptsLeft = (p: Patient) => attemptsLeftOf(p, config.ui.maxFaceAttempts);

  const handlers = checkinHandlers({
    identify: ({ iin }) => {
      drop();
      const digits = iin.trim();
      const check = checkIin(digits, new Date(now()));
      if (!check.valid) return { ok: false as const, problem: check.problem };
      current = {
        id: randomUUID(),
        iin: digits,
        maskedIin: maskIin(digits),
        failedAttempts: 0,
        busy: Promise.resolve(),
        judging: false,
        touchedAt: now(),
      };
      return { ok: true as const, session: current.id, maskedIin: current.maskedIin };
    },

    consent: ({ session, choice }) => {
      const p = patient(session);
      p.consent = choice;
      // Choosing the camera again must not restart a running attempt (that would dodge its failure).
      if (choice === 'camera') p.attempt ??= ports.newPresenceAttempt();
      return { next: choice, attemptsLeft: attemptsLeft(p), challenge: config.presence.challenge };
    },

    frame: ({ session, width, height, data }) => {
      const p = patient(session);
      if (p.consent !== 'camera' || !p.attempt)
        throw new UserFacingError('The camera has not been chosen for this check-in.');
      if (p.judging) throw new UserFacingError('One frame at a time, please: the previous one is still being checked.');
      p.judging = true;
      return serial(p, () =>
        judgeFrame(
          p,
          { width, height, data },
          { ports, maxFaceAttempts: config.ui.maxFaceAttempts, isCurrent: () => current === p },
        ),
      ).finally(() => {
        p.judging = false;
      });
    },

    retry: ({ session }) => {
      const p = patient(session);
      if (attemptsLeft(p) === 0) {
        p.handoff = 'attempts';
        return { attemptsLeft: 0, next: 'decline' as const };
      }
      // Only a failed attempt may be retried: restarting a running one would give endless tries.
      if (p.attempt && p.last?.phase !== 'failed')
        throw new UserFacingError('The current face check is still running.');
      p.attempt?.discard();
      p.attempt = ports.newPresenceAttempt();
      p.last = undefined;
      return { attemptsLeft: attemptsLeft(p), next: 'camera' as const };
    },

    finish: ({ session }) => {
      const p = patient(session);
      return serial(p, () => queueVisit(p, { ports, isCurrent: () => current === p, drop }));
    },

    cameraProblem: ({ session, reason }) => {
      const p = patient(session);
      p.attempt?.discard();
      p.attempt = undefined;
      p.handoff = reason;
      return { next: 'decline' as const };
    },

    cancel: ({ session }) => {
      // Cancelling an older session must not end the current patient's check-in.
      if (!session || current?.id === session) drop();
      return {};
    },
  });

  return {
    handlers,
    identified(session) {
      if (!current || current.id !== session) return undefined;
      current.touchedAt = now(); // the decline path is working with this patient
      return {
        iin: current.iin,
        maskedIin: current.maskedIin,
        ...(current.handoff ? { handoff: current.handoff } : {}),
      };
    },
    end(session) {
      if (current?.id === session) drop();
    },
    close() {
      clearInterval(sweeper);
      drop();
    },
  };
}
