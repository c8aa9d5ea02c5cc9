import { z } from 'zod';
import { method, type Handlers } from '../../shared/api/define.js';
import { patientScreens, type HandoffReason, type PatientScreen } from '../../shared/vocabulary/reasons.js';

/**
 * "I need help" on every patient screen: the patient goes on reception's hand-off list (reason
 * `asked-for-help`, the screen they were on, the masked IIN when one was entered). Open to the
 * patient screen (no roles); the IIN comes from core's check-in session, never from the page.
 */
export const helpContract = {
  'handoffs.askForHelp': method({
    summary: 'The patient pressed “I need help”: add them to reception’s hand-off list with the screen they were on',
    input: z.object({ session: z.uuid().optional(), screen: z.enum(patientScreens) }).strict(),
    output: z.object({ id: z.uuid(), reference: z.string().regex(/^[0-9A-F]{6}$/), maskedIin: z.string().nullable() }),
  }),
  'handoffs.helpStatus': method({
    summary: 'Whether reception has resolved this patient’s help request yet (no patient data in the answer)',
    input: z.object({ id: z.uuid() }).strict(),
    output: z.object({ status: z.enum(['waiting', 'checked-in', 'left', 'unknown']) }),
  }),
};

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

/** The short reference the patient can read out: the first 6 characters of the entry id, upper case. */
export const referenceOf = (handoffId: string) => handoffId.replace(/-/g, '').slice(0, 6).toUpperCase();

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
