import { z } from 'zod';
import { method } from '../../../shared/api/define.js';
import { visitMethods } from '../../../shared/protocol/envelope.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'A day is YYYY-MM-DD');
const range = z
  .object({ from: day, to: day })
  .strict()
  .refine((r) => r.from <= r.to, 'from must not be after to')
  .refine((r) => (Date.parse(r.to) - Date.parse(r.from)) / 86_400_000 <= 366, 'At most one year at a time');

export const dayFiguresSchema = z.object({
  day: z.string(),
  face: z.number().int(),
  'egov-code': z.number().int(),
  'egov-qr': z.number().int(),
  'staff-verified': z.number().int(),
  total: z.number().int(),
  /** "I need help" presses that day. */
  askedForHelp: z.number().int(),
});

export const flagSchema = z.object({
  kind: z.enum(['override-share', 'hourly-volume']),
  day: z.string(),
  staffId: z.string().optional(),
  staffName: z.string().optional(),
  hour: z.number().int().optional(),
  scope: z.enum(['all', 'staff-verified']).optional(),
  count: z.number().int(),
  expected: z.number(),
  pValue: z.number(),
  description: z.string(),
});

export const reportsContract = {
  'reports.today': method({
    summary: 'Today’s check-ins at this kiosk: time, ticket, IIN masked, method',
    roles: ['reception'],
    input: z.object({}).strict(),
    output: z.object({
      checkins: z.array(
        z.object({
          at: z.string(),
          ticket: z.string(),
          maskedIin: z.string().regex(/^•*\d{4}$/),
          method: z.enum(visitMethods),
          status: z.string(),
          verdict: z.string().nullable(),
        }),
      ),
    }),
  }),
  'reports.daily': method({
    summary: 'Check-ins per day by method, with fraud flags',
    roles: ['admin'],
    input: range,
    output: z.object({ days: z.array(dayFiguresSchema), flags: z.array(flagSchema) }),
  }),
  'reports.exportCsv': method({
    summary: 'The daily report as CSV',
    roles: ['admin'],
    input: range,
    output: z.object({ filename: z.string(), csv: z.string() }),
  }),
};
