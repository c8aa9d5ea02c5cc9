import { z } from 'zod';
import { method } from '../../../shared/api/define.js';
import { patientScreens } from '../../../shared/vocabulary/reasons.js';

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
