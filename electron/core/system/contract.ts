import { z } from 'zod';
import { event, method } from '../../shared/api/define.js';
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
    retryAfterMs: z.number(),
    ticketMs: z.number(),
    voice: z.enum(['on', 'off']),
    voiceVolume: z.number(),
    ticketMessage: z.object({ kk: z.string().optional(), ru: z.string().optional(), en: z.string().optional() }),
  }),
  presence: z.object({ challenge: z.enum(['head-turn', 'off']) }),
  decline: z.object({ maxCodeAttempts: z.number() }),
});
export type KioskInfo = z.infer<typeof kioskInfoSchema>;

/** Events of the kiosk itself (its shell): a file the kiosk saved for IT (an export, a report). */
export const systemEvents = {
  'download.saved': event({ summary: 'A file was saved in the data folder', data: z.object({ file: z.string() }) }),
  'keys.changed': event({
    summary: 'Provisioning changed: the screens read system.info again',
    data: z.object({ ready: z.boolean() }),
  }),
};

export const systemContract = {
  'system.info': method({
    summary: 'Kiosk settings the screens need',
    input: z.object({}).strict(),
    output: kioskInfoSchema,
  }),
};
