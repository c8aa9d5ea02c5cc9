import type { CallContext, CallResult } from '../api/define.js';
import type { Router } from '../api/router.js';

/**
 * What a shell (Electron IPC for one window, the browser host's binding) puts between the screen
 * and the router: it keeps the staff session token from `staff.login` itself and adds it to every
 * later call, so the token never reaches the renderer's JavaScript (nothing in the page can leak
 * it). `staff.logout` and an "unauthenticated" answer forget it.
 */
export interface StaffAwareCaller {
  call(method: string, input: unknown): Promise<CallResult<unknown>>;
}

export function staffAwareCaller(router: Router, transport: CallContext['transport']): StaffAwareCaller {
  let session: string | undefined;
  return {
    async call(method, input) {
      const ctx: CallContext = session ? { transport, session } : { transport };
      const result = await router.call(method, input, ctx);
      if (method === 'staff.login' && result.ok) {
        const { session: token, ...rest } = result.value as { session?: string };
        session = token;
        return { ok: true, value: rest };
      }
      if (method === 'staff.logout' || method === 'staff.patientTouch' || (!result.ok && result.error.code === 'unauthenticated')) session = undefined;
      return result;
    },
  };
}
