import type { MethodOutput } from '../../../../electron/shared/api/define';
import type { KioskContract } from '../../../../electron/core/contract';

export type SessionInfo = MethodOutput<KioskContract, 'staff.session'>;
export type HandoffEntry = MethodOutput<KioskContract, 'handoffs.list'>['entries'][number];
export type TodayCheckin = MethodOutput<KioskContract, 'reports.today'>['checkins'][number];
export type Account = MethodOutput<KioskContract, 'staff.list'>['accounts'][number];
export type Enrolment = MethodOutput<KioskContract, 'staff.add'>;
export type DailyReport = MethodOutput<KioskContract, 'reports.daily'>;
export type AuditVerdict = MethodOutput<KioskContract, 'audit.verify'>;
export type StaffRole = NonNullable<SessionInfo['role']>;

declare module '../../navigation' {
  interface ScreenParams {
    /** Staff mode: login, then the console for the person's role. */
    staff: Record<never, never>;
  }
}
