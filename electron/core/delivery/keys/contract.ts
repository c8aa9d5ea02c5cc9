import { z } from 'zod';
import { method } from '../../../shared/api/define.js';

export const keyProblems = [
  'not-provisioned',
  'device-key-missing',
  'device-key-mismatch',
  'keyring-unavailable',
  'keyring-cannot-unwrap',
  'key-file-damaged',
] as const;

/** Whether this kiosk can seal visits, and if not why (for the staff and IT screens). No secret. */
export const keyStatusSchema = z.object({
  ready: z.boolean(),
  development: z.boolean(),
  problem: z.enum(keyProblems).nullable(),
  /** For IT, in English: what is wrong and what to do. */
  message: z.string().nullable(),
  deviceId: z.string().nullable(),
  deviceKeyId: z.string().nullable(),
  devicePublicKey: z.string().nullable(),
  provisionedDeviceKeyId: z.string().nullable(),
  clinicId: z.string().nullable(),
  upstreamUrl: z.string().nullable(),
  upstreamKeyId: z.string().nullable(),
  keyProtection: z.enum(['safe-storage', 'plain-file']),
  /** Why safeStorage is not used in this process, when it is not. */
  keyringNote: z.string().nullable(),
});
export type KeyStatus = z.infer<typeof keyStatusSchema>;

const absolutePath = z
  .string()
  .min(2)
  .max(1000)
  .refine((p) => !p.includes('\0'), 'no NUL characters')
  .refine(
    (p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p),
    'an absolute path, e.g. /media/usb/upstream-public.json',
  );

export const keysContract = {
  'keys.status': method({
    summary: 'Is the kiosk provisioned and its device key usable; if not, why',
    input: z.object({}).strict(),
    output: keyStatusSchema,
    roles: ['reception', 'it', 'admin'],
  }),
  'keys.findKeyFiles': method({
    summary: 'Upstream public key files on mounted USB sticks, for IT to pick one',
    input: z.object({}).strict(),
    output: z.object({
      files: z.array(z.object({ path: z.string(), keyId: z.string(), fingerprint: z.string() })),
      /** Different keys among the files: more than one means IT must be sure which is the clinic's. */
      distinctKeys: z.number().int(),
    }),
    roles: ['it', 'admin'],
  }),
  'keys.provision': method({
    summary:
      'Provision the kiosk: pin the upstream key (file on a USB stick) and URL, set the clinic, create the device key wrapped by safeStorage',
    input: z
      .object({
        upstreamKeyFile: absolutePath,
        /** The fingerprint the upstream published, typed by IT to confirm the key file (spaces and case ignored). */
        upstreamKeyFingerprint: z
          .string()
          .transform((s) => s.replace(/[\s:-]/g, '').toLowerCase())
          .pipe(
            z
              .string()
              .regex(/^[0-9a-f]{32}$/, 'the upstream key fingerprint: 32 hex digits, as the upstream published it'),
          ),
        upstreamUrl: z.string().min(1, 'the upstream URL').max(2000),
        clinicId: z
          .string()
          .regex(/^[A-Za-z0-9._-]{1,64}$/, 'the clinic id: letters, digits, dot, dash, underscore (at most 64)'),
        newDeviceKey: z.boolean().default(false),
        keepOldVisits: z.boolean().default(false),
      })
      .strict(),
    output: z.object({
      deviceId: z.string(),
      devicePublicKey: z.string(),
      deviceKeyId: z.string(),
      upstreamKeyId: z.string(),
      upstreamUrl: z.string(),
      clinicId: z.string(),
      createdDeviceKey: z.boolean(),
      strandedVisits: z.number().int(),
    }),
    roles: ['it', 'admin'],
  }),
};
