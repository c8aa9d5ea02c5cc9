import type { CallContext } from '../../../shared/api/define.js';
import type { Router } from '../../../shared/api/router.js';

/** Transports that serve the kiosk's one screen; their staff session is kept here, in core. */
const screenTransports: ReadonlySet<CallContext['transport']> = new Set(['ipc', 'browser-host']);

/**
 * Keeps the staff session of the kiosk's screen in core: the token from a successful `staff.login`
 * made over IPC or the browser host is remembered per transport and added to that transport's
 * later calls, and it is removed from the answer, so the token never reaches the renderer's
 * JavaScript (nothing in the page can leak or replay it). A kiosk has exactly one screen, so one
 * session per transport is one session per window. `staff.logout`, a patient touch or an
 * "unauthenticated" answer forget it. Tests and tools pass their session in the context.
 */
export function rememberStaffSessions(router: Router): Router {
  const held = new Map<CallContext['transport'], string>();
  return {
    methods: () => router.methods(),
    async call(method, input, ctx) {
      if (!screenTransports.has(ctx.transport) || ctx.session) return router.call(method, input, ctx);
      const token = held.get(ctx.transport);
      const result = await router.call(method, input, token ? { ...ctx, session: token } : ctx);
      if (method === 'staff.login' && result.ok) {
        const { session, ...rest } = result.value as { session?: string };
        if (session) held.set(ctx.transport, session);
        return { ok: true, value: rest };
      }
      if (
        method === 'staff.logout' ||
        method === 'staff.patientTouch' ||
        (!result.ok && result.error.code === 'unauthenticated')
      )
        held.delete(ctx.transport);
      return result;
    },
  };
}
