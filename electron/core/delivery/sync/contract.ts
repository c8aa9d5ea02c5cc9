import { z } from 'zod';
import { event, method } from '../../../shared/api/define.js';
import { enrolRequestSchema } from '../../../shared/protocol/enrolment.js';
import { checkUpstreamUrl } from '../keys/index.js';

/** What clinic IT sees about the queue (kioskctl status, the IT screen). No patient data. */
export const syncStatusSchema = z.object({
  development: z.boolean(),
  deviceId: z.string(),
  devicePublicKey: z.string(),
  clinicId: z.string(),
  upstreamUrl: z.string(),
  upstreamKeyId: z.string(),
  keyProtection: z.enum(['safe-storage', 'plain-file']),
  queueDepth: z.number().int(),
  oldestPendingAt: z.string().nullable(),
  oldestPendingAgeS: z.number().nullable(),
  /** Sealed to an upstream key this kiosk no longer pins: not sent; move them with export. */
  pendingUnderOldKeys: z.number().int(),
  deadLetters: z.number().int(),
  lastSuccessAt: z.string().nullable(),
  lastError: z.object({ at: z.string(), message: z.string() }).nullable(),
  circuit: z.object({
    state: z.enum(['closed', 'open', 'half-open']),
    failures: z.number().int(),
    nextAttemptAt: z.string().nullable(),
  }),
  syncing: z.boolean(),
  faceBackend: z.string(),
  /** The last time a visit could not be stored (disk full, read-only…), since the kiosk started. */
  storageError: z.object({ at: z.string(), kind: z.string(), message: z.string() }).nullable(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

export const syncProgressSchema = z.object({
  running: z.boolean(),
  total: z.number().int(),
  sent: z.number().int(),
  accepted: z.number().int(),
  duplicate: z.number().int(),
  rejected: z.number().int(),
  failures: z.number().int(),
  remaining: z.number().int(),
  lastError: z.string().nullable(),
  outcome: z.enum(['running', 'empty', 'failed', 'deadline', 'stopped', 'no-upstream']),
});
export const syncEvents = {
  'sync.progress': event({ summary: 'Progress of a delivery run, as it goes', data: syncProgressSchema }),
};

export type SyncProgressDto = z.infer<typeof syncProgressSchema>;

export const historyPointSchema = z.object({
  at: z.string(),
  queueDepth: z.number(),
  delivered: z.number(),
  rejected: z.number(),
  failures: z.number(),
});

export const deadLetterSchema = z.object({
  visitId: z.string(),
  createdAt: z.string(),
  failedAt: z.string(),
  reason: z.string(),
  ticket: z.string().nullable(),
  maskedIin: z.string().nullable(),
});

const it = ['it', 'admin'] as const;

export const syncContract = {
  'sync.status': method({
    summary: 'Queue depth, last success and error, dead letters, circuit state',
    input: z.object({}).strict(),
    output: syncStatusSchema,
    roles: it,
  }),
  'sync.now': method({
    summary: 'Start delivering the queue now (progress on the sync.progress event and method)',
    input: z.object({ untilEmpty: z.boolean().default(true) }).strict(),
    output: z.object({ started: z.boolean(), progress: syncProgressSchema.nullable() }),
    roles: it,
  }),
  'sync.progress': method({
    summary: 'Progress of the current or last delivery run',
    input: z.object({}).strict(),
    output: syncProgressSchema.nullable(),
    roles: it,
  }),
  'sync.history': method({
    summary: 'Queue depth and throughput per minute, for the IT chart',
    input: z.object({ hours: z.number().int().min(1).max(168).default(24) }).strict(),
    output: z.array(historyPointSchema),
    roles: it,
  }),
  'sync.deadLetters': method({
    summary: 'Visits the upstream rejected, with the reason',
    input: z.object({}).strict(),
    output: z.array(deadLetterSchema),
    roles: it,
  }),
  'sync.export': method({
    summary: 'Write the still-sealed visits to a signed bundle (e.g. on a USB stick) for the upstream to import',
    input: z
      .object({
        path: z
          .string()
          .min(2)
          .max(1000)
          .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'an absolute path'),
      })
      .strict(),
    output: z.object({ file: z.string(), items: z.number().int(), pending: z.number().int(), dead: z.number().int() }),
    roles: it,
    // The same detail as kioskctl export's row: which file, how many visits.
    auditDetail: (out) => ({ bundle: out.file, items: out.items }),
  }),
  'sync.requeueDead': method({
    summary: 'Send rejected visits again (an explicit IT decision)',
    input: z.object({ visitIds: z.array(z.uuid()).min(1).max(1000) }).strict(),
    output: z.object({ requeued: z.number().int() }),
    roles: it,
  }),
};

/** Why the IT screen's enrolment did not happen: enrolWithHub's failures, and this kiosk's own checks. */
export const enrolRefusals = [
  'invalid-request',
  'no-answer',
  'redirect',
  'no-endpoint',
  'refused',
  'malformed',
  /** The hub enrolled the device for another clinic than the one this kiosk is provisioned for. */
  'wrong-clinic',
  /** The kiosk has no device key or upstream yet: provision it first. */
  'not-provisioned',
  /** The URL typed is not the upstream this kiosk delivers to. */
  'other-upstream',
] as const;

/** The hub's URL as IT types it: HTTPS, plain HTTP only to loopback (the one check, checkUpstreamUrl). */
const hubUrlSchema = z
  .string()
  .trim()
  .min(1, 'the hub URL')
  .max(2000)
  .superRefine((url, ctx) => {
    try {
      checkUpstreamUrl(url);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : 'not a URL' });
    }
  });

/**
 * The IT screen's enrolment at the hub: the same `enrolWithHub` as `kioskctl provision
 * --enrolment-token`, audited as `sync.enrol` (never the token). A refusal is an answer, not an
 * error: the screen says it in its own words, with the hub's reason.
 */
export const enrolContract = {
  'sync.enrolAtHub': method({
    summary: 'Enrol this kiosk at its hub with IT’s one-time enrolment token (POST /v1/devices:enrol)',
    input: z
      .object({
        hubUrl: hubUrlSchema,
        /** As the protocol's schema says; never echoed, logged or audited. */
        token: z.string().trim().pipe(enrolRequestSchema.shape.token),
      })
      .strict(),
    output: z.discriminatedUnion('enrolled', [
      z.object({ enrolled: z.literal(true), deviceId: z.string(), clinicId: z.string(), keys: z.number().int() }),
      z.object({
        enrolled: z.literal(false),
        refusal: z.enum(enrolRefusals),
        /** The hub's own words when it refused; otherwise what went wrong, in English, for IT. */
        reason: z.string(),
      }),
    ]),
    roles: it,
  }),
};
