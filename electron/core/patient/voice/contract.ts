import { z } from 'zod';
import { method } from '../../../shared/api/define.js';
import { voiceKeyPattern, voiceLanguages } from './library.js';

/**
 * Spoken guidance for the patient screen. The page names a language and a message key (checked
 * against a pattern and the shipped clips), never a path, so it cannot read any other file.
 */
export const voiceContract = {
  'voice.clip': method({
    summary: 'The spoken clip for a message key in a language (the clinic’s recording if valid, else the shipped one)',
    input: z.object({ lang: z.enum(voiceLanguages), key: z.string().regex(voiceKeyPattern) }).strict(),
    output: z.discriminatedUnion('found', [
      z.object({
        found: z.literal(true),
        source: z.enum(['clinic', 'bundled']),
        mime: z.literal('audio/ogg'),
        data: z.instanceof(Uint8Array),
      }),
      z.object({ found: z.literal(false) }),
    ]),
  }),
  'voice.overrides': method({
    summary: 'The clinic’s recordings in <data>/voice: which are used, and why the others are refused',
    roles: ['it'],
    input: z.object({}).strict(),
    output: z.object({
      files: z.array(
        z.object({
          file: z.string(),
          lang: z.string(),
          key: z.string(),
          used: z.boolean(),
          problem: z.string().optional(),
          durationSec: z.number().optional(),
        }),
      ),
    }),
  }),
};
