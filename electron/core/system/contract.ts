import { z } from 'zod';
import { method } from '../../shared/api/define.js';
import { languages } from '../../shared/vocabulary/languages.js';

/** What the patient screen needs to know about the kiosk; nothing secret. */
export const kioskInfoSchema = z.object({
  /** False until the kiosk is provisioned (or its device key usable): patients are sent to reception. */
  ready: z.boolean(),
  version: z.string(),
  clinicId: z.string(),
  languages: z.array(z.enum(languages)),
  ui: z.object({
    inactivityMs: z.number(),
    warningMs: z.number(),
    maxFaceAttempts: z.number(),
    ticketMs: z.number(),
    voice: z.enum(['on', 'off']),
    voiceVolume: z.number(),
    ticketMessage: z.object({ kk: z.string().optional(), ru: z.string().optional(), en: z.string().optional() }),
  }),
  presence: z.object({ challenge: z.enum(['head-turn', 'off']) }),
  decline: z.object({ maxCodeAttempts: z.number() }),
});
export type KioskInfo = z.infer<typeof kioskInfoSchema>;

export const systemContract = {
  'system.info': method({ summary: 'Kiosk settings the screens need', input: z.object({}).strict(), output: kioskInfoSchema }),
};
