import { z } from 'zod';

/**
 * Upstream protocol v1 (DESIGN.md): `POST /v1/visits:batch`. Shared by the kiosk's sync engine and
 * the reference upstream so both validate the same shapes. `id` is the idempotency key: sending an
 * item twice is safe, the upstream answers `duplicate` the second time.
 */
export const batchPath = '/v1/visits:batch';
export const maxBatchItems = 1000;

const b64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64')
  .max(64_000);

export const batchItemSchema = z
  .object({
    id: z.uuid(),
    createdAt: z.iso.datetime(),
    /** crypto_box_seal of the envelope JSON, base64. */
    sealed: b64,
    /** Ed25519 detached signature (visitSigningMessage), base64. */
    sig: b64,
  })
  .strict();
export type BatchItem = z.infer<typeof batchItemSchema>;

export const batchRequestSchema = z
  .object({ deviceId: z.string().min(1).max(128), items: z.array(batchItemSchema).min(1).max(maxBatchItems) })
  .strict();
export type BatchRequest = z.infer<typeof batchRequestSchema>;

/** What the upstream concluded about the visit itself (not about its delivery). */
export const verdicts = [
  'face-match',
  'face-match-unchallenged',
  'face-mismatch',
  'face-no-reference',
  'egov-valid',
  'egov-invalid',
  'staff-verified',
] as const;
export type Verdict = (typeof verdicts)[number];

export const itemResultSchema = z.discriminatedUnion('status', [
  z.object({
    id: z.string(),
    status: z.literal('accepted'),
    verdict: z.enum(verdicts),
    distance: z.number().optional(),
  }),
  z.object({
    id: z.string(),
    status: z.literal('duplicate'),
    verdict: z.enum(verdicts).optional(),
    distance: z.number().optional(),
  }),
  z.object({ id: z.string(), status: z.literal('rejected'), reason: z.string().max(500) }),
]);
export type ItemResult = z.infer<typeof itemResultSchema>;

export const batchResponseSchema = z.object({ results: z.array(itemResultSchema) });
export type BatchResponse = z.infer<typeof batchResponseSchema>;

/** A batch-level refusal (HTTP 4xx other than 429), e.g. an unregistered device. */
export const batchErrorSchema = z.object({ error: z.string().max(500) });
