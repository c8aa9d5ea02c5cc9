import { z } from 'zod';
import { method, roles } from '../../../shared/api/define.js';

const empty = z.object({}).strict();
const staffIdSchema = z.string().regex(/^st_[0-9a-f]{12}$/, 'A staff id looks like st_ and 12 hex digits');
const roleSchema = z.enum(roles);

export const accountSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  locked: z.boolean(),
  lockedUntil: z.string().nullable(),
  failures: z.number().int(),
  createdAt: z.string(),
});

/** The enrolment shown once: the otpauth URI and its QR as a module matrix the screen draws. */
export const enrolmentSchema = z.object({
  staffId: z.string(),
  username: z.string(),
  otpauthUri: z.string(),
  qr: z.object({ size: z.number().int(), modules: z.string().regex(/^[01]+$/) }),
});

export const sessionInfoSchema = z.object({
  active: z.boolean(),
  staffId: z.string().optional(),
  username: z.string().optional(),
  displayName: z.string().optional(),
  role: roleSchema.optional(),
  idleLogoutMs: z.number().int(),
});

const passwordSchema = z.string().min(1).max(256);

export const staffContract = {
  'staff.login': method({
    summary: 'Staff login with username, password and the authenticator code; the transport keeps the session',
    input: z
      .object({
        username: z.string().trim().min(1).max(64),
        password: passwordSchema,
        code: z
          .string()
          .trim()
          .regex(/^\d{6}$/, 'The code has 6 digits'),
      })
      .strict(),
    output: sessionInfoSchema.extend({ session: z.string().optional() }),
  }),
  'staff.logout': method({
    summary: 'Ends the caller’s staff session',
    input: empty,
    output: z.object({ ok: z.literal(true) }),
  }),
  'staff.session': method({
    summary: 'The caller’s staff session, if any (counts as activity)',
    input: empty,
    output: sessionInfoSchema,
  }),
  'staff.patientTouch': method({
    summary: 'A patient touched the screen: every staff session ends',
    input: empty,
    output: z.object({ ended: z.number().int() }),
  }),
  'staff.list': method({
    summary:
      'Staff accounts (no secrets), and how many sign-ins failed with a username that is no account in the last 24 h',
    roles: ['admin'],
    input: empty,
    output: z.object({ accounts: z.array(accountSchema), unknownUsernameFailures24h: z.number().int() }),
  }),
  'staff.add': method({
    summary: 'Creates a personal staff account; answers with the one-time TOTP enrolment',
    roles: ['admin'],
    input: z
      .object({
        username: z.string().min(1).max(64),
        displayName: z.string().trim().min(1).max(80),
        role: roleSchema,
        password: passwordSchema,
      })
      .strict(),
    output: enrolmentSchema,
  }),
  'staff.setRole': method({
    summary: 'Changes a staff member’s role',
    roles: ['admin'],
    input: z.object({ staffId: staffIdSchema, role: roleSchema }).strict(),
    output: z.object({ ok: z.literal(true) }),
  }),
  'staff.unlock': method({
    summary: 'Unlocks a locked staff account',
    roles: ['admin'],
    input: z.object({ staffId: staffIdSchema }).strict(),
    output: z.object({ ok: z.literal(true) }),
  }),
  'staff.setDisabled': method({
    summary: 'Disables or re-enables a staff account',
    roles: ['admin'],
    input: z.object({ staffId: staffIdSchema, disabled: z.boolean() }).strict(),
    output: z.object({ ok: z.literal(true) }),
  }),
  'staff.reset': method({
    summary: 'Sets a new password and TOTP secret (lost phone); answers with the one-time enrolment',
    roles: ['admin'],
    input: z.object({ staffId: staffIdSchema, password: passwordSchema }).strict(),
    output: enrolmentSchema,
  }),
};
