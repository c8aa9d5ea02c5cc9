import type { Handlers } from '../../../shared/api/define.js';
import type { declineContract, DeclineResult } from './contract.js';
import type { EgovVerdict } from './verdicts.js';

/** The decline rules the handlers are made of (service.ts: one step at a time per session). */
export interface DeclineLogic {
  /** A typed eGov code: a visit, a wrong attempt, or reception after too many. */
  submitCode(session: string, code: string): Promise<DeclineResult>;
  /** A scanned eGov QR (a code or a share token), like a typed code. */
  submitQr(session: string, payload: string): Promise<DeclineResult>;
  /** eGov-code visits of the last hours, with their verdicts. */
  verdicts(sinceHours: number): EgovVerdict[];
  /** The patient has no code: the reception hand-off list. */
  noCode(session: string): Promise<DeclineResult>;
}

export function declineHandlers(decline: DeclineLogic): Handlers<typeof declineContract> {
  return {
    'decline.submitCode': ({ session, code }) => decline.submitCode(session, code),
    'decline.submitQr': ({ session, payload }) => decline.submitQr(session, payload),
    'decline.verdicts': ({ sinceHours }) => ({ items: decline.verdicts(sinceHours) }),
    'decline.noCode': ({ session }) => decline.noCode(session),
  };
}
