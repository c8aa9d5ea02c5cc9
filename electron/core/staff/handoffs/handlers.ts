import type { Handlers } from '../../../shared/api/define.js';
import { sessionOf } from '../accounts/handlers.js';
import type { StaffService } from '../accounts/service.js';
import type { handoffsContract } from './contract.js';
import type { HandoffService } from './service.js';

export function handoffHandlers(
  handoffs: HandoffService,
  staff: StaffService,
  startOfToday: () => string,
): Handlers<typeof handoffsContract> {
  return {
    'handoffs.list': () => ({ entries: handoffs.list({ includeResolvedSince: startOfToday() }) }),
    'handoffs.resolve': ({ id, resolution }, ctx) => handoffs.resolve(sessionOf(staff, ctx).staffId, id, resolution),
  };
}
