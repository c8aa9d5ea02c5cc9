import type { Handlers } from '../../../shared/api/define.js';
import type { StaffService } from '../accounts/service.js';
import type { reportsContract } from './contract.js';
import type { ReportsService } from './service.js';

export function reportHandlers(reports: ReportsService, staff: StaffService): Handlers<typeof reportsContract> {
  const nameOf = (id: string) => staff.accounts.byId(id)?.displayName;
  return {
    'reports.today': () => ({ checkins: reports.today() }),
    'reports.daily': ({ from, to }) => {
      const { days, flags } = reports.daily(from, to);
      return {
        days,
        flags: flags.map((f) => ({
          ...f,
          ...(f.kind === 'override-share' ? { staffName: nameOf(f.staffId) } : {}),
          description: reports.describe(f),
        })),
      };
    },
    'reports.exportCsv': ({ from, to }) => ({
      filename: `kelu-checkins-${from}-to-${to}.csv`,
      csv: reports.csv(from, to),
    }),
  };
}
