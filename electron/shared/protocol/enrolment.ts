import { z } from 'zod';

/**
 * Upstream protocol v1: `POST /v1/devices:enrol`. A kiosk presents the one-time enrolment token IT
 * issued for it (`npm run hub -- token`) with its device id and Ed25519 public key; the hub registers
 * the key for the token's clinic and device, once. No device is trusted on first use. Shared by the
 * kiosk's client (`kioskctl provision --enrolment-token`) and the hub, so both validate one shape.
 */
export const enrolPath = '/v1/devices:enrol';

export const enrolRequestSchema = z
  .object({
    token: z.string().min(8).max(200),
    deviceId: z.string().min(1).max(128),
    publicKey: z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'a base64 Ed25519 public key'),
  })
  .strict();
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

/** 200: the device is enrolled for `clinicId`; `keys` counts the keys it now holds (rotation keeps several). */
export const enrolResponseSchema = z.object({ enrolled: z.string(), clinicId: z.string(), keys: z.number().int() });
export const enrolErrorSchema = z.object({ error: z.string() });
