// checkin.finish: the passed attempt's descriptor sealed into the visit and queued; the ticket back.
import { UserFacingError } from '../../../shared/api/define.js';
import { sessionEnded } from '../session-ended.js';
import type { Patient } from './patient.js';
import type { CheckinPorts } from './ports.js';

export async function queueVisit(
  p: Patient,
  deps: { ports: CheckinPorts; isCurrent: () => boolean; drop: () => void },
): Promise<{ ticket: string; maskedIin: string }> {
  if (!deps.isCurrent()) throw sessionEnded();
  if (p.last?.phase !== 'passed' || !p.attempt) throw new UserFacingError('The face check has not passed yet.');
  const descriptor = p.attempt.descriptor();
  if (!descriptor) throw new UserFacingError('The face check has not passed yet.');
  // From here a failure is the kiosk's, not the patient's: the decline path learns why.
  p.handoff = 'engine';
  const status = await deps.ports.engine.status();
  if (!deps.isCurrent()) throw sessionEnded();
  const sealed = descriptor.slice();
  try {
    const queued = await deps.ports.queueVisit({
      v: 1,
      method: 'face',
      iin: p.iin,
      face: { descriptor: sealed, modelId: status.modelId, presence: p.attempt.evidence() },
    });
    deps.drop();
    return { ticket: queued.ticket, maskedIin: queued.maskedIin };
  } finally {
    sealed.fill(0);
    p.attempt.discard();
  }
}
