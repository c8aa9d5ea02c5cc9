import type { Handlers } from '../api/define.js';
import type { AuditLog } from './chain.js';
import type { auditContract } from './contract.js';

export function auditHandlers(audit: AuditLog): Handlers<typeof auditContract> {
  return {
    'audit.verify': () => audit.verify(),
    'audit.recent': ({ limit }) => ({ rows: audit.recent(limit).map(({ seq, at, actor, action, detail }) => ({ seq, at, actor, action, detail })) }),
  };
}
