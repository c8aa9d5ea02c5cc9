import type { Handlers } from '../../shared/api/define.js';
import type { AuditLog, AuditMarkStore, AuditTrust } from '../platform/audit/chain.js';
import { auditHandlers } from '../platform/audit/handlers.js';
import { staffHandlers } from './accounts/handlers.js';
import type { StaffService } from './accounts/service.js';
import type { staffPartContract } from './contract.js';
import { handoffHandlers } from './handoffs/handlers.js';
import type { HandoffService } from './handoffs/service.js';
import { reportHandlers } from './reports/handlers.js';
import type { ReportsService } from './reports/service.js';

/** What the staff part's handlers are made of (services.ts builds them over one database). */
export interface StaffPartLogic {
  staff: StaffService;
  idleLogoutMs: number;
  audit: AuditLog;
  /** The device key's trust and mark for audit.verify; absent: rows are checked as a bare chain. */
  auditKeys: { trust: () => AuditTrust; mark?: AuditMarkStore } | undefined;
  handoffs: HandoffService;
  /** Where today's resolved hand-offs begin (ISO), in the report's time zone. */
  startOfToday: () => string;
  reports: ReportsService;
}

/** Every handler of the staff part: accounts, audit, hand-offs and reports. */
export function staffPartHandlers(part: StaffPartLogic): Handlers<typeof staffPartContract> {
  return {
    ...staffHandlers(part.staff, part.idleLogoutMs),
    ...auditHandlers(part.audit, part.auditKeys),
    ...handoffHandlers(part.handoffs, part.staff, part.startOfToday),
    ...reportHandlers(part.reports, part.staff),
  };
}
