import { z } from 'zod';
import { presencePhases } from '../../presence/policy.js';
import { method } from '../../../shared/api/define.js';
import { presenceFailures } from '../../presence/policy.js';

/**
 * The patient's photo check-in (DESIGN.md, "Photo path"). The renderer holds only an opaque
 * session id and the masked IIN; the full IIN, frames, presence decisions and the descriptor stay
 * in core. Every method is open to the patient screen (no roles).
 */

const session = z.uuid();
const sessionInput = z.object({ session }).strict();

export const iinProblems = ['length', 'date', 'century', 'checksum'] as const;

/** Largest frame accepted: 640×480 RGBA is plenty for the detector and keeps IPC cheap. */
export const maxFrame = { width: 640, height: 480 } as const;

const frameBytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array || v instanceof Uint8ClampedArray, {
  message: 'expected RGBA bytes (Uint8Array)',
});

/** A face box as fractions of the frame (0–1), so the screen can draw it over any preview size. */
const relBox = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

export const frameSummarySchema = z.object({
  phase: z.enum(presencePhases),
  /** One instruction at a time: a presence message key (`presence.moveCloser`), translated by the screen. */
  instruction: z.string().max(80),
  /** 0–1, for the progress ring. */
  progress: z.number().min(0).max(1),
  faces: z.array(relBox).max(10),
  /** Side asked for during the challenge, so the screen can draw the arrow the right way. */
  challengeSide: z.enum(['left', 'right']).optional(),
  attemptsLeft: z.number().int().nonnegative(),
  /** Set when this attempt is over: retry the camera, or go to the decline path. */
  next: z.enum(['retry', 'decline']).optional(),
  /** Why the attempt failed (presence/policy.ts `PresenceFailure`), for the screen's logs and IT. */
  failure: z.enum(presenceFailures).optional(),
});
export type FrameSummary = z.infer<typeof frameSummarySchema>;

export const checkinContract = {
  'checkin.identify': method({
    summary: 'Validate an IIN and start a check-in (drops any previous one)',
    input: z.object({ iin: z.string().max(32) }).strict(),
    output: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), session, maskedIin: z.string() }),
      z.object({ ok: z.literal(false), problem: z.enum(iinProblems) }),
    ]),
  }),
  'checkin.consent': method({
    summary: 'Record the patient’s choice: the camera, or a check-in without a photo',
    input: z.object({ session, choice: z.enum(['camera', 'decline']) }).strict(),
    output: z.object({
      next: z.enum(['camera', 'decline']),
      attemptsLeft: z.number().int().nonnegative(),
      challenge: z.enum(['head-turn', 'off']),
    }),
  }),
  'checkin.frame': method({
    summary: 'Judge one downscaled RGBA camera frame; answers boxes, one instruction, progress, phase',
    input: z
      .object({
        session,
        width: z.number().int().min(32).max(maxFrame.width),
        height: z.number().int().min(32).max(maxFrame.height),
        data: frameBytes,
      })
      .strict()
      .refine((f) => f.data.byteLength === f.width * f.height * 4, {
        message: 'data must be width × height × 4 RGBA bytes',
        path: ['data'],
      }),
    output: frameSummarySchema,
  }),
  'checkin.retry': method({
    summary: 'Start another camera attempt after a failed one',
    input: sessionInput,
    output: z.object({ attemptsLeft: z.number().int().nonnegative(), next: z.enum(['camera', 'decline']) }),
  }),
  'checkin.finish': method({
    summary: 'After a passed presence check: describe the best frame, seal and queue the visit, answer the ticket',
    input: sessionInput,
    output: z.object({ ticket: z.string(), maskedIin: z.string() }),
  }),
  'checkin.cameraProblem': method({
    summary: 'The camera is missing, denied or unplugged: end the photo path and offer the decline path',
    // 'camera-refused': core's camera pinning refused the camera (electron/core/patient/camera).
    input: z
      .object({
        session,
        reason: z.enum(['camera-missing', 'camera-denied', 'camera-unplugged', 'camera-failed', 'camera-refused']),
      })
      .strict(),
    output: z.object({ next: z.literal('decline') }),
  }),
  'checkin.cancel': method({
    summary: 'Forget the current patient entirely (reset, timeout, “start over”)',
    input: z.object({ session: session.optional() }).strict(),
    output: z.object({}),
  }),
};
