import { z } from 'zod';
import { event, method } from '../../../shared/api/define.js';
import { handoffReasons, patientScreens } from '../../../shared/vocabulary/reasons.js';
import { resolutionSchema } from './service.js';

export const handoffSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  /** Null when the patient asked for help before entering an IIN. */
  maskedIin: z
    .string()
    .regex(/^•*\d{4}$/)
    .nullable(),
  reason: z.enum(handoffReasons),
  screen: z.enum(patientScreens).nullable(),
  status: z.enum(['waiting', 'checked-in', 'left']),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  documentType: z.string().nullable(),
  visitId: z.string().nullable(),
  ticket: z.string().nullable(),
});

export const handoffsEvents = {
  'handoffs.changed': event({
    summary: 'A patient was added to the hand-off list (no data: the screen offers a refresh)',
    data: z.object({}),
  }),
};

export const handoffsContract = {
  'handoffs.list': method({
    summary: 'Patients waiting at reception (IIN masked), then today’s resolved ones',
    roles: ['reception'],
    input: z.object({}).strict(),
    output: z.object({ entries: z.array(handoffSchema) }),
  }),
  'handoffs.resolve': method({
    summary: 'Resolves a hand-off: ID document checked (seals a staff-verified visit) or left without check-in',
    roles: ['reception'],
    input: z.object({ id: z.uuid(), resolution: resolutionSchema }).strict(),
    output: handoffSchema,
  }),
};
