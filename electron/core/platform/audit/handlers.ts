import type { Handlers } from '../../../shared/api/define.js';
import type { AuditLog, AuditMarkStore, AuditTrust } from './chain.js';
import type { auditContract } from './contract.js';

/** The IT screen's verify trusts the running kiosk's keys (a fresh trust per call: rotations are followed from the start). */
export function auditHandlers(
  audit: AuditLog,
  keys?: { trust: () => AuditTrust; mark?: AuditMarkStore },
): Handlers<typeof auditContract> {
  return {
    'audit.verify': () => audit.verify(undefined, keys?.trust(), keys?.mark?.read() ?? null),
    'audit.recent': ({ limit }) => ({
      rows: audit.recent(limit).map(({ seq, at, actor, action, detail }) => ({ seq, at, actor, action, detail })),
    }),
  };
}
