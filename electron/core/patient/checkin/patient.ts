// The patient at the kiosk as core keeps them, and what one judged frame tells the screen.
import type { FaceAnalysis } from '../../face/types.js';
import type { PhotoPathEnd } from '../../../shared/vocabulary/reasons.js';
import type { FrameSummary } from './contract.js';
import type { PresenceAttempt, PresenceVerdict } from '../../presence/attempt.js';

export interface Patient {
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

export const attemptsLeft = (p: Patient, maxFaceAttempts: number) => Math.max(0, maxFaceAttempts - p.failedAttempts);

export function summarise(
  p: Patient,
  maxFaceAttempts: number,
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
    attemptsLeft: attemptsLeft(p, maxFaceAttempts),
    ...(verdict.challengeSide ? { challengeSide: verdict.challengeSide } : {}),
    ...(verdict.failure ? { failure: verdict.failure } : {}),
  };
  if (verdict.phase === 'failed') {
    p.failedAttempts++;
    summary.attemptsLeft = attemptsLeft(p, maxFaceAttempts);
    summary.next = summary.attemptsLeft > 0 ? 'retry' : 'decline';
    if (summary.next === 'decline') p.handoff = 'attempts';
  }
  return summary;
}

/** Runs one step at a time for the patient; a call for an older patient finds the session ended. */
export function serial<T>(p: Patient, step: () => Promise<T>): Promise<T> {
  const run = p.busy.then(step, step);
  p.busy = run.catch(() => undefined);
  return run;
}
