import type { Handlers } from '../../../shared/api/define.js';
import type { HandoffReason, PatientScreen } from '../../../shared/vocabulary/reasons.js';
import type { helpContract } from './contract.js';
import { referenceOf } from './reference.js';

export interface HelpPorts {
  /** The identified patient of this check-in session, if it is still current. */
  identified(session: string): { iin: string } | undefined;
  createHandoff(input: {
    iin?: string;
    reason: HandoffReason;
    screen: PatientScreen;
  }): Promise<{ id: string; maskedIin: string | null }>;
  /** Only `asked-for-help` entries answer; anything else is `unknown` to the patient screen. */
  get(id: string): { reason: HandoffReason; status: 'waiting' | 'checked-in' | 'left' } | undefined;
}

export function helpHandlers(ports: HelpPorts): Handlers<typeof helpContract> {
  return {
    'handoffs.askForHelp': async ({ session, screen }) => {
      const patient = session ? ports.identified(session) : undefined;
      const entry = await ports.createHandoff({
        ...(patient ? { iin: patient.iin } : {}),
        reason: 'asked-for-help',
        screen,
      });
      return { id: entry.id, reference: referenceOf(entry.id), maskedIin: entry.maskedIin };
    },
    'handoffs.helpStatus': ({ id }) => {
      const entry = ports.get(id);
      return { status: entry && entry.reason === 'asked-for-help' ? entry.status : 'unknown' };
    },
  };
}
