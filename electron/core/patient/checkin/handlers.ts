import type { Handlers } from '../../../shared/api/define.js';
import type { checkinContract } from './contract.js';

type CheckinHandlers = Handlers<typeof checkinContract>;

/** The steps of the one patient's check-in (session.ts holds the patient and the rules). */
export interface CheckinLogic {
  identify: CheckinHandlers['checkin.identify'];
  consent: CheckinHandlers['checkin.consent'];
  frame: CheckinHandlers['checkin.frame'];
  retry: CheckinHandlers['checkin.retry'];
  finish: CheckinHandlers['checkin.finish'];
  cameraProblem: CheckinHandlers['checkin.cameraProblem'];
  cancel: CheckinHandlers['checkin.cancel'];
}

export function checkinHandlers(session: CheckinLogic): CheckinHandlers {
  return {
    'checkin.identify': session.identify,
    'checkin.consent': session.consent,
    'checkin.frame': session.frame,
    'checkin.retry': session.retry,
    'checkin.finish': session.finish,
    'checkin.cameraProblem': session.cameraProblem,
    'checkin.cancel': session.cancel,
  };
}
