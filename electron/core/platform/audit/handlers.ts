import type { Handlers } from '../../../shared/api/define.js';
import type { AuditLog, AuditSignatureCheck } from './chain.js';
import type { auditContract } from './contract.js';

export function auditHandlers(audit: AuditLog, checkSignature?: AuditSignatureCheck): Handlers<typeof auditContract> {
  return {
    'audit.verify': () => audit.verify(undefined, checkSignature),
    'audit.recent': ({ limit }) => ({ rows: audit.recent(limit).map(({ seq, at, actor, action, detail }) => ({ seq, at, actor, action, detail })) }),
  };
}
