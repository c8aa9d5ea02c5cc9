import type { FaceEngine } from '../../face/types.js';
import type { VisitEnvelope } from '../../../shared/protocol/envelope.js';
import type { PresenceAttempt } from '../../presence/attempt.js';
import type { QueuedVisit as StoredVisit } from '../../delivery/visits/queue.js';

/**
 * What the check-in session needs from the other parts of core, kept narrow so the session's
 * rules read on their own. kiosk.ts adapts the real face engine, presence policy and visit store.
 */

/** What the ticket screen shows of a stored visit (the visit store's answer, narrowed). */
export type QueuedVisit = Pick<StoredVisit, 'ticket' | 'maskedIin'>;

export interface CheckinPorts {
  engine: Pick<FaceEngine, 'analyze' | 'describe' | 'status'>;
  newPresenceAttempt(): PresenceAttempt;
  /** Seals, signs and stores the envelope with its receipt; returns what the ticket screen shows. */
  queueVisit(envelope: CheckinEnvelope): Promise<QueuedVisit> | QueuedVisit;
}

/** The envelope as check-in knows it; the visit store adds what belongs to the device. */
export type CheckinEnvelope = Omit<VisitEnvelope, 'deviceId' | 'clinicId' | 'visitId' | 'createdAt'> &
  Partial<Pick<VisitEnvelope, 'clinicId' | 'visitId' | 'createdAt'>>;
