import { z } from 'zod';
import { method } from '../../../shared/api/define.js';
import { MAX_TRANSPORT_TEXT } from './limits.js';
import { rejectionReasons } from './payload.js';

/**
 * The decline path (DESIGN.md, "Decline path"): a patient who does not want the photo gives the
 * eGov six-digit code (keypad or keyboard) or the eGov QR code (camera or USB scanner), or says they
 * have none and is sent to reception. Open to the patient screen; the session is the check-in's.
 *
 * The code or token goes in, is form-checked and sealed; it never comes back out in an answer.
 */
const session = z.uuid();

export const declineResultSchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('ticket'), ticket: z.string(), maskedIin: z.string() }),
  z.object({
    outcome: z.literal('rejected'),
    reason: z.enum(rejectionReasons),
    attemptsLeft: z.number().int().nonnegative(),
    /** The same QR payload failed before in this check-in and was not counted again. */
    repeated: z.boolean(),
  }),
  z.object({
    outcome: z.literal('reception'),
    why: z.enum(['no-code', 'too-many-attempts']),
    maskedIin: z.string(),
    /** Short reference the patient can show at reception (from the hand-off entry). */
    reference: z.string(),
  }),
]);
export type DeclineResult = z.infer<typeof declineResultSchema>;

export const declineContract = {
  'decline.submitCode': method({
    summary: 'Form-check an eGov six-digit code typed by the patient; seal and queue the visit (method egov-code)',
    input: z.object({ session, code: z.string().max(MAX_TRANSPORT_TEXT) }).strict(),
    output: declineResultSchema,
  }),
  'decline.submitQr': method({
    summary:
      'Form-check the text of an eGov QR code (camera or USB scanner); seal and queue the visit (method egov-qr)',
    input: z
      .object({ session, payload: z.string().max(MAX_TRANSPORT_TEXT), source: z.enum(['camera', 'scanner']) })
      .strict(),
    output: declineResultSchema,
  }),
  'decline.verdicts': method({
    summary: 'Staff: eGov-code visits of the last hours with the upstream verdict sync recorded (no codes)',
    roles: ['reception', 'admin'],
    input: z.object({ sinceHours: z.number().int().min(1).max(168).default(24) }).strict(),
    output: z.object({
      items: z.array(
        z.object({
          ticket: z.string(),
          maskedIin: z.string(),
          method: z.enum(['egov-code', 'egov-qr']),
          createdAt: z.string(),
          status: z.enum(['pending', 'synced', 'dead']),
          /** `egov-valid`, `egov-invalid`, `rejected: <reason>`, or null before sync. */
          verdict: z.string().max(300).nullable(),
        }),
      ),
    }),
  }),
  'decline.noCode': method({
    summary: 'The patient has no eGov code: add a reception hand-off entry and tell them where to go',
    input: z.object({ session }).strict(),
    output: declineResultSchema,
  }),
};
