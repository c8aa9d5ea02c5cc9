import type { Database } from 'better-sqlite3';
import type { Handlers } from '../../shared/api/define.js';
import type { SessionResolver } from '../../shared/api/router.js';
import { AuditLog, type AuditMarkStore, type AuditSigner, type AuditTrust } from '../platform/audit/chain.js';
import { auditConfiguration } from '../platform/audit/config-audit.js';
import type { KioskConfig } from '../platform/config/schema.js';
import { loadOrCreateTagKey } from './handoffs/iin-tag.js';
import { plainFileProtector, type SecretProtector } from '../platform/crypto/protector.js';
import { createHandoffService, type HandoffService, type QueueStaffVisit } from './handoffs/service.js';
import { localDayHour } from './reports/figures.js';
import { createReportsService, type ReportsService } from './reports/service.js';
import { AccountStore } from './accounts/accounts.js';
import type { staffPartContract } from './contract.js';
import { staffPartHandlers } from './handlers.js';
import { createStaffService, type StaffService } from './accounts/service.js';

export type StaffPartContract = typeof staffPartContract;

export interface StaffPart {
  staff: StaffService;
  audit: AuditLog;
  handoffs: HandoffService;
  reports: ReportsService;
  /** Give this to createRouter: it turns a session token into a role (and counts as activity). */
  sessions: SessionResolver;
  /** The staff id behind a call's session, for auditing other parts' privileged calls. */
  actorOf(session: string | undefined): string | undefined;
  handlers: Handlers<StaffPartContract>;
  /** Stops the idle sweep. */
  close(): void;
}

export interface StaffPartOptions {
  db: Database;
  /** The device key for the audit log: rows signed as written, signatures checked by audit.verify. */
  auditKey?: { signer: AuditSigner; trust: () => AuditTrust; mark?: AuditMarkStore };
  dataDir: string;
  config: KioskConfig;
  /** Seals a staff-verified visit (visits' queueVisit with method 'staff-verified'). */
  queueVisit: QueueStaffVisit;
  /** IANA zone for report days; the kiosk's own zone when absent. */
  timeZone?: string;
  now?: () => number;
  /** Wraps the hand-off tag key at rest, like the device key (Electron: safeStorage). */
  secretProtector?: SecretProtector;
  /** Called when the hand-off list changes (app.ts emits the `handoffs.changed` screen event). */
  onHandoffsChanged?: () => void;
}

/**
 * Staff accounts, audit, hand-offs and reports over one database. app.ts builds this once, passes
 * `sessions` to the router and spreads `handlers` into its handler table.
 */
export async function createStaffPart(options: StaffPartOptions): Promise<StaffPart> {
  const now = options.now ?? Date.now;
  const audit = new AuditLog(
    options.db,
    () => new Date(now()),
    options.auditKey?.signer,
    options.auditKey?.mark ? { mark: options.auditKey.mark } : {},
  );
  // kioskctl's waiting rows join the chain now, signed by the kiosk (and an unsigned tail is marked).
  audit.settle();
  auditConfiguration(options.db, audit, options.config);
  const staff = createStaffService(new AccountStore(options.db), audit, options.config.staff, now);
  const tagKey = await loadOrCreateTagKey(options.dataDir, options.secretProtector ?? plainFileProtector());
  if (tagKey.event && tagKey.event !== 'created')
    audit.append({ actor: 'kiosk', action: `handoffs.tag-key-${tagKey.event}` });
  if (tagKey.problem) audit.append({ actor: 'kiosk', action: 'handoffs.tag-key-unavailable' });
  const handoffs = createHandoffService(
    options.db,
    tagKey.key ?? { problem: tagKey.problem ?? 'the hand-off key is unavailable.' },
    audit,
    options.queueVisit,
    () => new Date(now()),
    () => options.onHandoffsChanged?.(),
  );
  const reports = createReportsService(options.db, { timeZone: options.timeZone }, () => new Date(now()));
  const startOfToday = () => {
    // Resolved entries since the local midnight; a 24 h look-back filtered to today's local day.
    const t = now();
    const today = localDayHour(new Date(t), options.timeZone).day;
    for (let h = 24; h >= 0; h--) {
      const at = new Date(t - h * 3_600_000);
      if (localDayHour(at, options.timeZone).day === today)
        return new Date(at.getTime() - (at.getTime() % 3_600_000)).toISOString();
    }
    return new Date(t).toISOString();
  };
  // Sweep so an idle session's logout is audited even when nobody calls again.
  const sweep = setInterval(() => staff.sessions.sweep(), Math.min(15_000, options.config.staff.idleLogoutMs));
  sweep.unref();
  return {
    staff,
    audit,
    handoffs,
    reports,
    sessions: staff.sessions,
    actorOf: (token) => staff.sessions.get(token, false)?.staffId,
    handlers: staffPartHandlers({
      staff,
      idleLogoutMs: options.config.staff.idleLogoutMs,
      audit,
      auditKeys: options.auditKey ? { trust: options.auditKey.trust, mark: options.auditKey.mark } : undefined,
      handoffs,
      startOfToday,
      reports,
    }),
    close: () => clearInterval(sweep),
  };
}
