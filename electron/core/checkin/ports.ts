import type { FaceEngine, FrameAnalysis, RgbaFrame } from '../face/types.js';
import type { VisitEnvelope } from '../visits/envelope.js';
import type { PresenceFailure } from '../presence/session.js';
import type { CheckinPhase } from './contract.js';

/**
 * What the check-in session needs from the other parts of core, kept narrow so the session's
 * rules read on their own. app.ts adapts the real face engine, presence policy and visit store.
 */

/** One presence decision after a frame (the presence policy's answer). */
export interface PresenceVerdict {
  phase: CheckinPhase;
  /** A presence message key, e.g. `presence.moveCloser` (electron/core/presence/messages.ts). */
  instruction: string;
  progress: number;
  challengeSide?: 'left' | 'right';
  /** Why the attempt failed (phase `failed` only). */
  failure?: PresenceFailure;
}

/** One attempt of the presence policy: frames in, one verdict out each time. */
export interface PresenceAttempt {
  /**
   * Takes ownership of the frame (keeps it while the check needs it, else wipes it) and judges it;
   * at the pass, also checks that the held and the final frame show one person (presence-attempt.ts).
   * `atMs`: when the frame was taken (monotonic ms; default now).
   */
  push(analysis: FrameAnalysis, frame: RgbaFrame, atMs?: number): Promise<PresenceVerdict>;
  /** The verified descriptor to seal, in memory only; undefined before a pass. */
  descriptor(): number[] | undefined;
  /** Wipes kept frames and the descriptor (reset, retry, camera lost, sealed). */
  discard(): void;
  evidence(): NonNullable<VisitEnvelope['face']>['presence'];
}

export interface QueuedVisit {
  ticket: string;
  maskedIin: string;
}

export interface CheckinPorts {
  engine: Pick<FaceEngine, 'analyze' | 'describe' | 'status'>;
  newPresenceAttempt(): PresenceAttempt;
  /** Seals, signs and stores the envelope with its receipt; returns what the ticket screen shows. */
  queueVisit(envelope: CheckinEnvelope): Promise<QueuedVisit> | QueuedVisit;
}

/** The envelope as check-in knows it; the visit store adds what belongs to the device. */
export type CheckinEnvelope = Omit<VisitEnvelope, 'deviceId' | 'clinicId' | 'visitId' | 'createdAt'> &
  Partial<Pick<VisitEnvelope, 'clinicId' | 'visitId' | 'createdAt'>>;
