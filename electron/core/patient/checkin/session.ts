import { randomUUID } from 'node:crypto';
import { UserFacingError, type Handlers } from '../../../shared/api/define.js';
import type { KioskConfig } from '../../platform/config/schema.js';
import type { FaceAnalysis, RgbaFrame } from '../../face/types.js';
import { checkIin, maskIin } from '../../platform/identity/iin.js';
import type { PhotoPathEnd } from '../../../shared/vocabulary/reasons.js';
import type { checkinContract, FrameSummary } from './contract.js';
import { checkinHandlers } from './handlers.js';
import type { CheckinPorts } from './ports.js';
import type { PresenceAttempt, PresenceVerdict } from '../../presence/attempt.js';
import { sessionEnded } from '../session-ended.js';

/**
 * The one patient at the kiosk, in core: identify → consent → camera frames judged by the presence
 * policy (here, so the screen cannot forge a pass) → the best frame described → the visit queued →
 * ticket. The full IIN and the descriptor never leave this module except into the sealed envelope;
 * frames are dropped as soon as they are judged, except the best one until the visit is sealed.
 */

interface Patient {
  id: string;
  iin: string;
  maskedIin: string;
  consent?: 'camera' | 'decline';
  failedAttempts: number;
  attempt?: PresenceAttempt;
  last?: FrameSummary;
  /** Why the photo path ended without a ticket (decline path and reception follow). */
  handoff?: PhotoPathEnd;
  /** Serialises frames and finish: one in flight per patient. */
  busy: Promise<unknown>;
  /** A frame is being judged: another one is refused, not queued (the screen sends one at a time). */
  judging: boolean;
  touchedAt: number;
}

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

  const attemptsLeft = (p: Patient) => Math.max(0, config.ui.maxFaceAttempts - p.failedAttempts);

  function summarise(
    p: Patient,
    verdict: PresenceVerdict,
    faces: FaceAnalysis[],
    width: number,
    height: number,
  ): FrameSummary {
    const summary: FrameSummary = {
      phase: verdict.phase,
      instruction: verdict.instruction,
      progress: Math.min(1, Math.max(0, verdict.progress)),
      faces: faces.map((f) => ({
        x: f.box.x / width,
        y: f.box.y / height,
        width: f.box.width / width,
        height: f.box.height / height,
      })),
      attemptsLeft: attemptsLeft(p),
      ...(verdict.challengeSide ? { challengeSide: verdict.challengeSide } : {}),
      ...(verdict.failure ? { failure: verdict.failure } : {}),
    };
    if (verdict.phase === 'failed') {
      p.failedAttempts++;
      summary.attemptsLeft = attemptsLeft(p);
      summary.next = summary.attemptsLeft > 0 ? 'retry' : 'decline';
      if (summary.next === 'decline') p.handoff = 'attempts';
    }
    return summary;
  }

  /** Runs one step at a time for the patient; a call for an older patient finds the session ended. */
  function serial<T>(p: Patient, step: () => Promise<T>): Promise<T> {
    const run = p.busy.then(step, step);
    p.busy = run.catch(() => undefined);
    return run;
  }

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
      return serial(p, async () => {
        if (current !== p) throw sessionEnded();
        // A finished attempt answers the same verdict until the screen retries or moves on.
        if (p.last && (p.last.phase === 'passed' || p.last.phase === 'failed')) return p.last;
        const attempt = p.attempt!;
        // Copy into a buffer core owns: the transport's buffer may be reused or detached.
        const frame: RgbaFrame = { width, height, data: new Uint8ClampedArray(data) };
        // Around the tracked face, and scored for texture only where presence needs it (presence/tracking.ts).
        const analysis = await ports.engine.analyze(frame, { keep: true, ...attempt.next() });
        if (current !== p || p.attempt !== attempt) throw sessionEnded();
        // The attempt now owns the frame: it keeps the best one and wipes the rest.
        const verdict = await attempt.push(analysis, frame);
        if (current !== p || p.attempt !== attempt) throw sessionEnded();
        p.last = summarise(p, verdict, analysis.faces, analysis.width || width, analysis.height || height);
        return p.last;
      }).finally(() => {
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
      return serial(p, async () => {
        if (current !== p) throw sessionEnded();
        if (p.last?.phase !== 'passed' || !p.attempt) throw new UserFacingError('The face check has not passed yet.');
        const descriptor = p.attempt.descriptor();
        if (!descriptor) throw new UserFacingError('The face check has not passed yet.');
        // From here a failure is the kiosk's, not the patient's: the decline path learns why.
        p.handoff = 'engine';
        const status = await ports.engine.status();
        if (current !== p) throw sessionEnded();
        const sealed = descriptor.slice();
        try {
          const queued = await ports.queueVisit({
            v: 1,
            method: 'face',
            iin: p.iin,
            face: { descriptor: sealed, modelId: status.modelId, presence: p.attempt.evidence() },
          });
          drop();
          return { ticket: queued.ticket, maskedIin: queued.maskedIin };
        } finally {
          sealed.fill(0);
          p.attempt.discard();
        }
      });
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
