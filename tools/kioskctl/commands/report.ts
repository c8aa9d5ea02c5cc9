import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { createReportsService } from '../../../electron/core/staff/reports/service.js';
import { visitMethods } from '../../../electron/shared/protocol/envelope.js';
import { dataDirSchema, parseCommandArgs } from '../args.js';
import type { Command } from '../command.js';
import { openLocalStaff } from './staff-cli-support.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day is YYYY-MM-DD');
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** `kioskctl report`: check-ins per day by method and the fraud flags; `--csv FILE` exports. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'Check-ins per day by method with fraud flags [--from D --to D] [--csv FILE] [--json]',
  async run(argv) {
    const args = parseCommandArgs(
      argv,
      z.object({
        'data-dir': dataDirSchema,
        from: day.default(isoDay(new Date(Date.now() - 13 * 86_400_000))),
        to: day.default(isoDay(new Date())),
        csv: z.string().optional(),
        json: z.boolean().default(false),
        'time-zone': z.string().optional(),
      }),
    );
    if (args.from > args.to) throw new Error('--from must not be after --to');
    const local = openLocalStaff(args['data-dir']);
    try {
      const reports = createReportsService(local.db, { timeZone: args['time-zone'] });
      const { days, flags } = reports.daily(args.from, args.to);
      if (args.csv) {
        writeFileSync(args.csv, reports.csv(args.from, args.to), { mode: 0o600 });
        local.audit.append({ actor: 'cli', action: 'reports.exportCsv', detail: { from: args.from, to: args.to } });
        console.error(`Wrote ${days.length} days to ${args.csv}`);
      } else {
        local.audit.append({ actor: 'cli', action: 'reports.daily', detail: { from: args.from, to: args.to } });
      }
      if (args.json) {
        console.log(JSON.stringify({ days, flags }));
      } else if (!args.csv) {
        console.log(
          [
            'day       ',
            ...visitMethods.map((m) => m.padStart(15)),
            'total'.padStart(7),
            'asked-for-help'.padStart(16),
          ].join(''),
        );
        for (const d of days)
          console.log(
            [
              d.day,
              ...visitMethods.map((m) => String(d[m]).padStart(15)),
              String(d.total).padStart(7),
              String(d.askedForHelp).padStart(16),
            ].join(''),
          );
        console.log(
          flags.length
            ? `\nFlags:\n${flags.map((f) => `  ${f.day} ${reports.describe(f)}`).join('\n')}`
            : '\nNo flags.',
        );
      }
      return 0;
    } finally {
      local.close();
    }
  },
};
