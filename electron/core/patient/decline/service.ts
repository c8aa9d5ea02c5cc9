import type { Handlers } from '../../../shared/api/define.js';
import type { CheckinEnvelope } from '../checkin/ports.js';
import { referenceOf } from '../help/reference.js';
import { maskIin } from '../../platform/identity/iin.js';
import { noCodeReason, type HandoffReason, type PhotoPathEnd } from '../../../shared/vocabulary/reasons.js';
import { AttemptLimiter } from './attempts.js';
import type { declineContract, DeclineResult } from './contract.js';
import { declineHandlers } from './handlers.js';
import { parseCode, parseQrPayload, type RejectionReason } from './payload.js';
import type { EgovVerdict } from './verdicts.js';
import { sessionEnded } from '../session-ended.js';

/** What the decline path needs from the rest of core; app.ts adapts check-in, visits and hand-offs. */
export interface DeclinePorts {
  /** The identified patient of this check-in session, if it is still current. */
  identified(session: string): { iin: string; maskedIin: string; handoff?: PhotoPathEnd } | undefined;
  /** Ends the check-in (the patient has a ticket or was sent to reception). */
  endCheckin(session: string): void;
  /** Seals, signs and stores the visit with its receipt. */
  queueVisit(envelope: CheckinEnvelope): Promise<{ visitId?: string; ticket: string; maskedIin: string }>;
  /**
   * Optional: delivers the queued visit now and answers the upstream's verdict (e.g. `egov-invalid`),
   * or null when there is none within a short deadline (offline, circuit open, slow, error). Absent
   * or null: the ticket is given as before and the verdict comes back later with background sync.
   */
  onlineVerdict?(visitId: string): Promise<string | null>;
  /** Adds an entry to the reception hand-off list (masked IIN and a keyed tag only are stored). */
  createHandoff(input: { iin: string; reason: HandoffReason }): Promise<{ id: string; maskedIin: string | null }>;
  /** eGov-code visits since a time, with the verdict sync stored on their receipts. */
  verdicts(sinceIso: string): EgovVerdict[];
}

export interface DeclineService {
  handlers: Handlers<typeof declineContract>;
  /** For the check-in's own reset: drops the attempt count of a session. */
  forget(session: string): void;
}

export function createDeclineService(
  maxCodeAttempts: number,
  ports: DeclinePorts,
  now: () => number = Date.now,
): DeclineService {
  const limiter = new AttemptLimiter(maxCodeAttempts);
  // One decline step at a time per session: the camera can send the same QR code many times a
  // second, and two concurrent valid scans must not queue two visits.
  const busy = new Map<string, Promise<unknown>>();

  function serial(session: string, step: () => Promise<DeclineResult>): Promise<DeclineResult> {
    const prev = busy.get(session) ?? Promise.resolve();
    const run = prev.then(step, step);
    const tail = run.catch(() => undefined);
    busy.set(session, tail);
    void tail.then(() => {
      if (busy.get(session) === tail) busy.delete(session);
    });
    return run;
  }

  function patient(session: string): NonNullable<ReturnType<DeclinePorts['identified']>> {
    const p = ports.identified(session);
    if (!p) throw sessionEnded();
    return p;
  }

  async function toReception(
    session: string,
    iin: string,
    why: 'no-code' | 'too-many-attempts',
    end?: PhotoPathEnd,
  ): Promise<DeclineResult> {
    const entry = await ports.createHandoff({
      iin,
      reason: why === 'no-code' ? noCodeReason(end) : 'too-many-wrong-codes',
    });
    limiter.end(session);
    ports.endCheckin(session);
    return { outcome: 'reception', why, maskedIin: entry.maskedIin ?? maskIin(iin), reference: referenceOf(entry.id) };
  }

  async function rejected(
    session: string,
    iin: string,
    reason: RejectionReason,
    payload?: string,
  ): Promise<DeclineResult> {
    const state = limiter.fail(session, payload);
    if (state.exhausted) return toReception(session, iin, 'too-many-attempts');
    return { outcome: 'rejected', reason, attemptsLeft: state.remaining, repeated: state.repeated };
  }

  /**
   * A well-formed code or token becomes a visit. If the upstream answers in time that the code is not
   * valid for this patient, that is a wrong attempt like a malformed one: no ticket. The visit stays
   * recorded upstream (and on the receipt) with its invalid verdict, which is what staff audit.
   * `fingerprint` makes a repeat of a refused code answer at once, without a second visit.
   */
  async function queue(
    session: string,
    iin: string,
    envelope: Pick<CheckinEnvelope, 'method' | 'egov'>,
    fingerprint: string,
  ): Promise<DeclineResult> {
    if (limiter.failedBefore(session, fingerprint)) return rejected(session, iin, 'egov-rejected', fingerprint);
    const queued = await ports.queueVisit({ v: 1, iin, ...envelope });
    if (queued.visitId && (await verdictOf(queued.visitId)) === 'egov-invalid')
      return rejected(session, iin, 'egov-rejected', fingerprint);
    limiter.end(session);
    ports.endCheckin(session);
    return { outcome: 'ticket', ticket: queued.ticket, maskedIin: queued.maskedIin };
  }

  async function verdictOf(visitId: string): Promise<string | null> {
    if (!ports.onlineVerdict) return null;
    try {
      return await ports.onlineVerdict(visitId);
    } catch {
      // The visit is stored; a failure to ask the upstream must never cost the patient the ticket.
      return null;
    }
  }

  const handlers = declineHandlers({
    submitCode: (session, code) =>
      serial(session, async () => {
        const p = patient(session);
        if (limiter.state(session).exhausted) return toReception(session, p.iin, 'too-many-attempts');
        const parsed = parseCode(code);
        if (!parsed.ok) return rejected(session, p.iin, parsed.reason);
        return queue(session, p.iin, { method: 'egov-code', egov: { code: parsed.code } }, `code:${parsed.code}`);
      }),

    submitQr: (session, payload) =>
      serial(session, async () => {
        const p = patient(session);
        if (limiter.state(session).exhausted) return toReception(session, p.iin, 'too-many-attempts');
        const parsed = parseQrPayload(payload);
        if (!parsed.ok) return rejected(session, p.iin, parsed.reason, payload);
        const egov = parsed.kind === 'code' ? { code: parsed.code } : { token: parsed.token };
        // A QR holding a plain code shares the typed code's fingerprint: refused once, refused both ways.
        return queue(
          session,
          p.iin,
          { method: 'egov-qr', egov },
          parsed.kind === 'code' ? `code:${parsed.code}` : payload,
        );
      }),

    verdicts: (sinceHours) => ports.verdicts(new Date(now() - sinceHours * 3_600_000).toISOString()),

    noCode: (session) =>
      serial(session, async () => {
        const p = patient(session);
        return toReception(session, p.iin, 'no-code', p.handoff);
      }),
  });

  return { handlers, forget: (session) => limiter.end(session) };
}
