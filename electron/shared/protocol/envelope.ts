import { z } from 'zod';

/**
 * Visit envelope v1 (DESIGN.md, "Photo path"): the plaintext that is sealed with crypto_box_seal to
 * the upstream's key and signed by the device. It exists in clear only in memory, for the moment
 * of sealing; the kiosk cannot read it back.
 */
export const visitMethods = ['face', 'egov-code', 'egov-qr', 'staff-verified'] as const;
export type VisitMethod = (typeof visitMethods)[number];

export const presenceEvidenceSchema = z.object({
  challenge: z.enum(['head-turn', 'off']),
  /** Side the patient was asked to turn to, when the challenge ran. */
  side: z.enum(['left', 'right']).optional(),
  /** Frames judged; the yaw range seen during the challenge. */
  frames: z.number().int().nonnegative(),
  yawMinDeg: z.number().optional(),
  yawMaxDeg: z.number().optional(),
  /** Pixel residual (1 − NCC) of the best homography alignment of the face patch; high for a real head. */
  planarResidual: z.number().optional(),
  /** Descriptor distance between the held frame and the frame back at frontal (the same person throughout). */
  sessionDistance: z.number().nonnegative().optional(),
  /** Texture model (screen and print detection): median real-face score of the session's frames, how many, and the model package. Never a frame. */
  texture: z
    .object({
      score: z.number().min(0).max(1),
      frames: z.number().int().nonnegative(),
      modelId: z.string().min(1).max(128),
    })
    .optional(),
  durationMs: z.number().nonnegative(),
});

export const envelopeSchema = z
  .object({
    v: z.literal(1),
    visitId: z.uuid(),
    clinicId: z.string().min(1).max(64),
    deviceId: z.string().min(1).max(128),
    createdAt: z.iso.datetime(),
    method: z.enum(visitMethods),
    iin: z.string().regex(/^\d{12}$/),
    face: z
      .object({
        /** The model's embedding; its length is the model manifest's embeddingSize (the upstream checks it against the model it has). */
        descriptor: z.array(z.number()).min(16).max(2048),
        /** `<model package id>@<manifest hash prefix>` (FaceEngine status().modelId). */
        modelId: z.string().min(1).max(128),
        presence: presenceEvidenceSchema,
      })
      .optional(),
    egov: z
      .object({
        /** The one-time six-digit code, or the share token from the QR; verified upstream only. */
        code: z
          .string()
          .regex(/^\d{6}$/)
          .optional(),
        token: z.string().max(512).optional(),
      })
      .optional(),
    staff: z
      .object({
        staffId: z.string().min(1).max(64),
        documentType: z.string().min(1).max(32),
        documentLast4: z.string().regex(/^[0-9A-Za-z]{4}$/),
        reason: z.string().max(200),
      })
      .optional(),
  })
  .strict();

export type VisitEnvelope = z.infer<typeof envelopeSchema>;
