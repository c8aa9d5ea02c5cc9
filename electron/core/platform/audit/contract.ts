import { z } from 'zod';
import { method } from '../../../shared/api/define.js';

export const auditVerdictSchema = z.object({
  ok: z.boolean(),
  rows: z.number().int(),
  head: z.string().optional(),
  firstBadSeq: z.number().int().optional(),
  problem: z
    .enum([
      'hash-mismatch',
      'broken-link',
      'missing-row',
      'anchor-mismatch',
      'bad-signature',
      'unsigned-row',
      'unknown-key',
      'tamper-alarm',
      'mark-mismatch',
    ])
    .optional(),
  note: z.string().optional(),
  /** The newest row with a valid device signature, and how many rows come after it. */
  signedThrough: z.number().int().optional(),
  unsignedTail: z.number().int().optional(),
  /** Unsigned runs the kiosk marked as written while its key was unavailable (kept, not vouched for). */
  unverified: z.array(z.object({ from: z.number().int(), to: z.number().int() })).optional(),
  keys: z.array(z.string()).optional(),
});

export const auditContract = {
  'audit.verify': method({
    summary: 'Checks the audit hash chain and the device signatures, and names the first bad row',
    roles: ['admin'],
    input: z.object({}).strict(),
    output: auditVerdictSchema,
  }),
  'audit.recent': method({
    summary: 'The newest audit rows',
    roles: ['admin'],
    input: z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict(),
    output: z.object({
      rows: z.array(
        z.object({ seq: z.number().int(), at: z.string(), actor: z.string(), action: z.string(), detail: z.string() }),
      ),
    }),
  }),
};
