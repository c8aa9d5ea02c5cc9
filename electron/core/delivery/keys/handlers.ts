import type { CallContext, Handlers } from '../../../shared/api/define.js';
import type { AuditLog } from '../../platform/audit/chain.js';
import type { keysContract } from './contract.js';
import type { KeysPart } from './current-keys.js';

/** IT's provisioning methods over the kiosk's current keys; every provisioning is audited as the caller. */
export function keysHandlers(
  keys: KeysPart,
  audit: AuditLog,
  actorOf: (ctx: CallContext) => string | undefined,
): Handlers<typeof keysContract> {
  return {
    'keys.status': () => keys.status(),
    'keys.findKeyFiles': () => keys.findKeyFiles(),
    'keys.provision': (input, ctx) =>
      keys.provision(input, audit, { actor: () => actorOf(ctx) ?? 'unknown', via: ctx.transport }),
  };
}
